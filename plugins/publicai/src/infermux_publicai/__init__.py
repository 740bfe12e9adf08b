"""Public AI provider for infermux: OpenAI-compatible chat."""

from __future__ import annotations

from collections.abc import Callable

from infermux import TaskProviderHelper, hookimpl
from infermux.helpers.openai import OpenAIChatHelper

__all__ = ["PublicAIChat", "register_providers"]


class PublicAIChat(OpenAIChatHelper):
    """Chat completions, plain and streamed."""

    provider = "publicai"
    base_url = "https://api.publicai.co"
    api_key_env = ("PUBLICAI_API_KEY",)
    key_url = "https://platform.publicai.co/settings/api-keys"


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    register(PublicAIChat())
