"""OpenAI-compatible endpoints as providers: declared in code or config files, dedicated
endpoint URLs, and the router's policy endpoint. All build helpers from the OpenAI-compatible
bases (``infermux.helpers.openai.OPENAI_HELPERS``).

- In-house providers without a package: :func:`register_openai_compatible` (or a config
  file, read by :mod:`infermux.config` and registered by :class:`ConfigEndpoints`, the
  built-in plugin the loader loads beside the installed ones), and
  :func:`register_provider` for any helper::

      import infermux

      infermux.register_openai_compatible(
          "my-gateway", base_url="https://llm.internal.example.com/v1",
          api_key_env="MY_GATEWAY_KEY", tasks=["conversational", "feature-extraction"],
      )
      client = infermux.InferenceClient(provider="my-gateway")

- A dedicated endpoint (``InferenceClient(base_url=URL)`` with no provider, or
  ``model=URL``): an Inference Endpoint, a TGI/TEI/vLLM server or any OpenAI-compatible URL,
  for every task (:func:`endpoint_helper`): chat and responses on the OpenAI-compatible
  routes, the other tasks in the Hugging Face task API's wire format at the URL
  (:mod:`infermux.helpers.hf`, no plugin needed), or OpenAI's routes on a ``/v1`` URL.
- A router policy (``model="org/id:fastest"``, ``:cheapest``, ``:preferred``): the Hugging
  Face router's own OpenAI-compatible endpoint chooses the provider
  (:func:`router_policy_helper`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlsplit

from infermux.auth import is_url as is_url  # here since the engine's first use of it
from infermux.config import EndpointConfig
from infermux.errors import ConfigurationError
from infermux.helpers.base import Call, TaskProviderHelper
from infermux.helpers.openai import OPENAI_HELPERS, OpenAIChatHelper, OpenAITranscriptionHelper
from infermux.hookspecs import hookimpl
from infermux.registry.store import RUNTIME, ProviderRegistry, Registration
from infermux.tasks import OPENAI_COMPATIBLE_TASKS

__all__ = [
    "ENDPOINT_PROVIDER",
    "OPENAI_COMPATIBLE_TASKS",
    "ROUTER_POLICIES",
    "ROUTER_PROVIDER",
    "ConfigEndpoints",
    "OpenAITranscriptionHelper",
    "endpoint_helper",
    "is_url",
    "openai_compatible_helpers",
    "register_openai_compatible",
    "register_provider",
    "router_policy_helper",
    "router_policy_responses_helper",
]

_BASES = OPENAI_HELPERS


def openai_compatible_helpers(endpoint: EndpointConfig) -> list[TaskProviderHelper]:
    """One helper per task of an OpenAI-compatible endpoint. Its base URL already holds
    any ``/v1``, so routes are relative to it."""
    unknown = sorted(set(endpoint.tasks) - OPENAI_COMPATIBLE_TASKS)
    if unknown:
        raise ConfigurationError(
            f"{endpoint.source}: provider {endpoint.name!r} declares tasks {', '.join(unknown)}; "
            f"an OpenAI-compatible endpoint serves {', '.join(sorted(OPENAI_COMPATIBLE_TASKS))}"
        )
    helpers: list[TaskProviderHelper] = []
    for task in endpoint.tasks:
        base = _BASES[task]
        route = endpoint.routes.get(task)
        headers = dict(endpoint.headers)

        class Endpoint(base):  # type: ignore[valid-type,misc]
            provider = endpoint.name
            base_url = endpoint.base_url.rstrip("/")
            api_key_env = endpoint.api_key_env
            routable = False
            needs_model_mapping = False
            requires_key = bool(endpoint.api_key_env)
            route_prefix = ""
            served_models = frozenset(endpoint.models)
            # A server of the user's own may not send [DONE]: its streams end with the
            # connection (an unterminated last event is still discarded).
            stream_end_marker = None

            def prepare_route(self, call: Call, _route: str | None = route) -> str:
                return _route if _route is not None else super().prepare_route(call)

            def prepare_headers(
                self, call: Call, _headers: dict[str, str] = headers
            ) -> dict[str, str]:
                return dict(_headers)

        Endpoint.__name__ = Endpoint.__qualname__ = f"{base.__name__}[{endpoint.name}]"
        helpers.append(Endpoint())
    return helpers


class ConfigEndpoints:
    """The built-in plugin registering one config file's endpoints (the loader loads one per
    file, named ``config:<path>``, as it loads installed plugins)."""

    def __init__(self, endpoints: Sequence[EndpointConfig]) -> None:
        self.endpoints = tuple(endpoints)

    @hookimpl
    def register_providers(self, register: Callable[[TaskProviderHelper], None]) -> None:
        for endpoint in self.endpoints:
            for helper in openai_compatible_helpers(endpoint):
                register(helper)


def _default_registry(registry: ProviderRegistry | None) -> ProviderRegistry:
    if registry is not None:
        return registry
    from infermux.registry.loader import get_registry

    return get_registry()


def register_provider(
    helper: TaskProviderHelper, *, replace: bool = False, registry: ProviderRegistry | None = None
) -> None:
    """Register a helper at run time (an in-house provider, or a fix to a plugin's).

    ``replace=True`` overrides a helper an installed plugin registered for the same
    (provider, task); without it the clash is reported when the pair is used.
    """
    _default_registry(registry).add(Registration(helper, RUNTIME), replace=replace)


def register_openai_compatible(
    name: str,
    *,
    base_url: str,
    api_key_env: str | Sequence[str] = (),
    tasks: Sequence[str] = ("conversational",),
    routes: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    models: Sequence[str] = (),
    replace: bool = False,
    registry: ProviderRegistry | None = None,
) -> None:
    """Declare an OpenAI-compatible endpoint (vLLM, TGI, Ollama, a gateway) as a provider.

    ``models`` lists model ids the endpoint serves as they are: ``provider="auto"`` picks
    the endpoint for them without asking the Hub.
    """
    endpoint = EndpointConfig(
        name=name,
        base_url=base_url,
        api_key_env=(api_key_env,) if isinstance(api_key_env, str) else tuple(api_key_env),
        tasks=tuple(tasks),
        routes=dict(routes or {}),
        headers=dict(headers or {}),
        models=tuple(models),
    )
    target = _default_registry(registry)
    for helper in openai_compatible_helpers(endpoint):
        target.add(Registration(helper, RUNTIME), replace=replace)


# -- dedicated endpoints and the router's policy endpoint --------------------

ENDPOINT_PROVIDER = "endpoint"
ROUTER_PROVIDER = "hf-router"
ROUTER_POLICIES = frozenset({"fastest", "cheapest", "preferred"})

#: Hosts where a Hugging Face token is the endpoint's own key.
_HF_ENDPOINT_SUFFIXES = (".huggingface.cloud", ".hf.space", ".huggingface.co")


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


#: Routes of TGI's native API a URL may already end in (the helper adds the right one).
_TGI_ROUTES = ("/generate_stream", "/generate")


def _hf_helper(task: str, url: str) -> TaskProviderHelper:
    """The Hugging Face task API's wire format of ``task`` (``{"inputs": ..., "parameters":
    ...}``, raw bytes for media inputs, TGI's native API for text generation) posted to the
    endpoint's own URL, as huggingface_hub does for ``model=URL``. The format is the core's
    (:mod:`infermux.helpers.hf`): no plugin is needed."""
    from infermux.helpers.hf import HF_HELPERS

    base = HF_HELPERS.get(task)
    if base is None:
        served = ", ".join(sorted({*HF_HELPERS, *_ALWAYS_OPENAI}))
        raise ConfigurationError(
            f"A dedicated endpoint cannot serve {task!r}: the Hugging Face task API defines "
            f"no wire format for it (endpoints serve {served})."
        )
    if task == "text-generation" and url.endswith(_TGI_ROUTES):
        url = url.rsplit("/", 1)[0]  # the route is chosen per call (streamed or not)

    class HFEndpoint(base):  # type: ignore[valid-type,misc]
        provider = ENDPOINT_PROVIDER
        base_url = url
        api_key_env = ()
        routable = False  # the endpoint's own URL, never the router
        requires_key = False
        needs_model_mapping = False

    HFEndpoint.__name__ = HFEndpoint.__qualname__ = f"{base.__name__}[endpoint]"
    return HFEndpoint()


def endpoint_helper(task: str, url: str, registry: object = None) -> TaskProviderHelper:
    """A helper for ``task`` on a dedicated endpoint at ``url``: an Inference Endpoint, a
    TGI/TEI server, vLLM or any OpenAI-compatible server.

    Chat and the Responses API use the OpenAI-compatible routes (``/v1/...``). Other tasks
    do too when the URL names an OpenAI-compatible root (``.../v1``, or the task's own
    route such as ``.../v1/embeddings``); otherwise they speak the Hugging Face task API at
    the URL itself (TGI's ``/generate`` and ``/generate_stream`` for text generation). A URL
    that already ends in the task's route is not given it twice. Every wire format is the
    core's own, so no plugin is needed; ``registry`` is accepted for callers that pass one
    and not consulted.
    """
    base, openai_style = _split_route(task, url)
    if task in _ALWAYS_OPENAI or (openai_style and task in OPENAI_COMPATIBLE_TASKS):
        if not urlsplit(base).path.endswith("/v1"):
            base += "/v1"
        (helper,) = openai_compatible_helpers(
            EndpointConfig(name=ENDPOINT_PROVIDER, base_url=base, tasks=(task,), source="base_url")
        )
    else:
        helper = _hf_helper(task, base)
    host = urlsplit(url).hostname or ""
    # An Inference Endpoint takes the caller's Hugging Face token; any other host only
    # ever gets an api_key passed explicitly.
    helper.uses_hf_token = host.endswith(_HF_ENDPOINT_SUFFIXES)
    if helper.uses_hf_token:
        # An Inference Endpoint bills the minutes its replicas run, not each call
        # (https://huggingface.co/docs/inference-endpoints/support/pricing): a resent
        # generation costs nothing more, so it is retried as any request is. Any other
        # server keeps its helper's declaration (an OpenAI-style image API bills per call).
        helper.paid_per_call = False
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
