"""Chat, completions and embeddings: thin layers over the OpenAI-compatible bases."""

from __future__ import annotations

from infermux.helpers.openai import (
    CHAT_PARAMETERS,
    OpenAIChatHelper,
    OpenAICompletionHelper,
    OpenAIEmbeddingsHelper,
)
from infermux_together._common import Together

__all__ = ["TogetherChat", "TogetherCompletion", "TogetherEmbeddings"]


class TogetherChat(Together, OpenAIChatHelper):
    """Chat completions, plain and streamed, with tools and ``response_format``."""

    # Together also samples with top_k and repetition_penalty on chat.
    supported_parameters = CHAT_PARAMETERS | {"top_k", "repetition_penalty"}


class TogetherCompletion(Together, OpenAICompletionHelper):
    """Raw completions (``POST /v1/completions``) for the ``text-generation`` task."""


class TogetherEmbeddings(Together, OpenAIEmbeddingsHelper):
    """Embeddings (``POST /v1/embeddings``) for ``feature-extraction``."""
