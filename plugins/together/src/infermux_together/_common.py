"""What every Together helper shares: the provider (identity, auth, aliases), error bodies of
the non-OpenAI routes, binary inputs."""

from __future__ import annotations

from typing import Any

from infermux import Provider
from infermux.errors import InvalidInputError
from infermux.helpers.base import TaskProviderHelper
from infermux.helpers.openai import openai_error_message
from infermux.inputs import BinaryInput
from infermux.media import sniff_content_type

__all__ = ["TogetherErrors", "binary_input", "together"]

#: Routed calls go to ``https://router.huggingface.co/together`` with the same routes as
#: direct ones, so no helper branches on ``call.routing``.
together = Provider(
    "together",
    base_url="https://api.together.xyz",
    key_env="TOGETHER_API_KEY",
    key_page="https://api.together.ai/settings/api-keys",
    aliases={
        # Together's ids (Hub ids, some with a "-Turbo" serving suffix).
        "conversational": {
            "default": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "large": "deepseek-ai/DeepSeek-V3",
            "small": "meta-llama/Llama-3.2-3B-Instruct-Turbo",
            "agent": "Qwen/Qwen2.5-72B-Instruct-Turbo",
        },
        # /v1/completions takes any Together chat model (docs.together.ai/docs/inference/
        # openai-compatibility): the chat table's, less the tool-use one.
        "text-generation": {
            "default": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "large": "deepseek-ai/DeepSeek-V3",
            "small": "meta-llama/Llama-3.2-3B-Instruct-Turbo",
        },
        # Together's Responses API supports reasoning models only, so not the chat table;
        # these two are the ones its Responses pages call (docs.together.ai/docs/inference/
        # responses and responses-api). It documents no small one: no "small" or "agent".
        "responses": {
            "default": "MiniMaxAI/MiniMax-M2.7",
            "large": "zai-org/GLM-5.3",
        },
        "feature-extraction": {
            "default": "BAAI/bge-base-en-v1.5",
            "large": "BAAI/bge-large-en-v1.5",
            "small": "BAAI/bge-small-en-v1.5",
        },
    },
)


class TogetherErrors(TaskProviderHelper):
    """Together's error bodies on the routes the OpenAI-compatible bases do not cover
    (speech, videos); those bases already read this shape."""

    def error_message(self, body: Any) -> str | None:
        # {"error": {"message": ...}} on /v1, and on /v2/videos too.
        return openai_error_message(body)


def binary_input(inputs: Any, task: str) -> BinaryInput:
    """The call's binary input; raw bytes (as the conformance samples pass them) are wrapped."""
    if isinstance(inputs, BinaryInput):
        return inputs
    if isinstance(inputs, bytes | bytearray) and inputs:
        content = bytes(inputs)
        return BinaryInput(content, sniff_content_type(content))
    raise InvalidInputError(
        f"together {task} takes an image or audio input (bytes, a path, a URL or a file), "
        f"got {type(inputs).__name__}"
    )
