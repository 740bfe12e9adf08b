"""Cohere provider for infermux: chat through Cohere's OpenAI compatibility API.

``https://api.cohere.com/compatibility/v1/chat/completions`` direct, and
``https://router.huggingface.co/cohere/compatibility/v1/chat/completions`` routed. The
compatibility API takes structured output in Cohere's own form, ``{"type": "json_object",
"schema": {...}}``, so an OpenAI ``json_schema`` response format is translated; it does
not take ``n``, ``logit_bias`` or ``top_logprobs``, which are refused before sending.
"""

from __future__ import annotations

from infermux import Provider
from infermux.helpers.base import Call, Payload
from infermux.helpers.openai import CHAT_PARAMETERS, OpenAIChatHelper, json_schema_as_json_object

__all__ = ["CohereChat", "cohere", "register_providers"]

cohere = Provider(
    "cohere",
    base_url="https://api.cohere.com",
    key_env=("CO_API_KEY", "COHERE_API_KEY"),
    key_page="https://dashboard.cohere.com/api-keys",
    aliases={
        # Cohere's own model ids (docs.cohere.com/docs/models).
        "conversational": {
            "default": "command-a-03-2025",
            "large": "command-a-03-2025",
            "small": "command-r7b-12-2024",
            "agent": "command-a-03-2025",
        },
    },
)


@cohere.task
class CohereChat(OpenAIChatHelper):
    """Chat completions, plain and streamed, with tools and structured output."""

    route_prefix = "/compatibility/v1"
    supported_parameters = CHAT_PARAMETERS - {"n", "logit_bias", "top_logprobs"}

    def prepare_payload(self, call: Call) -> Payload:
        payload = super().prepare_payload(call)
        if isinstance(payload, dict) and "response_format" in payload:
            payload["response_format"] = json_schema_as_json_object(payload["response_format"])
        return payload


register_providers = cohere.hook()
