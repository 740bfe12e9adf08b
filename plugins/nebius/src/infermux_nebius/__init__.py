"""Nebius AI Studio (Token Factory) provider for infermux.

Chat, completions, embeddings and images, all OpenAI-compatible at
``https://api.tokenfactory.nebius.com/v1``. Two differences: structured output is Nebius'
guided decoding, so an OpenAI ``json_schema`` response format is sent as ``guided_json``
(the schema itself); and images come back as base64 WEBP unless asked otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from infermux import TaskProviderHelper, hookimpl
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
    "register_providers",
]


class _Nebius:
    provider: str = "nebius"
    base_url: str = "https://api.tokenfactory.nebius.com"
    api_key_env: tuple[str, ...] = ("NEBIUS_API_KEY",)
    key_url: str | None = "https://tokenfactory.nebius.com"


class NebiusChat(_Nebius, OpenAIChatHelper):
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


class NebiusCompletion(_Nebius, OpenAICompletionHelper):
    """Raw completions for ``text-generation``: ``POST /v1/completions``."""


class NebiusEmbeddings(_Nebius, OpenAIEmbeddingsHelper):
    """Embeddings for ``feature-extraction``: ``POST /v1/embeddings``, one vector per text."""

    supported_parameters = frozenset()


class NebiusTextToImage(_Nebius, OpenAIImageHelper):
    """Images (``POST /v1/images/generations``), returned inline as base64 WEBP."""

    supported_parameters = frozenset(
        {"height", "width", "seed", "negative_prompt", "num_inference_steps"}
    )


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    for helper in (NebiusChat, NebiusCompletion, NebiusEmbeddings, NebiusTextToImage):
        register(helper())
