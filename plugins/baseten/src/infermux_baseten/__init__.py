"""Baseten Model APIs provider for infermux: OpenAI-compatible chat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infermux import TaskProviderHelper, hookimpl
from infermux.errors import ResponseFormatError
from infermux.helpers.base import Call, Response
from infermux.helpers.openai import OpenAIChatHelper

__all__ = ["BasetenChat", "register_providers"]


class BasetenChat(OpenAIChatHelper):
    """Chat completions on Baseten's shared Model APIs, plain and streamed.

    Dedicated Baseten deployments (``model-<id>.api.baseten.co``) are not covered: they take
    ``Authorization: Api-Key <key>`` and a per-deployment URL.
    """

    provider = "baseten"
    base_url = "https://inference.baseten.co"
    api_key_env = ("BASETEN_API_KEY",)
    key_url = "https://app.baseten.co/settings/api_keys"

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
    register(BasetenChat())
