"""OVHcloud AI Endpoints provider for infermux: OpenAI-compatible chat and completions."""

from __future__ import annotations

from infermux import Provider
from infermux.helpers.openai import OpenAIChatHelper, OpenAICompletionHelper

__all__ = ["OVHcloudChat", "OVHcloudCompletion", "ovhcloud", "register_providers"]

ovhcloud = Provider(
    "ovhcloud",
    base_url="https://oai.endpoints.kepler.ai.cloud.ovh.net",
    # OVHcloud's own examples name the token OVH_AI_ENDPOINTS_ACCESS_TOKEN; both are read.
    key_env=("OVHCLOUD_API_KEY", "OVH_AI_ENDPOINTS_ACCESS_TOKEN"),
    key_page="https://endpoints.ai.cloud.ovh.net",
    aliases={
        # OVHcloud's own model names (its catalog; Llama-3.1-8B-Instruct as in the cassettes).
        "conversational": {
            "default": "Meta-Llama-3_3-70B-Instruct",
            "large": "gpt-oss-120b",
            "small": "Llama-3.1-8B-Instruct",
            "agent": "gpt-oss-120b",
        },
    },
)


@ovhcloud.task
class OVHcloudChat(OpenAIChatHelper):
    """Chat completions, plain and streamed."""


@ovhcloud.task
class OVHcloudCompletion(OpenAICompletionHelper):
    """Raw completions for ``text-generation`` (``max_new_tokens`` is sent as ``max_tokens``)."""


register_providers = ovhcloud.hook()
