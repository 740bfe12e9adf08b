"""Nscale provider for infermux: OpenAI-compatible chat and image generation."""

from __future__ import annotations

from typing import Any

from infermux import Provider
from infermux.errors import InvalidInputError
from infermux.helpers.base import Call, Payload
from infermux.helpers.openai import OpenAIChatHelper, OpenAIImageHelper

__all__ = ["NscaleChat", "NscaleTextToImage", "nscale", "register_providers"]

nscale = Provider(
    "nscale",
    base_url="https://inference.api.nscale.com",
    key_env="NSCALE_API_KEY",
    key_page="https://console.nscale.com",
    aliases={
        # Nscale's ids are Hub ids (docs.nscale.com; Qwen/Qwen3-8B as in the cassettes).
        "conversational": {
            "default": "openai/gpt-oss-120b",
            "large": "openai/gpt-oss-120b",
            "small": "Qwen/Qwen3-8B",
            "agent": "openai/gpt-oss-120b",
        },
    },
)


@nscale.task
class NscaleChat(OpenAIChatHelper):
    """Chat completions, plain and streamed."""


@nscale.task
class NscaleTextToImage(OpenAIImageHelper):
    """Images returned inline (``response_format: "b64_json"``).

    Nscale's images API takes the OpenAI ``size`` (``"1024x1024"``) and none of the
    diffusion knobs (steps, guidance, seed), so only ``width`` and ``height`` are honoured,
    and only together.
    """

    supported_parameters = frozenset({"width", "height"})

    def prepare_payload(self, call: Call) -> Payload:
        parameters = dict(call.parameters)
        width, height = parameters.pop("width", None), parameters.pop("height", None)
        payload: dict[str, Any] = {
            "prompt": call.inputs,
            "model": call.model.provider_model_id,
            "response_format": "b64_json",
        }
        if (width is None) != (height is None):
            raise InvalidInputError("nscale needs width and height together (sent as size=WxH)")
        if width is not None:
            payload["size"] = f"{width}x{height}"
        return payload


register_providers = nscale.hook()
