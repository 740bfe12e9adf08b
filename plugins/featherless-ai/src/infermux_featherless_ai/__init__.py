"""Featherless AI provider for infermux: OpenAI-compatible chat and completions."""

from __future__ import annotations

from infermux import Provider

__all__ = ["featherless", "register_providers"]

featherless = Provider(
    "featherless-ai",
    base_url="https://api.featherless.ai",
    key_env="FEATHERLESS_API_KEY",
    key_page="https://featherless.ai/account/api-keys",
    # Featherless serves Hub models under their Hub ids.
    aliases={
        "conversational": {
            "default": "meta-llama/Meta-Llama-3.1-8B-Instruct",
            "large": "Qwen/Qwen2.5-72B-Instruct",
            "small": "meta-llama/Llama-3.2-3B-Instruct",
            "agent": "Qwen/Qwen2.5-72B-Instruct",
        },
        # /v1/completions takes the same catalogue model ids as chat
        # (featherless.ai/docs/completions): the chat table, less the tool-use one.
        "text-generation": {
            "default": "meta-llama/Meta-Llama-3.1-8B-Instruct",
            "large": "Qwen/Qwen2.5-72B-Instruct",
            "small": "meta-llama/Llama-3.2-3B-Instruct",
        },
    },
)
# Chat (plain and streamed) and raw completions for ``text-generation``
# (``max_new_tokens`` is sent as ``max_tokens``), as the OpenAI-compatible helpers do them.
featherless.openai_compatible("conversational", "text-generation")

register_providers = featherless.hook()
