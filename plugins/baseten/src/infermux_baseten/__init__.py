"""Baseten Model APIs provider for infermux: OpenAI-compatible chat."""

from __future__ import annotations

from infermux import Provider
from infermux.helpers.openai import OpenAIChatHelper

__all__ = ["BasetenChat", "baseten", "register_providers"]

baseten = Provider(
    "baseten",
    base_url="https://inference.baseten.co",
    key_env="BASETEN_API_KEY",
    key_page="https://app.baseten.co/settings/api_keys",
    # Model API slugs (docs.baseten.co, "Supported models"); the shared catalogue has no
    # small model, so ``small`` is the lightest one, gpt-oss-120b (5B active parameters).
    aliases={
        "conversational": {
            "default": "deepseek-ai/DeepSeek-V3-0324",
            "large": "deepseek-ai/DeepSeek-V3.1",
            "small": "openai/gpt-oss-120b",
            "agent": "moonshotai/Kimi-K2-Instruct-0905",
        }
    },
)


@baseten.task
class BasetenChat(OpenAIChatHelper):
    """Chat completions on Baseten's shared Model APIs, plain and streamed.

    Dedicated Baseten deployments (``model-<id>.api.baseten.co``) are not covered: they take
    ``Authorization: Api-Key <key>`` and a per-deployment URL.
    """


register_providers = baseten.hook()
