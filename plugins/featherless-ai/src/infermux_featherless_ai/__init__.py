"""Featherless AI provider for infermux: OpenAI-compatible chat and completions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infermux import TaskProviderHelper, hookimpl
from infermux.errors import ResponseFormatError
from infermux.helpers.base import Call, Response
from infermux.helpers.openai import OpenAIChatHelper, OpenAICompletionHelper

__all__ = ["FeatherlessChat", "FeatherlessCompletion", "register_providers"]


class _Featherless:
    provider = "featherless-ai"
    base_url = "https://api.featherless.ai"
    api_key_env: tuple[str, ...] = ("FEATHERLESS_API_KEY",)
    key_url: str | None = "https://featherless.ai/account/api-keys"


class FeatherlessChat(_Featherless, OpenAIChatHelper):
    """Chat completions, plain and streamed."""

    def parse_response(self, response: Response, call: Call) -> Any:
        output = super().parse_response(response, call)
        if not output.choices:  # "{}" passes the all-optional output schema
            raise ResponseFormatError(
                f"{self.provider} chat completion without choices: {response.text[:200]!r}",
                provider=self.provider,
                task=self.task,
            )
        return output


class FeatherlessCompletion(_Featherless, OpenAICompletionHelper):
    """Raw completions for ``text-generation`` (``max_new_tokens`` is sent as ``max_tokens``)."""


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    for helper in (FeatherlessChat, FeatherlessCompletion):
        register(helper())
