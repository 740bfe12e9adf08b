"""Public AI provider for infermux: OpenAI-compatible chat."""

from __future__ import annotations

from infermux import Provider
from infermux.helpers.openai import OpenAIChatHelper

__all__ = ["PublicAIChat", "publicai", "register_providers"]

publicai = Provider(
    "publicai",
    base_url="https://api.publicai.co",
    key_env="PUBLICAI_API_KEY",
    key_page="https://platform.publicai.co/settings/api-keys",
    aliases={
        # Public AI's ids for the Swiss AI Apertus models (platform.publicai.co).
        "conversational": {
            "default": "swiss-ai/apertus-70b-instruct",
            "large": "swiss-ai/apertus-70b-instruct",
            "small": "swiss-ai/apertus-8b-instruct",
            "agent": "swiss-ai/apertus-70b-instruct",
        },
    },
)


@publicai.task
class PublicAIChat(OpenAIChatHelper):
    """Chat completions, plain and streamed."""


register_providers = publicai.hook()
