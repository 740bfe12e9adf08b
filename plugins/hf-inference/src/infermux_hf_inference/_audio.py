"""Audio: speech recognition, classification, source separation and speech synthesis."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from infermux.helpers.base import Call, LazyType, Response
from infermux.inputs import BinaryKind
from infermux.media import AudioOutput
from infermux_hf_inference._common import BinaryPipeline, Pipeline

__all__ = [
    "HFInferenceAudioClassification",
    "HFInferenceAudioToAudio",
    "HFInferenceAutomaticSpeechRecognition",
    "HFInferenceTextToSpeech",
]


class _AudioInput(BinaryPipeline):
    input_kind: BinaryKind = "audio"


class HFInferenceAutomaticSpeechRecognition(_AudioInput):
    """The audio file as the body, in its own format (FLAC, WAV, MP3 ...); ``{"text"}`` back."""

    task = "automatic-speech-recognition"
    output_type = LazyType("AutomaticSpeechRecognitionOutput")  # pydantic: on first use
    supported_parameters = frozenset({"return_timestamps", "generation_parameters"})

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import AutomaticSpeechRecognitionOutput

        return self.one(AutomaticSpeechRecognitionOutput, response.json(), "text")


class HFInferenceAudioClassification(_AudioInput):
    task = "audio-classification"
    output_type = list
    supported_parameters = frozenset({"function_to_apply", "top_k"})

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import AudioClassificationOutputElement

        return self.elements(AudioClassificationOutputElement, response)


class HFInferenceAudioToAudio(_AudioInput):
    """Source separation / enhancement: ``[{"label", "content-type", "blob": <base64>}]``,
    returned as one labelled :class:`AudioOutput` per source."""

    task = "audio-to-audio"
    output_type = list
    supported_parameters = frozenset()

    def parse_response(self, response: Response, call: Call) -> Any:
        outputs = []
        for item in self.json_list(response):
            blob = item.get("blob") if isinstance(item, dict) else None
            if not isinstance(blob, str):
                self.fail("sources with a base64 'blob'", item)
            declared = item.get("content-type")
            label = item.get("label")
            audio = self.media_from_base64(
                blob,
                AudioOutput,
                declared=declared if isinstance(declared, str) else None,
                strict=True,
            )
            outputs.append(replace(audio, label=label if isinstance(label, str) else None))
        return outputs


class HFInferenceTextToSpeech(Pipeline):
    """The answer is the audio itself (FLAC or WAV bytes)."""

    task = "text-to-speech"
    output_type = AudioOutput
    supported_parameters = frozenset({"generation_parameters"})

    def parse_response(self, response: Response, call: Call) -> Any:
        return self.media(AudioOutput, response)
