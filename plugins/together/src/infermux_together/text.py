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
from infermux_together._common import Together

__all__ = ["TogetherChat", "TogetherCompletion", "TogetherEmbeddings", "TogetherResponses"]


class TogetherChat(Together, OpenAIChatHelper):
    """Chat completions, plain and streamed, with tools and ``response_format``."""

    # Together also samples with top_k and repetition_penalty on chat.
    supported_parameters = CHAT_PARAMETERS | {"top_k", "repetition_penalty"}
    model_aliases = {
        "default": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "large": "deepseek-ai/DeepSeek-V3",
        "small": "meta-llama/Llama-3.2-3B-Instruct-Turbo",
        "agent": "Qwen/Qwen2.5-72B-Instruct-Turbo",
    }


class TogetherCompletion(Together, OpenAICompletionHelper):
    """Raw completions (``POST /v1/completions``) for the ``text-generation`` task."""


class TogetherEmbeddings(Together, OpenAIEmbeddingsHelper):
    """Embeddings (``POST /v1/embeddings``) for ``feature-extraction``."""

    model_aliases = {
        "default": "BAAI/bge-base-en-v1.5",
        "large": "BAAI/bge-large-en-v1.5",
        "small": "BAAI/bge-small-en-v1.5",
    }


class TogetherResponses(Together, OpenAIResponsesHelper):
    """The Responses API (``POST /v1/responses``, beta; docs.together.ai/docs/inference/
    responses). Together stores no responses: ``previous_response_id``, ``store`` and
    ``background`` are refused; send the whole conversation as ``input``. Routed calls go
    to the router's ``/v1/responses`` as ``"<hub id>:together"``."""

    supported_parameters = RESPONSES_PARAMETERS - {"previous_response_id", "store", "background"}
