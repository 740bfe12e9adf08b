"""Featherless AI provider for infermux: OpenAI-compatible chat and completions."""

from __future__ import annotations

from infermux import Provider

__all__ = ["featherless", "register_providers"]

featherless = Provider(
    "featherless-ai",
    base_url="https://api.featherless.ai",
    key_env="FEATHERLESS_API_KEY",
    key_page="https://featherless.ai/account/api-keys",
)
# Chat (plain and streamed) and raw completions for ``text-generation``
# (``max_new_tokens`` is sent as ``max_tokens``), as the OpenAI-compatible helpers do them.
featherless.openai_compatible("conversational", "text-generation")

register_providers = featherless.hook()
