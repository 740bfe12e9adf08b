"""Audio: text-to-speech (``POST /v1/audio/speech``) and speech recognition
(``POST /v1/audio/transcriptions``, multipart)."""

from __future__ import annotations

from typing import Any

from infermux.errors import InvalidInputError, ResponseFormatError
from infermux.helpers.base import (
    Call,
    LazyType,
    MultipartPayload,
    Payload,
    Response,
    TaskProviderHelper,
)
from infermux.media import AudioOutput, sniff_content_type
from infermux_together._common import Together, binary_input

__all__ = ["DEFAULT_VOICES", "TogetherSpeechRecognition", "TogetherTextToSpeech"]

#: Together requires a voice, and voices differ by model. These defaults (from Together's
#: text-to-speech docs) make a bare call work; ``extra_body={"voice": ...}`` always wins.
DEFAULT_VOICES = {
    "cartesia/sonic": "helpful woman",
    "cartesia/sonic-2": "helpful woman",
    "hexgrad/Kokoro-82M": "af_alloy",
    "canopylabs/orpheus-3b-0.1-ft": "tara",
}

#: File extensions Together's transcription endpoint recognises, by content type.
_AUDIO_EXTENSIONS = {
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/mp4": "m4a",
    "audio/x-m4a": "m4a",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "audio/ogg": "ogg",
    "audio/webm": "webm",
    "video/webm": "webm",
    "video/mp4": "mp4",
}

_NOT_AUDIO = ("application/json", "text/")


class TogetherTextToSpeech(Together, TaskProviderHelper):
    """Speech as MP3 (``response_format: "mp3"``; ``extra_body`` may ask for ``"wav"``)."""

    task = "text-to-speech"
    output_type = AudioOutput
    supported_parameters: frozenset[str] = frozenset()

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
            raise ResponseFormatError(
                f"together text-to-speech returned {response.content_type or 'no content'} "
                f"instead of audio: {response.text[:200]!r}",
                provider=self.provider,
                task=self.task,
            )
        content_type = sniff_content_type(content, response.content_type)
        return AudioOutput(content, content_type, provider=self.provider)


class TogetherSpeechRecognition(Together, TaskProviderHelper):
    """Transcription with Whisper; ``return_timestamps=True`` asks for segments.

    ``generation_parameters`` honours ``temperature`` only. ``extra_body`` cannot be used:
    the body is multipart, not JSON.
    """

    task = "automatic-speech-recognition"
    output_type = LazyType("AutomaticSpeechRecognitionOutput")
    supported_parameters = frozenset({"return_timestamps", "generation_parameters"})

    def prepare_route(self, call: Call) -> str:
        return "/v1/audio/transcriptions"

    def prepare_payload(self, call: Call) -> Payload:
        audio = binary_input(call.inputs, self.task)
        fields = {"model": call.model.provider_model_id}
        if call.parameters.get("return_timestamps"):
            fields["response_format"] = "verbose_json"
            fields["timestamp_granularities"] = "segment"
        generation = dict(call.parameters.get("generation_parameters") or {})
        temperature = generation.pop("temperature", None)
        if generation:
            raise InvalidInputError(
                "together automatic-speech-recognition honours only 'temperature' in "
                f"generation_parameters, not {', '.join(map(repr, sorted(generation)))}"
            )
        if temperature is not None:
            fields["temperature"] = str(temperature)
        extension = _AUDIO_EXTENSIONS.get(audio.content_type, "wav")
        filename = audio.filename or f"audio.{extension}"
        return MultipartPayload(
            fields=fields,
            files={"file": (filename, audio.require_content(), audio.content_type)},
        )

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import AutomaticSpeechRecognitionOutput  # pydantic: on first use

        body = self.json_object(response)
        text, segments = body.get("text"), body.get("segments")
        if not isinstance(text, str):
            raise ResponseFormatError(
                f"together transcription without text: {str(body)[:200]}",
                provider=self.provider,
                task=self.task,
            )
        chunks = None
        if isinstance(segments, list):
            try:
                chunks = [
                    {"text": s["text"], "timestamp": [float(s["start"]), float(s["end"])]}
                    for s in segments
                ]
            except (KeyError, TypeError, ValueError):
                raise ResponseFormatError(
                    "together transcription segments of an unexpected shape: "
                    f"{str(segments)[:200]}",
                    provider=self.provider,
                    task=self.task,
                ) from None
        return AutomaticSpeechRecognitionOutput.model_validate({"text": text, "chunks": chunks})
