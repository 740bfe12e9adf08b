"""Fireworks AI provider for infermux: OpenAI-compatible chat completions.

The API root is ``https://api.fireworks.ai/inference`` (routes ``/v1/...``); the Hugging
Face router serves it at ``https://router.huggingface.co/fireworks-ai/inference/v1/...``,
so the routed path keeps the ``/inference`` segment. Structured output takes Fireworks'
form, ``{"type": "json_object", "schema": {...}}``: an OpenAI ``json_schema`` response
format is translated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from infermux import TaskProviderHelper, hookimpl
from infermux.errors import ResponseFormatError
from infermux.helpers.base import Call, Payload, Response
from infermux.helpers.openai import OpenAIChatHelper

__all__ = ["FireworksChat", "register_providers", "to_json_object_format"]


def to_json_object_format(response_format: Any) -> Any:
    """``{"type": "json_schema", "json_schema": {"schema": S}}`` -> ``{"type": "json_object",
    "schema": S}``; any other response format is returned unchanged."""
    if isinstance(response_format, Mapping) and response_format.get("type") == "json_schema":
        details = response_format.get("json_schema")
        if isinstance(details, Mapping) and "schema" in details:
            return {"type": "json_object", "schema": details["schema"]}
    return response_format


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
    register(FireworksChat())
