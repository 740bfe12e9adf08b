"""One helper per task Replicate serves: the model input it builds and how it reads output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from infermux.helpers.base import Call, LazyType
from infermux.media import AudioOutput, ImageOutput, VideoOutput

if TYPE_CHECKING:  # pydantic loads on first use, not at plugin discovery
    from infermux.types import AutomaticSpeechRecognitionOutputChunk

from ._base import ReplicateHelper, input_url, replicate

__all__ = [
    "ReplicateAutomaticSpeechRecognition",
    "ReplicateImageToImage",
    "ReplicateTextToImage",
    "ReplicateTextToSpeech",
    "ReplicateTextToVideo",
]

_GENERATION = frozenset({"negative_prompt", "num_inference_steps", "guidance_scale", "seed"})
HUB_URL = "https://huggingface.co"


@replicate.task
class ReplicateTextToImage(ReplicateHelper):
    """``input.prompt``; a LoRA the Hub maps to Replicate goes in ``input.lora_weights``."""

    task = "text-to-image"
    output_type = ImageOutput
    supported_parameters = _GENERATION | {"width", "height", "scheduler"}

    def prepare_input(self, call: Call) -> dict[str, Any]:
        model_input = super().prepare_input(call)
        if call.model.adapter == "lora" and call.model.hub_model_id:
            model_input["lora_weights"] = f"{HUB_URL}/{call.model.hub_model_id}"
        return model_input

    def parse_output(self, output: Any, call: Call) -> Any:
        return self.media(self.output_url(output), ImageOutput)


@replicate.task
class ReplicateImageToImage(ReplicateHelper):
    """The image goes in under every name models use for it (as huggingface_hub does)."""

    task = "image-to-image"
    output_type = ImageOutput
    supported_parameters = _GENERATION | {"prompt"}

    def prepare_input(self, call: Call) -> dict[str, Any]:
        image = input_url(call.inputs, "image", "image/png")
        return {
            "image": image,
            "images": [image],
            "input_image": image,
            "input_images": [image],
            **call.parameters,
        }

    def parse_output(self, output: Any, call: Call) -> Any:
        return self.media(self.output_url(output), ImageOutput)


@replicate.task
class ReplicateTextToVideo(ReplicateHelper):
    task = "text-to-video"
    output_type = VideoOutput
    supported_parameters = _GENERATION | {"num_frames"}

    def parse_output(self, output: Any, call: Call) -> Any:
        return self.media(self.output_url(output), VideoOutput)


@replicate.task
class ReplicateTextToSpeech(ReplicateHelper):
    """``input.text``; the output is an audio file URL."""

    task = "text-to-speech"
    output_type = AudioOutput
    input_name = "text"
    supported_parameters = frozenset()

    def parse_output(self, output: Any, call: Call) -> Any:
        return self.media(self.output_url(output), AudioOutput)


@replicate.task
class ReplicateAutomaticSpeechRecognition(ReplicateHelper):
    """``input.audio`` (data URL or URL); whisper-style outputs read as text (and chunks)."""

    task = "automatic-speech-recognition"
    output_type = LazyType("AutomaticSpeechRecognitionOutput")
    supported_parameters = frozenset()

    def prepare_input(self, call: Call) -> dict[str, Any]:
        return {"audio": input_url(call.inputs, "audio", "audio/wav")}

    def parse_output(self, output: Any, call: Call) -> Any:
        from infermux.types import AutomaticSpeechRecognitionOutput

        if isinstance(output, list) and output:
            output = output[0]
        if isinstance(output, str):
            return AutomaticSpeechRecognitionOutput(text=output)
        if isinstance(output, dict):
            for key in ("transcription", "text", "translation"):
                text = output.get(key)
                if isinstance(text, str):
                    return AutomaticSpeechRecognitionOutput(
                        text=text, chunks=_chunks(output.get("segments") or output.get("chunks"))
                    )
        raise self.unexpected(output, missing="a transcription")


def _chunks(raw: Any) -> list[AutomaticSpeechRecognitionOutputChunk] | None:
    """Whisper ``segments`` (``start``, ``end``, ``text``) as the spec's chunks."""
    if not isinstance(raw, list):
        return None
    from infermux.types import AutomaticSpeechRecognitionOutputChunk

    chunks = []
    for segment in raw:
        if not isinstance(segment, dict) or not isinstance(segment.get("text"), str):
            continue
        start, end = segment.get("start"), segment.get("end")
        if isinstance(start, int | float) and isinstance(end, int | float):
            chunks.append(
                AutomaticSpeechRecognitionOutputChunk(
                    text=segment["text"], timestamp=[float(start), float(end)]
                )
            )
    return chunks or None
