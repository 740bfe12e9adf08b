"""Scaleway Generative APIs provider for infermux: chat, text generation and embeddings."""

from __future__ import annotations

from infermux import Provider
from infermux.helpers.openai import OpenAIChatTextGenerationHelper

__all__ = ["ScalewayTextGeneration", "register_providers", "scaleway"]

scaleway = Provider(
    "scaleway",
    base_url="https://api.scaleway.ai",
    # An IAM API key's secret key, the variable Scaleway's own tools read.
    key_env="SCW_SECRET_KEY",
    key_page="https://console.scaleway.com/iam/api-keys",
    # Scaleway's own ids (Generative APIs' model list).
    aliases={
        "conversational": {
            "default": "llama-3.3-70b-instruct",
            "large": "gpt-oss-120b",
            "small": "llama-3.1-8b-instruct",
            "agent": "gpt-oss-120b",
        },
        # text-generation goes to chat completions (below), so the chat models serve it.
        "text-generation": {
            "default": "llama-3.3-70b-instruct",
            "large": "gpt-oss-120b",
            "small": "llama-3.1-8b-instruct",
        },
        "feature-extraction": {
            "default": "bge-multilingual-gemma2",
            "large": "qwen3-embedding-8b",
            "small": "bge-multilingual-gemma2",
        },
    },
)
# Chat (plain and streamed) and embeddings (one vector per input text), OpenAI-compatible.
scaleway.openai_compatible("conversational", "feature-extraction")


@scaleway.task
class ScalewayTextGeneration(OpenAIChatTextGenerationHelper):
    """``text-generation`` as a one-message chat: the endpoints Scaleway's Generative APIs
    reference lists (www.scaleway.com/en/developers/api/generative-apis) include
    ``/v1/chat/completions`` but no raw ``/v1/completions``. ``max_new_tokens`` is sent as
    ``max_tokens``; the parameters are those its chat API documents."""

    supported_parameters = frozenset(
        {"details", "max_new_tokens", "seed", "stop", "temperature", "top_p"}
    )


register_providers = scaleway.hook()
