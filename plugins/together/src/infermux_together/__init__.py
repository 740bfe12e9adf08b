"""Together AI provider for infermux: thin layers over the OpenAI-compatible bases."""

from __future__ import annotations

from collections.abc import Callable

from infermux import TaskProviderHelper, hookimpl
from infermux.helpers.openai import (
    OpenAIChatHelper,
    OpenAICompletionHelper,
    OpenAIEmbeddingsHelper,
    OpenAIImageHelper,
)

__all__ = [
    "TogetherChat",
    "TogetherCompletion",
    "TogetherEmbeddings",
    "TogetherTextToImage",
    "register_providers",
]


class _Together:
    provider = "together"
    base_url = "https://api.together.xyz"
    api_key_env = ("TOGETHER_API_KEY",)
    key_url = "https://api.together.ai/settings/api-keys"


class TogetherChat(_Together, OpenAIChatHelper):
    """Chat completions, plain and streamed, with tools and ``response_format``."""


class TogetherCompletion(_Together, OpenAICompletionHelper):
    """Raw completions for the ``text-generation`` task."""


class TogetherEmbeddings(_Together, OpenAIEmbeddingsHelper):
    """Embeddings for ``feature-extraction``."""


class TogetherTextToImage(_Together, OpenAIImageHelper):
    """Images, returned inline as base64 (Together's ``response_format: "base64"``)."""

    base64_format = "base64"
    parameter_renames = {"num_inference_steps": "steps", "guidance_scale": "guidance"}


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    for helper in (TogetherChat, TogetherCompletion, TogetherEmbeddings, TogetherTextToImage):
        register(helper())
