"""Scaleway Generative APIs provider for infermux: chat, completions and embeddings."""

from __future__ import annotations

from infermux import Provider

__all__ = ["register_providers", "scaleway"]

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
        "feature-extraction": {
            "default": "bge-multilingual-gemma2",
            "large": "qwen3-embedding-8b",
            "small": "bge-multilingual-gemma2",
        },
    },
)
# Chat (plain and streamed), raw completions for ``text-generation`` (``max_new_tokens`` is
# sent as ``max_tokens``) and embeddings (one vector per input text), all OpenAI-compatible.
scaleway.openai_compatible("conversational", "text-generation", "feature-extraction")

register_providers = scaleway.hook()
