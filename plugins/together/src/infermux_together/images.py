"""Images: ``POST /v1/images/generations`` for text-to-image and image-to-image."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infermux.errors import InvalidInputError
from infermux.helpers.base import Call, Payload
from infermux.helpers.openai import OpenAIImageHelper
from infermux_together._common import binary_input, together

__all__ = ["TogetherImageToImage", "TogetherTextToImage", "target_size"]


@together.task
class TogetherTextToImage(OpenAIImageHelper):
    """Images, returned inline as base64 (Together's ``response_format: "base64"``)."""

    base64_format = "base64"
    parameter_renames = {"num_inference_steps": "steps"}


@together.task
class TogetherImageToImage(OpenAIImageHelper):
    """Edit an image guided by a prompt, on the same route as text-to-image.

    Together takes the input image in one of two fields, depending on the model: FLUX.1
    Kontext models read ``image_url``, the others (FLUX.2, Gemini image models ...)
    ``reference_images``. Either holds a URL or a data URL, so URL inputs are passed on
    as they are and never downloaded.
    """

    task = "image-to-image"
    base64_format = "base64"
    accepts_input_urls = True
    supported_parameters = frozenset(
        {
            "prompt",
            "negative_prompt",
            "num_inference_steps",
            "guidance_scale",
            "target_size",
            "seed",
        }
    )
    parameter_renames = {"num_inference_steps": "steps"}

    def prepare_payload(self, call: Call) -> Payload:
        parameters = dict(call.parameters)
        prompt = parameters.pop("prompt", None)
        if prompt is None:
            raise InvalidInputError(
                "together image-to-image needs a prompt saying how to change the image: "
                "image_to_image(image, prompt='...')"
            )
        size = parameters.pop("target_size", None)
        image = binary_input(call.inputs, self.task).url_or_data_url()
        model = call.model.provider_model_id
        lowered = model.lower()
        uses_image_url = "kontext" in lowered and "flux.1" in lowered
        payload: dict[str, Any] = {
            "prompt": prompt,
            **({"image_url": image} if uses_image_url else {"reference_images": [image]}),
            **self.rename(parameters),
            **(target_size(size) if size is not None else {}),
            "response_format": self.base64_format,
            "model": model,
        }
        return payload


def target_size(size: Any) -> dict[str, int]:
    """The spec's ``target_size: {"width", "height"}`` as Together's ``width`` and ``height``."""
    if not isinstance(size, Mapping) or not all(
        isinstance(size.get(side), int) and not isinstance(size.get(side), bool)
        for side in ("width", "height")
    ):
        raise InvalidInputError(
            f"target_size must be {{'width': int, 'height': int}}, got {size!r}"
        )
    return {"width": int(size["width"]), "height": int(size["height"])}
