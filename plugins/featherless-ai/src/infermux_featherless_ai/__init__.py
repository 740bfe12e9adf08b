"""Featherless AI provider for infermux: OpenAI-compatible chat and completions."""

from __future__ import annotations

from collections.abc import Callable

from infermux import TaskProviderHelper, hookimpl
from infermux.helpers.openai import OpenAIChatHelper, OpenAICompletionHelper

__all__ = ["FeatherlessChat", "FeatherlessCompletion", "register_providers"]


class _Featherless:
    provider = "featherless-ai"
    base_url = "https://api.featherless.ai"
    api_key_env: tuple[str, ...] = ("FEATHERLESS_API_KEY",)
    key_url: str | None = "https://featherless.ai/account/api-keys"


class FeatherlessChat(_Featherless, OpenAIChatHelper):
    """Chat completions, plain and streamed."""


class FeatherlessCompletion(_Featherless, OpenAICompletionHelper):
    """Raw completions for ``text-generation`` (``max_new_tokens`` is sent as ``max_tokens``)."""


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    for helper in (FeatherlessChat, FeatherlessCompletion):
        register(helper())
