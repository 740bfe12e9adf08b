"""Chat, completions and embeddings: thin layers over the OpenAI-compatible bases."""

from __future__ import annotations

from infermux.helpers.openai import (
    CHAT_PARAMETERS,
    RESPONSES_PARAMETERS,
    OpenAIChatHelper,
    OpenAICompletionHelper,
    OpenAIEmbeddingsHelper,
    OpenAIResponsesHelper,
)
from infermux_together._common import together

__all__ = ["TogetherChat", "TogetherCompletion", "TogetherEmbeddings", "TogetherResponses"]


@together.task
class TogetherChat(OpenAIChatHelper):
    """Chat completions, plain and streamed, with tools and ``response_format``."""

    # Together also samples with top_k and repetition_penalty on chat.
    supported_parameters = CHAT_PARAMETERS | {"top_k", "repetition_penalty"}


@together.task
class TogetherCompletion(OpenAICompletionHelper):
    """Raw completions (``POST /v1/completions``) for the ``text-generation`` task."""


@together.task
class TogetherEmbeddings(OpenAIEmbeddingsHelper):
    """Embeddings (``POST /v1/embeddings``) for ``feature-extraction``."""


@together.task
class TogetherResponses(OpenAIResponsesHelper):
    """The Responses API (``POST /v1/responses``, beta; docs.together.ai/docs/inference/
    responses). Together stores no responses: ``previous_response_id``, ``store`` and
    ``background`` are refused; send the whole conversation as ``input``. Routed calls go
    to the router's ``/v1/responses`` as ``"<hub id>:together"``."""

    supported_parameters = RESPONSES_PARAMETERS - {"previous_response_id", "store", "background"}
