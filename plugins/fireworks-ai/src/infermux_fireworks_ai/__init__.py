"""Fireworks AI provider for infermux: OpenAI-compatible chat completions.

The API root is ``https://api.fireworks.ai/inference`` (routes ``/v1/...``); the Hugging
Face router serves it at ``https://router.huggingface.co/fireworks-ai/inference/v1/...``,
so the routed path keeps the ``/inference`` segment. Structured output takes Fireworks'
form, ``{"type": "json_object", "schema": {...}}``: an OpenAI ``json_schema`` response
format is translated.
"""

from __future__ import annotations

from infermux import Provider
from infermux.helpers.base import Call, Payload
from infermux.helpers.openai import OpenAIChatHelper, json_schema_as_json_object

__all__ = ["FireworksChat", "fireworks", "register_providers"]

_MODELS = "accounts/fireworks/models"

fireworks = Provider(
    "fireworks-ai",
    base_url="https://api.fireworks.ai/inference",
    key_env="FIREWORKS_API_KEY",
    key_page="https://fireworks.ai/account/api-keys",
    # Fireworks' own ids (its serverless catalogue), not Hub ids: an alias skips the Hub.
    aliases={
        "conversational": {
            "default": f"{_MODELS}/llama-v3p3-70b-instruct",
            "large": f"{_MODELS}/deepseek-v3p1",
            "small": f"{_MODELS}/gpt-oss-20b",
            "agent": f"{_MODELS}/gpt-oss-120b",
        }
    },
)


@fireworks.task
class FireworksChat(OpenAIChatHelper):
    """Chat completions, plain and streamed, with tools and structured output."""

    def prepare_route(self, call: Call) -> str:
        # The router mounts Fireworks' host root, not its /inference API root.
        prefix = "/inference" if call.routing == "router" else ""
        return f"{prefix}/v1/chat/completions"

    def prepare_payload(self, call: Call) -> Payload:
        payload = super().prepare_payload(call)
        if isinstance(payload, dict) and "response_format" in payload:
            payload["response_format"] = json_schema_as_json_object(payload["response_format"])
        return payload


register_providers = fireworks.hook()
