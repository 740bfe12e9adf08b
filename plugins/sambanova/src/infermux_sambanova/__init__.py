"""SambaNova provider for infermux: OpenAI-compatible chat completions and embeddings.

SambaNova does not accept ``"strict": true`` in a ``json_schema`` response format, so an
unset or true ``strict`` is sent as false (the schema itself is still sent). Its
embeddings endpoint takes only ``input`` and ``model``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infermux import Provider
from infermux.helpers.base import Call, Payload
from infermux.helpers.openai import OpenAIChatHelper, OpenAIEmbeddingsHelper

__all__ = ["SambanovaChat", "SambanovaEmbeddings", "register_providers", "sambanova"]

sambanova = Provider(
    "sambanova",
    base_url="https://api.sambanova.ai",
    key_env="SAMBANOVA_API_KEY",
    key_page="https://cloud.sambanova.ai/apis",
    # SambaNova's own ids (docs.sambanova.ai, supported models); one embedding model.
    aliases={
        "conversational": {
            "default": "Meta-Llama-3.3-70B-Instruct",
            "large": "DeepSeek-V3.1",
            "small": "Meta-Llama-3.1-8B-Instruct",
            "agent": "gpt-oss-120b",
        },
        "feature-extraction": {
            "default": "E5-Mistral-7B-Instruct",
            "large": "E5-Mistral-7B-Instruct",
            "small": "E5-Mistral-7B-Instruct",
        },
    },
)


def _non_strict(response_format: Any) -> Any:
    if isinstance(response_format, Mapping) and response_format.get("type") == "json_schema":
        details = response_format.get("json_schema")
        if isinstance(details, Mapping) and details.get("strict") in (True, None):
            # Copies: the caller's dicts are never mutated.
            return {**response_format, "json_schema": {**details, "strict": False}}
    return response_format


@sambanova.task
class SambanovaChat(OpenAIChatHelper):
    """Chat completions, plain and streamed, with tools and ``response_format``."""

    def prepare_payload(self, call: Call) -> Payload:
        payload = super().prepare_payload(call)
        if isinstance(payload, dict) and "response_format" in payload:
            payload["response_format"] = _non_strict(payload["response_format"])
        return payload


@sambanova.task
class SambanovaEmbeddings(OpenAIEmbeddingsHelper):
    """Embeddings for ``feature-extraction``: ``POST /v1/embeddings``, one vector per text."""

    supported_parameters = frozenset()

    def prepare_payload(self, call: Call) -> Payload:
        return {"input": call.inputs, "model": call.model.provider_model_id}


register_providers = sambanova.hook()
