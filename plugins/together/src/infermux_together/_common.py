"""What every Together helper shares: identity, auth, error bodies, binary inputs."""

from __future__ import annotations

from typing import Any

from infermux.errors import InvalidInputError
from infermux.helpers.openai import openai_error_message
from infermux.inputs import BinaryInput
from infermux.media import sniff_content_type

__all__ = ["Together", "binary_input"]


class Together:
    """Mixin: Together's identity. Routed calls go to ``https://router.huggingface.co/together``
    with the same routes as direct ones, so no helper branches on ``call.routing``."""

    provider: str = "together"
    base_url: str = "https://api.together.xyz"
    api_key_env: tuple[str, ...] = ("TOGETHER_API_KEY",)
    key_url: str | None = "https://api.together.ai/settings/api-keys"

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
