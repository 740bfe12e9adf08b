"""Hyperbolic provider for infermux: chat, completions and text-to-image.

Chat and completions are OpenAI-compatible. Images are Hyperbolic's own API: the body
names the model ``model_name`` and needs ``width`` and ``height`` (512 x 512 unless set),
the answer holds base64 images in ``images[].image``. Direct calls use Hyperbolic's
documented ``POST /v1/image/generation``; the Hugging Face router serves the same API at
``/hyperbolic/v1/images/generations``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from infermux import ImageOutput, TaskProviderHelper, hookimpl
from infermux.errors import ResponseFormatError
from infermux.helpers.base import Call, Payload, Response
from infermux.helpers.openai import (
    OpenAIChatHelper,
    OpenAICompletionHelper,
    openai_error_message,
)
from infermux.media import sniff_content_type

__all__ = [
    "HyperbolicChat",
    "HyperbolicCompletion",
    "HyperbolicTextToImage",
    "register_providers",
]

#: Hyperbolic requires a size; these are the defaults huggingface_hub sends too.
DEFAULT_SIZE = 512


class _Hyperbolic:
    provider: str = "hyperbolic"
    base_url: str = "https://api.hyperbolic.xyz"
    api_key_env: tuple[str, ...] = ("HYPERBOLIC_API_KEY",)
    key_url: str | None = "https://app.hyperbolic.xyz/settings"


class HyperbolicChat(_Hyperbolic, OpenAIChatHelper):
    """Chat completions, plain and streamed."""


class HyperbolicCompletion(_Hyperbolic, OpenAICompletionHelper):
    """Raw completions for ``text-generation``: ``POST /v1/completions``."""


class HyperbolicTextToImage(_Hyperbolic, TaskProviderHelper):
    """Images from Hyperbolic's image API, returned inline as base64."""

    task = "text-to-image"
    supported_parameters = frozenset(
        {"height", "width", "seed", "negative_prompt", "num_inference_steps", "guidance_scale"}
    )
    parameter_renames = {"num_inference_steps": "steps", "guidance_scale": "cfg_scale"}
    output_type = ImageOutput

    def prepare_route(self, call: Call) -> str:
        return "/v1/images/generations" if call.routing == "router" else "/v1/image/generation"

    def prepare_payload(self, call: Call) -> Payload:
        renames = self.parameter_renames
        parameters = {renames.get(k, k): v for k, v in call.parameters.items()}
        return {
            "prompt": call.inputs,
            "model_name": call.model.provider_model_id,
            "width": DEFAULT_SIZE,
            "height": DEFAULT_SIZE,
            **parameters,
        }

    def parse_response(self, response: Response, call: Call) -> Any:
        body = self.json_object(response)
        try:
            encoded = body["images"][0]["image"]
            content = base64.b64decode(encoded, validate=False)
        except (KeyError, IndexError, TypeError, binascii.Error, ValueError):
            raise ResponseFormatError(
                f"hyperbolic image response without base64 images[0].image: {str(body)[:200]}",
                provider=self.provider,
                task=self.task,
            ) from None
        if not content:
            raise ResponseFormatError(
                "hyperbolic returned an empty image", provider=self.provider, task=self.task
            )
        return ImageOutput(content, sniff_content_type(content), provider=self.provider)

    def error_message(self, body: Any) -> str | None:
        return openai_error_message(body)


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    for helper in (HyperbolicChat, HyperbolicCompletion, HyperbolicTextToImage):
        register(helper())
