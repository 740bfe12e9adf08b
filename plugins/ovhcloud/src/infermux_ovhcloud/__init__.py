"""OVHcloud AI Endpoints provider for infermux: OpenAI-compatible chat and completions."""

from __future__ import annotations

from collections.abc import Callable

from infermux import TaskProviderHelper, hookimpl
from infermux.helpers.openai import OpenAIChatHelper, OpenAICompletionHelper

__all__ = ["OVHcloudChat", "OVHcloudCompletion", "register_providers"]


class _OVHcloud:
    provider = "ovhcloud"
    base_url = "https://oai.endpoints.kepler.ai.cloud.ovh.net"
    # OVHcloud's own examples name the token OVH_AI_ENDPOINTS_ACCESS_TOKEN; both are read.
    api_key_env: tuple[str, ...] = ("OVHCLOUD_API_KEY", "OVH_AI_ENDPOINTS_ACCESS_TOKEN")
    key_url: str | None = "https://endpoints.ai.cloud.ovh.net"


class OVHcloudChat(_OVHcloud, OpenAIChatHelper):
    """Chat completions, plain and streamed."""


class OVHcloudCompletion(_OVHcloud, OpenAICompletionHelper):
    """Raw completions for ``text-generation`` (``max_new_tokens`` is sent as ``max_tokens``)."""


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    for helper in (OVHcloudChat, OVHcloudCompletion):
        register(helper())
