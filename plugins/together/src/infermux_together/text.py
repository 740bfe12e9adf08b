"""Chat, completions and embeddings: thin layers over the OpenAI-compatible bases."""

from __future__ import annotations

from typing import Any

from infermux.errors import ResponseFormatError
from infermux.helpers.base import Call, Response
from infermux.helpers.openai import (
    OpenAIChatHelper,
    OpenAICompletionHelper,
    OpenAIEmbeddingsHelper,
)
from infermux_together._common import Together

__all__ = ["TogetherChat", "TogetherCompletion", "TogetherEmbeddings"]


class TogetherChat(Together, OpenAIChatHelper):
    """Chat completions, plain and streamed, with tools and ``response_format``."""

    def parse_response(self, response: Response, call: Call) -> Any:
        output = super().parse_response(response, call)
        if not output.choices:  # e.g. "{}": valid against the all-optional schema
            raise ResponseFormatError(
                f"together chat completion without choices: {response.text[:200]!r}",
                provider=self.provider,
                task=self.task,
            )
        return output


class TogetherCompletion(Together, OpenAICompletionHelper):
    """Raw completions (``POST /v1/completions``) for the ``text-generation`` task."""


class TogetherEmbeddings(Together, OpenAIEmbeddingsHelper):
    """Embeddings (``POST /v1/embeddings``) for ``feature-extraction``."""
