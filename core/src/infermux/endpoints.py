"""Helpers the core builds on the fly: dedicated endpoints and the router's policy endpoint.

- A dedicated endpoint (``InferenceClient(base_url=URL)`` with no provider, or
  ``model=URL``): an Inference Endpoint, a TGI/TEI/vLLM server or any OpenAI-compatible URL,
  for every task: chat and responses on the OpenAI-compatible routes, the other tasks in
  the Hugging Face task API's wire format at the URL (or OpenAI's routes on a ``/v1`` URL).
- A router policy (``model="org/id:fastest"``, ``:cheapest``, ``:preferred``): the Hugging
  Face router's own OpenAI-compatible endpoint chooses the provider.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from infermux.config import EndpointConfig
from infermux.errors import ConfigurationError
from infermux.helpers.base import Call, TaskProviderHelper
from infermux.helpers.openai import OpenAIChatHelper
from infermux.inhouse import OPENAI_COMPATIBLE_TASKS, openai_compatible_helpers

__all__ = [
    "ENDPOINT_PROVIDER",
    "ROUTER_POLICIES",
    "ROUTER_PROVIDER",
    "endpoint_helper",
    "is_url",
    "router_policy_helper",
    "router_policy_responses_helper",
]

ENDPOINT_PROVIDER = "endpoint"
ROUTER_PROVIDER = "hf-router"
ROUTER_POLICIES = frozenset({"fastest", "cheapest", "preferred"})

#: Hosts where a Hugging Face token is the endpoint's own key.
_HF_ENDPOINT_SUFFIXES = (".huggingface.cloud", ".hf.space", ".huggingface.co")


def is_url(value: str | None) -> bool:
    return bool(value) and str(value).startswith(("http://", "https://"))


#: The OpenAI-compatible route of each task an OpenAI-style server serves.
_OPENAI_ROUTES = {
    "conversational": "/chat/completions",
    "responses": "/responses",
    "text-generation": "/completions",
    "feature-extraction": "/embeddings",
    "text-to-image": "/images/generations",
    "automatic-speech-recognition": "/audio/transcriptions",
}
#: Tasks whose endpoint is OpenAI-compatible whatever the URL (TGI and TEI serve chat on
#: /v1/chat/completions; the Responses API has no other wire format).
_ALWAYS_OPENAI = frozenset({"conversational", "responses"})


def _split_route(task: str, url: str) -> tuple[str, bool]:
    """``url`` without a trailing OpenAI route of ``task`` (so it is not appended twice),
    and whether the URL names an OpenAI-compatible root (``.../v1`` or such a route)."""
    base = url.rstrip("/")
    path = urlsplit(base).path
    route = _OPENAI_ROUTES.get(task)
    if route and path.endswith(route):
        return base[: -len(route)], True
    return base, path.endswith("/v1")


def _hf_helper(task: str, url: str, registry: Any) -> TaskProviderHelper:
    """The Hugging Face wire format of ``task`` (``{"inputs": ..., "parameters": ...}``, raw
    bytes for media inputs, TGI's native API for text generation) posted to the endpoint's
    own URL, as huggingface_hub does for ``model=URL``. The format is hf-inference's, so
    the endpoint helper is derived from that plugin's helper for the task."""
    registration = None
    if registry is not None and ("hf-inference", task) in registry:
        registration = registry.get("hf-inference", task)
    if registration is None:
        raise ConfigurationError(
            f"A dedicated endpoint serving {task!r} speaks the Hugging Face task API, whose "
            "wire format comes with the hf-inference plugin: pip install infermux-hf-inference "
            f"(OpenAI-compatible URLs ending in /v1 serve {', '.join(sorted(_OPENAI_ROUTES))})."
        )
    base = type(registration.helper)
    generate = task == "text-generation"

    class HFEndpoint(base):  # type: ignore[valid-type,misc]
        provider = ENDPOINT_PROVIDER
        base_url = url
        api_key_env = ()
        routable = False  # the endpoint's own URL, never the router
        default_requests_per_minute = None
        requires_key = False
        needs_model_mapping = False

        def prepare_route(self, call: Call) -> str:
            # TGI's native routes for text generation; the endpoint's root otherwise.
            if generate:
                return "/generate_stream" if call.stream else "/generate"
            return ""

        def prepare_headers(self, call: Call) -> dict[str, str]:
            return {}  # no serverless options (x-wait-for-model ...) on a dedicated endpoint

    HFEndpoint.__name__ = HFEndpoint.__qualname__ = f"{base.__name__}[endpoint]"
    return HFEndpoint()


def endpoint_helper(task: str, url: str, registry: Any = None) -> TaskProviderHelper:
    """A helper for ``task`` on a dedicated endpoint at ``url``: an Inference Endpoint, a
    TGI/TEI server, vLLM or any OpenAI-compatible server.

    Chat and the Responses API use the OpenAI-compatible routes (``/v1/...``). Other tasks
    do too when the URL names an OpenAI-compatible root (``.../v1``, or the task's own
    route such as ``.../v1/embeddings``); otherwise they speak the Hugging Face task API at
    the URL itself (TGI's ``/generate`` and ``/generate_stream`` for text generation). A URL
    that already ends in the task's route is not given it twice.
    """
    base, openai_style = _split_route(task, url)
    if task in _ALWAYS_OPENAI or (openai_style and task in OPENAI_COMPATIBLE_TASKS):
        if not urlsplit(base).path.endswith("/v1"):
            base += "/v1"
        (helper,) = openai_compatible_helpers(
            EndpointConfig(name=ENDPOINT_PROVIDER, base_url=base, tasks=(task,), source="base_url")
        )
    else:
        helper = _hf_helper(task, base, registry)
    host = urlsplit(url).hostname or ""
    # An Inference Endpoint takes the caller's Hugging Face token; any other host only
    # ever gets an api_key passed explicitly.
    helper.uses_hf_token = host.endswith(_HF_ENDPOINT_SUFFIXES)
    # Dedicated endpoints may be scaled to zero: a 503 means "waking up", waited for.
    helper.scales_to_zero = True
    return helper


def router_policy_helper(router_url: str) -> TaskProviderHelper:
    """Chat through the router's OpenAI-compatible endpoint, which picks the provider."""

    class RouterChat(OpenAIChatHelper):
        provider = ROUTER_PROVIDER
        base_url = router_url.rstrip("/")
        uses_hf_token = True
        needs_model_mapping = False
        supported_parameters = None

    return RouterChat()


def router_policy_responses_helper(router_url: str) -> TaskProviderHelper:
    """Responses through the router's own ``/v1/responses``, which picks the provider."""
    from infermux.responses.routing import router_policy_responses_helper as build

    return build(router_url)
