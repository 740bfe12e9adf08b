"""Public AI provider for infermux: OpenAI-compatible chat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infermux import TaskProviderHelper, hookimpl
from infermux.errors import ResponseFormatError
from infermux.helpers.base import Call, Response
from infermux.helpers.openai import OpenAIChatHelper

__all__ = ["PublicAIChat", "register_providers"]


class PublicAIChat(OpenAIChatHelper):
    """Chat completions, plain and streamed."""

    provider = "publicai"
    base_url = "https://api.publicai.co"
    api_key_env = ("PUBLICAI_API_KEY",)
    key_url = "https://platform.publicai.co/settings/api-keys"

    def parse_response(self, response: Response, call: Call) -> Any:
        output = super().parse_response(response, call)
        if not output.choices:  # "{}" passes the all-optional output schema
            raise ResponseFormatError(
                f"{self.provider} chat completion without choices: {response.text[:200]!r}",
                provider=self.provider,
                task=self.task,
            )
        return output


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    register(PublicAIChat())
