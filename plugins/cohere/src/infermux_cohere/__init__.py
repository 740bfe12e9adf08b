"""Cohere provider for infermux: chat through Cohere's OpenAI compatibility API.

``https://api.cohere.com/compatibility/v1/chat/completions`` direct, and
``https://router.huggingface.co/cohere/compatibility/v1/chat/completions`` routed. The
compatibility API takes structured output in Cohere's own form, ``{"type": "json_object",
"schema": {...}}``, so an OpenAI ``json_schema`` response format is translated; it does
not take ``n``, ``logit_bias`` or ``top_logprobs``, which are refused before sending.
"""

from __future__ import annotations

from collections.abc import Callable

from infermux import TaskProviderHelper, hookimpl
from infermux.helpers.base import Call, Payload
from infermux.helpers.openai import CHAT_PARAMETERS, OpenAIChatHelper, json_schema_as_json_object

__all__ = ["CohereChat", "register_providers"]


class CohereChat(OpenAIChatHelper):
    """Chat completions, plain and streamed, with tools and structured output."""

    provider = "cohere"
    base_url = "https://api.cohere.com"
    route_prefix = "/compatibility/v1"
    api_key_env = ("CO_API_KEY", "COHERE_API_KEY")
    key_url = "https://dashboard.cohere.com/api-keys"
    supported_parameters = CHAT_PARAMETERS - {"n", "logit_bias", "top_logprobs"}
    # Cohere's own model ids (docs.cohere.com/docs/models).
    model_aliases = {
        "default": "command-a-03-2025",
        "large": "command-a-03-2025",
        "small": "command-r7b-12-2024",
        "agent": "command-a-03-2025",
    }

    def prepare_payload(self, call: Call) -> Payload:
        payload = super().prepare_payload(call)
        if isinstance(payload, dict) and "response_format" in payload:
            payload["response_format"] = json_schema_as_json_object(payload["response_format"])
        return payload


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    register(CohereChat())
