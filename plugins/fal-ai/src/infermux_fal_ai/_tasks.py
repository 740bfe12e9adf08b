"""One helper per task fal-ai serves: its payload and how its output JSON is read."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from infermux.errors import InvalidInputError
from infermux.helpers.base import Call, LazyType, Payload
from infermux.media import AudioOutput, ImageOutput, MediaOutput, VideoOutput

if TYPE_CHECKING:  # pydantic loads on first use, not at plugin discovery
    from infermux.types import AutomaticSpeechRecognitionOutputChunk, ImageSegmentationOutputElement

from ._base import FalAIHelper, input_url, lora_weights

__all__ = [
    "FalAIAutomaticSpeechRecognition",
    "FalAIImageSegmentation",
    "FalAIImageToImage",
    "FalAIImageToVideo",
    "FalAITextToImage",
    "FalAITextToSpeech",
    "FalAITextToVideo",
]

# The spec's generation parameters; fal's models take them under the same names.
_GENERATION = frozenset({"negative_prompt", "num_inference_steps", "guidance_scale", "seed"})
# fal's LoRA endpoint for Stable Diffusion needs its base model named (its Flux one does not).
_SD_LORA_ENDPOINT = "fal-ai/lora"
_SD_LORA_BASE = "stabilityai/stable-diffusion-xl-base-1.0"


def _with_lora(payload: dict[str, Any], call: Call) -> dict[str, Any]:
    loras = lora_weights(call)
    if loras is not None:
        payload["loras"] = loras
        if call.model.provider_model_id == _SD_LORA_ENDPOINT:
            payload["model_name"] = _SD_LORA_BASE
    return payload


class _ImageResult(FalAIHelper):
    output_type = ImageOutput

    def parse_result(self, body: dict[str, Any], call: Call) -> Any:
        url = self.nested_url(body, "images", 0, "url")
        declared = body["images"][0].get("content_type")
        return self.media(url, ImageOutput, declared)


class _VideoResult(FalAIHelper):
    output_type = VideoOutput
    queue = True  # video generation takes minutes: always through the queue
    creates_job = True  # a queue submit starts a paid job: never resent

    def parse_result(self, body: dict[str, Any], call: Call) -> Any:
        url = self.nested_url(body, "video", "url")
        return self.media(url, VideoOutput, body["video"].get("content_type"))


class FalAITextToImage(_ImageResult):
    """``POST /<model id>`` (sync); ``width`` + ``height`` become ``image_size``; LoRAs."""

    task = "text-to-image"
    supported_parameters = _GENERATION | {"width", "height"}

    def prepare_payload(self, call: Call) -> Payload:
        parameters = dict(call.parameters)
        width, height = parameters.pop("width", None), parameters.pop("height", None)
        payload: dict[str, Any] = {"prompt": call.inputs, **parameters}
        if width is not None or height is not None:
            if width is None or height is None:
                raise InvalidInputError("fal-ai text-to-image needs both width and height.")
            payload["image_size"] = {"width": width, "height": height}
        return _with_lora(payload, call)


class FalAIImageToImage(_ImageResult):
    """Queue: ``{"image_url": <data URL or URL>, "prompt": ...}``; LoRAs."""

    task = "image-to-image"
    queue = True
    creates_job = True  # a queue submit starts a paid job: never resent
    supported_parameters = _GENERATION | {"prompt"}

    def prepare_payload(self, call: Call) -> Payload:
        payload = {"image_url": input_url(call.inputs, "image", "image/png"), **call.parameters}
        return _with_lora(payload, call)


class FalAITextToVideo(_VideoResult):
    """Queue: ``{"prompt": ...}`` -> ``video.url``."""

    task = "text-to-video"
    supported_parameters = _GENERATION | {"num_frames"}

    def prepare_payload(self, call: Call) -> Payload:
        return {"prompt": call.inputs, **call.parameters}


class FalAIImageToVideo(_VideoResult):
    """Queue: ``{"image_url": ..., "prompt": ...}`` -> ``video.url``; LoRAs."""

    task = "image-to-video"
    supported_parameters = _GENERATION | {"num_frames", "prompt"}

    def prepare_payload(self, call: Call) -> Payload:
        payload = {"image_url": input_url(call.inputs, "image", "image/png"), **call.parameters}
        return _with_lora(payload, call)


class FalAIImageSegmentation(FalAIHelper):
    """Queue: one mask (``image.url``), returned as a single ``"mask"`` segment."""

    task = "image-segmentation"
    queue = True
    creates_job = True  # a queue submit starts a paid job: never resent
    output_type = list
    supported_parameters = frozenset()

    def prepare_payload(self, call: Call) -> Payload:
        # sync_mode asks fal to inline the mask as a data URL instead of storing it.
        return {"image_url": input_url(call.inputs, "image", "image/png"), "sync_mode": True}

    def parse_result(self, body: dict[str, Any], call: Call) -> Any:
        url = self.nested_url(body, "image", "url")
        return self.media(url, ImageOutput, body["image"].get("content_type"), _mask_segments)


def _mask_segments(mask: MediaOutput) -> list[ImageSegmentationOutputElement]:
    from infermux.types import ImageSegmentationOutputElement

    # fal gives one mask with neither label nor score.
    encoded = base64.b64encode(mask.content).decode("ascii")
    return [ImageSegmentationOutputElement(label="mask", score=1.0, mask=encoded)]


class FalAIAutomaticSpeechRecognition(FalAIHelper):
    """``POST /<model id>`` (sync) with ``{"audio_url": ...}`` -> ``text`` (and ``chunks``)."""

    task = "automatic-speech-recognition"
    output_type = LazyType("AutomaticSpeechRecognitionOutput")
    supported_parameters = frozenset()

    def prepare_payload(self, call: Call) -> Payload:
        return {"audio_url": input_url(call.inputs, "audio", "audio/wav")}

    def parse_result(self, body: dict[str, Any], call: Call) -> Any:
        from infermux.types import AutomaticSpeechRecognitionOutput

        text = body.get("text")
        if not isinstance(text, str):
            raise self.unexpected(body, missing="text")
        return AutomaticSpeechRecognitionOutput(text=text, chunks=_chunks(body.get("chunks")))


def _chunks(raw: Any) -> list[AutomaticSpeechRecognitionOutputChunk] | None:
    """Whisper chunks whose timestamps are both known (an open-ended last one is dropped)."""
    if not isinstance(raw, list):
        return None
    from infermux.types import AutomaticSpeechRecognitionOutputChunk

    chunks = []
    for chunk in raw:
        stamp = chunk.get("timestamp") if isinstance(chunk, dict) else None
        if (
            isinstance(stamp, list)
            and len(stamp) == 2
            and all(isinstance(t, int | float) for t in stamp)
            and isinstance(chunk.get("text"), str)
        ):
            chunks.append(
                AutomaticSpeechRecognitionOutputChunk(
                    text=chunk["text"], timestamp=[float(t) for t in stamp]
                )
            )
    return chunks or None


class FalAITextToSpeech(FalAIHelper):
    """``POST /<model id>`` (sync) with ``{"text": ...}`` -> ``audio.url``."""

    task = "text-to-speech"
    output_type = AudioOutput
    supported_parameters = frozenset()

    def prepare_payload(self, call: Call) -> Payload:
        return {"text": call.inputs}

    def parse_result(self, body: dict[str, Any], call: Call) -> Any:
        audio = body.get("audio")
        if isinstance(body.get("audio_url"), str):  # some endpoints answer a bare URL
            return self.media(body["audio_url"], AudioOutput)
        url = self.nested_url(body, "audio", "url")
        return self.media(url, AudioOutput, audio.get("content_type") if audio else None)
