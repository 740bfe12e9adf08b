"""Cohere provider for infermux: chat through Cohere's OpenAI compatibility API.

``https://api.cohere.com/compatibility/v1/chat/completions`` direct, and
``https://router.huggingface.co/cohere/compatibility/v1/chat/completions`` routed. The
compatibility API takes structured output in Cohere's own form, ``{"type": "json_object",
"schema": {...}}``, so an OpenAI ``json_schema`` response format is translated; it does
not take ``n``, ``logit_bias`` or ``top_logprobs``, which are refused before sending.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from infermux import TaskProviderHelper, hookimpl
from infermux.errors import ResponseFormatError
from infermux.helpers.base import Call, Payload, Response
from infermux.helpers.openai import CHAT_PARAMETERS, OpenAIChatHelper

__all__ = ["CohereChat", "register_providers", "to_json_object_format"]


def to_json_object_format(response_format: Any) -> Any:
    """``{"type": "json_schema", "json_schema": {"schema": S}}`` -> ``{"type": "json_object",
    "schema": S}``; any other response format is returned unchanged."""
    if isinstance(response_format, Mapping) and response_format.get("type") == "json_schema":
        details = response_format.get("json_schema")
        if isinstance(details, Mapping) and "schema" in details:
            return {"type": "json_object", "schema": details["schema"]}
    return response_format


class CohereChat(OpenAIChatHelper):
    """Chat completions, plain and streamed, with tools and structured output."""

    provider = "cohere"
    base_url = "https://api.cohere.com"
    route_prefix = "/compatibility/v1"
    api_key_env = ("CO_API_KEY", "COHERE_API_KEY")
    key_url = "https://dashboard.cohere.com/api-keys"
    supported_parameters = CHAT_PARAMETERS - {"n", "logit_bias", "top_logprobs"}

    def prepare_payload(self, call: Call) -> Payload:
        payload = super().prepare_payload(call)
        if isinstance(payload, dict) and "response_format" in payload:
            payload["response_format"] = to_json_object_format(payload["response_format"])
        return payload

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
    register(CohereChat())
