"""Chat, completions and embeddings: thin layers over the OpenAI-compatible bases."""

from __future__ import annotations

from infermux.helpers.openai import (
    OpenAIChatHelper,
    OpenAICompletionHelper,
    OpenAIEmbeddingsHelper,
)
from infermux_together._common import Together

__all__ = ["TogetherChat", "TogetherCompletion", "TogetherEmbeddings"]


class TogetherChat(Together, OpenAIChatHelper):
    """Chat completions, plain and streamed, with tools and ``response_format``."""


class TogetherCompletion(Together, OpenAICompletionHelper):
    """Raw completions (``POST /v1/completions``) for the ``text-generation`` task."""


class TogetherEmbeddings(Together, OpenAIEmbeddingsHelper):
    """Embeddings (``POST /v1/embeddings``) for ``feature-extraction``."""
