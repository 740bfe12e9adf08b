"""Nscale provider for infermux: OpenAI-compatible chat and image generation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infermux import TaskProviderHelper, hookimpl
from infermux.errors import InvalidInputError
from infermux.helpers.base import Call, Payload
from infermux.helpers.openai import OpenAIChatHelper, OpenAIImageHelper

__all__ = ["NscaleChat", "NscaleTextToImage", "register_providers"]


class _Nscale:
    provider = "nscale"
    base_url = "https://inference.api.nscale.com"
    api_key_env: tuple[str, ...] = ("NSCALE_API_KEY",)
    key_url: str | None = "https://console.nscale.com"


class NscaleChat(_Nscale, OpenAIChatHelper):
    """Chat completions, plain and streamed."""


class NscaleTextToImage(_Nscale, OpenAIImageHelper):
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


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    for helper in (NscaleChat, NscaleTextToImage):
        register(helper())
