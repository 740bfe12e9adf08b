"""Fireworks AI provider for infermux: OpenAI-compatible chat completions.

The API root is ``https://api.fireworks.ai/inference`` (routes ``/v1/...``); the Hugging
Face router serves it at ``https://router.huggingface.co/fireworks-ai/inference/v1/...``,
so the routed path keeps the ``/inference`` segment. Structured output takes Fireworks'
form, ``{"type": "json_object", "schema": {...}}``: an OpenAI ``json_schema`` response
format is translated.
"""

from __future__ import annotations

from collections.abc import Callable

from infermux import TaskProviderHelper, hookimpl
from infermux.helpers.base import Call, Payload
from infermux.helpers.openai import OpenAIChatHelper, json_schema_as_json_object

__all__ = ["FireworksChat", "register_providers"]


class FireworksChat(OpenAIChatHelper):
    """Chat completions, plain and streamed, with tools and structured output."""

    provider = "fireworks-ai"
    base_url = "https://api.fireworks.ai/inference"
    api_key_env = ("FIREWORKS_API_KEY",)
    key_url = "https://fireworks.ai/account/api-keys"

    def prepare_route(self, call: Call) -> str:
        # The router mounts Fireworks' host root, not its /inference API root.
        prefix = "/inference" if call.routing == "router" else ""
        return f"{prefix}/v1/chat/completions"

    def prepare_payload(self, call: Call) -> Payload:
        payload = super().prepare_payload(call)
        if isinstance(payload, dict) and "response_format" in payload:
            payload["response_format"] = json_schema_as_json_object(payload["response_format"])
        return payload


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    register(FireworksChat())
