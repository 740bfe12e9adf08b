"""Nebius AI Studio (Token Factory) provider for infermux.

Chat, completions, embeddings and images, all OpenAI-compatible at
``https://api.tokenfactory.nebius.com/v1``. Two differences: structured output is Nebius'
guided decoding, so an OpenAI ``json_schema`` response format is sent as ``guided_json``
(the schema itself); and images come back as base64 WEBP unless asked otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping

from infermux import Provider
from infermux.helpers.base import Call, Payload
from infermux.helpers.openai import (
    OpenAIChatHelper,
    OpenAICompletionHelper,
    OpenAIEmbeddingsHelper,
    OpenAIImageHelper,
)

__all__ = [
    "NebiusChat",
    "NebiusCompletion",
    "NebiusEmbeddings",
    "NebiusTextToImage",
    "nebius",
    "register_providers",
]

nebius = Provider(
    "nebius",
    base_url="https://api.tokenfactory.nebius.com",
    key_env="NEBIUS_API_KEY",
    key_page="https://tokenfactory.nebius.com",
    aliases={
        # Nebius's own ids (Hub ids, some with a "-fast" serving suffix); default and small
        # are the ones the recorded router traffic used (shared/recordings).
        "conversational": {
            "default": "meta-llama/Llama-3.3-70B-Instruct-fast",
            "large": "Qwen/Qwen3-235B-A22B",
            "small": "meta-llama/Meta-Llama-3.1-8B-Instruct-fast",
            "agent": "openai/gpt-oss-120b",
        },
        # POST /v1/completions serves the instruct models (its API reference calls Llama
        # 3.1/3.3 70B Instruct there): the chat table, less the tool-use one.
        "text-generation": {
            "default": "meta-llama/Llama-3.3-70B-Instruct-fast",
            "large": "Qwen/Qwen3-235B-A22B",
            "small": "meta-llama/Meta-Llama-3.1-8B-Instruct-fast",
        },
        # Every embedding model Nebius serves is 7-9B: small is the plainest of them.
        "feature-extraction": {
            "default": "BAAI/bge-en-icl",
            "large": "BAAI/bge-multilingual-gemma2",
            "small": "BAAI/bge-en-icl",
        },
    },
)


@nebius.task
class NebiusChat(OpenAIChatHelper):
    """Chat completions, plain and streamed; ``json_schema`` output becomes ``guided_json``."""

    def prepare_payload(self, call: Call) -> Payload:
        payload = super().prepare_payload(call)
        if not isinstance(payload, dict):
            return payload
        response_format = payload.get("response_format")
        if isinstance(response_format, Mapping) and response_format.get("type") == "json_schema":
            details = response_format.get("json_schema")
            if isinstance(details, Mapping) and "schema" in details:
                del payload["response_format"]
                payload["guided_json"] = details["schema"]
        return payload


@nebius.task
class NebiusCompletion(OpenAICompletionHelper):
    """Raw completions for ``text-generation``: ``POST /v1/completions``."""


@nebius.task
class NebiusEmbeddings(OpenAIEmbeddingsHelper):
    """Embeddings for ``feature-extraction``: ``POST /v1/embeddings``, one vector per text."""

    supported_parameters = frozenset()


@nebius.task
class NebiusTextToImage(OpenAIImageHelper):
    """Images (``POST /v1/images/generations``), returned inline as base64 WEBP."""

    supported_parameters = frozenset(
        {"height", "width", "seed", "negative_prompt", "num_inference_steps"}
    )


register_providers = nebius.hook()
