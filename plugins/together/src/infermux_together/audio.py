"""Audio: text-to-speech (``POST /v1/audio/speech``) and speech recognition
(``POST /v1/audio/transcriptions``, multipart)."""

from __future__ import annotations

from typing import Any

from infermux.helpers.base import (
    Call,
    Payload,
    Response,
)
from infermux.helpers.openai import OpenAITranscriptionHelper
from infermux.media import AudioOutput, sniff_content_type
from infermux_together._common import TogetherErrors, together

__all__ = ["DEFAULT_VOICES", "TogetherSpeechRecognition", "TogetherTextToSpeech"]

#: Together requires a voice, and voices differ by model. These defaults (from Together's
#: text-to-speech docs) make a bare call work; ``extra_body={"voice": ...}`` always wins.
DEFAULT_VOICES = {
    "cartesia/sonic": "helpful woman",
    "cartesia/sonic-2": "helpful woman",
    "hexgrad/Kokoro-82M": "af_alloy",
    "canopylabs/orpheus-3b-0.1-ft": "tara",
}

_NOT_AUDIO = ("application/json", "text/")


@together.task
class TogetherTextToSpeech(TogetherErrors):
    """Speech as MP3 (``response_format: "mp3"``; ``extra_body`` may ask for ``"wav"``)."""

    task = "text-to-speech"
    output_type = AudioOutput
    supported_parameters: frozenset[str] = frozenset()
    paid_per_call = True  # each call generates (and bills) a clip: never resent

    def prepare_route(self, call: Call) -> str:
        return "/v1/audio/speech"

    def prepare_payload(self, call: Call) -> Payload:
        model = call.model.provider_model_id
        payload: dict[str, Any] = {"model": model, "input": call.inputs, "response_format": "mp3"}
        voice = DEFAULT_VOICES.get(model)
        if voice is not None:
            payload["voice"] = voice
        # No default for other models: Together's own 400 names what it needs.
        return payload

    def parse_response(self, response: Response, call: Call) -> Any:
        content = response.content
        if not content or response.content_type.startswith(_NOT_AUDIO):
            raise self.unexpected(
                response.content,
                problem=f"{response.content_type or 'no content'} instead of audio",
            )
        content_type = sniff_content_type(content, response.content_type)
        return AudioOutput(content, content_type, provider=self.provider)


@together.task
class TogetherSpeechRecognition(OpenAITranscriptionHelper):
    """Transcription with Whisper on the OpenAI wire format; ``return_timestamps=True`` asks
    for segments, ``generation_parameters`` honours ``temperature`` only, and ``extra_body``
    values become form fields."""

    # Together names the timestamp field without OpenAI's "[]".
    timestamp_field = "timestamp_granularities"
