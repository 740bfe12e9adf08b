"""Helpers the core builds on the fly: dedicated endpoints and the router's policy endpoint.

- A dedicated endpoint (``InferenceClient(base_url=URL)`` with no provider, or
  ``model=URL``): an Inference Endpoint, a TGI/TEI/vLLM server or any OpenAI-compatible URL,
  served through the OpenAI-compatible routes.
- A router policy (``model="org/id:fastest"``, ``:cheapest``, ``:preferred``): the Hugging
  Face router's own OpenAI-compatible endpoint chooses the provider.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from infermux.config import EndpointConfig
from infermux.errors import ConfigurationError
from infermux.helpers.base import TaskProviderHelper
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


def endpoint_helper(task: str, url: str) -> TaskProviderHelper:
    """A helper for ``task`` on a dedicated OpenAI-compatible endpoint at ``url``."""
    if task not in OPENAI_COMPATIBLE_TASKS:
        raise ConfigurationError(
            f"A dedicated endpoint URL serves {', '.join(sorted(OPENAI_COMPATIBLE_TASKS))} "
            f"through OpenAI-compatible routes, not {task!r}; use client.request() for "
            "other routes."
        )
    base = url.rstrip("/")
    if not urlsplit(base).path.endswith("/v1"):
        base += "/v1"
    (helper,) = openai_compatible_helpers(
        EndpointConfig(name=ENDPOINT_PROVIDER, base_url=base, tasks=(task,), source="base_url")
    )
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
