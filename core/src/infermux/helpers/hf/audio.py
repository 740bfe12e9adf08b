"""Audio: speech recognition, classification, source separation, speech synthesis and
audio generation (music, sound)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from infermux.helpers.base import Call, LazyType, Response
from infermux.helpers.hf.common import HFBinaryTaskHelper, HFTaskHelper
from infermux.inputs import BinaryKind
from infermux.media import AudioOutput, sniff_content_type

__all__ = [
    "HFAudioClassificationHelper",
    "HFAudioToAudioHelper",
    "HFAutomaticSpeechRecognitionHelper",
    "HFTextToAudioHelper",
    "HFTextToSpeechHelper",
]


class _AudioInput(HFBinaryTaskHelper):
    input_kind: BinaryKind = "audio"


class HFAutomaticSpeechRecognitionHelper(_AudioInput):
    """The audio file as the body, in its own format (FLAC, WAV, MP3 ...); ``{"text"}`` back."""

    task = "automatic-speech-recognition"
    output_type = LazyType("AutomaticSpeechRecognitionOutput")  # pydantic: on first use
    supported_parameters = frozenset({"return_timestamps", "generation_parameters"})

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import AutomaticSpeechRecognitionOutput

        return self.one(AutomaticSpeechRecognitionOutput, response.json(), "text")


class HFAudioClassificationHelper(_AudioInput):
    task = "audio-classification"
    output_type = list
    supported_parameters = frozenset({"function_to_apply", "top_k"})

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import AudioClassificationOutputElement

        return self.elements(AudioClassificationOutputElement, response)


class HFAudioToAudioHelper(_AudioInput):
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
            try:
                content = base64.b64decode(blob, validate=True)
            except (binascii.Error, ValueError):
                self.fail("valid base64 audio in 'blob'", blob[:50])
            declared = item.get("content-type")
            declared = declared if isinstance(declared, str) else None
            content_type = sniff_content_type(content, declared)
            label = item.get("label")
            outputs.append(
                AudioOutput(
                    content,
                    content_type,
                    provider=self.provider,
                    label=label if isinstance(label, str) else None,
                )
            )
        return outputs


class HFTextToSpeechHelper(HFTaskHelper):
    """The answer is the audio itself (FLAC or WAV bytes)."""

    task = "text-to-speech"
    output_type = AudioOutput
    supported_parameters = frozenset({"generation_parameters"})

    def parse_response(self, response: Response, call: Call) -> Any:
        return self.media(AudioOutput, response)


class HFTextToAudioHelper(HFTaskHelper):
    """Music or sound from a prompt (MusicGen, Stable Audio ...); as for text-to-speech, the
    answer is the audio itself (FLAC or WAV bytes)."""

    task = "text-to-audio"
    output_type = AudioOutput
    supported_parameters = frozenset({"generation_parameters"})

    def parse_response(self, response: Response, call: Call) -> Any:
        return self.media(AudioOutput, response)
