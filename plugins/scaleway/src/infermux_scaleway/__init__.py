"""Scaleway Generative APIs provider for infermux: chat, completions and embeddings."""

from __future__ import annotations

from collections.abc import Callable

from infermux import TaskProviderHelper, hookimpl
from infermux.helpers.openai import (
    OpenAIChatHelper,
    OpenAICompletionHelper,
    OpenAIEmbeddingsHelper,
)

__all__ = ["ScalewayChat", "ScalewayCompletion", "ScalewayEmbeddings", "register_providers"]


class _Scaleway:
    provider = "scaleway"
    base_url = "https://api.scaleway.ai"
    # An IAM API key's secret key, the variable Scaleway's own tools read.
    api_key_env: tuple[str, ...] = ("SCW_SECRET_KEY",)
    key_url: str | None = "https://console.scaleway.com/iam/api-keys"


class ScalewayChat(_Scaleway, OpenAIChatHelper):
    """Chat completions, plain and streamed."""


class ScalewayCompletion(_Scaleway, OpenAICompletionHelper):
    """Raw completions for ``text-generation`` (``max_new_tokens`` is sent as ``max_tokens``)."""


class ScalewayEmbeddings(_Scaleway, OpenAIEmbeddingsHelper):
    """Embeddings for ``feature-extraction``: one vector per input text."""


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    for helper in (ScalewayChat, ScalewayCompletion, ScalewayEmbeddings):
        register(helper())
