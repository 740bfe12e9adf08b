"""deepinfra's native inference API end to end, sync and async: speech recognition and TTS.

Chat, completions and embeddings are covered with the other OpenAI-compatible partners
(test_openai_compatible_partners.py). deepinfra is direct only. No recording exists: the
cassettes are synthetic, written from DeepInfra's model API pages (see
cassettes/deepinfra/PROVENANCE.md).
"""

from __future__ import annotations

import io
import wave
from typing import ClassVar

import pytest

from infermux import AsyncInferenceClient, AudioOutput, InferenceClient
from infermux.errors import ConfigurationError, InvalidInputError, MissingAPIKeyError, NotFoundError
from infermux.testing import cassette
from infermux.testing.conformance import ProviderConformance
from infermux.testing.samples import Sample, json_response
from infermux.types import AutomaticSpeechRecognitionOutput
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

KEY = "fake-deepinfra-key-0123"
WHISPER = "openai/whisper-large-v3-turbo"
KOKORO = "hexgrad/Kokoro-82M"
#: Multipart boundaries are random, so the ASR cassette is matched without its body; the
#: test checks the multipart body it sent itself.
NO_BODY = ("method", "scheme", "host", "port", "path", "query")


@pytest.fixture(autouse=True)
def _no_provider_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEEPINFRA_API_KEY", raising=False)
    monkeypatch.delenv("DEEPINFRA_TOKEN", raising=False)


def wav_bytes() -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 80)
    return buf.getvalue()


def asr_cassette():
    return cassette(
        CASSETTES / "deepinfra/automatic_speech_recognition_synthetic.yaml", match_on=NO_BODY
    )


# --- automatic-speech-recognition -----------------------------------------------------------------


def test_automatic_speech_recognition(sent):
    client = InferenceClient(provider="deepinfra", api_key=KEY, http_client=sent.client())
    audio = wav_bytes()
    with asr_cassette():
        out = client.automatic_speech_recognition(audio, model=WHISPER)
    assert isinstance(out, AutomaticSpeechRecognitionOutput)
    assert out.text == " Hello world."
    assert out.chunks is None  # segments become chunks only when timestamps are asked for
    (request,) = sent.requests
    assert str(request.url) == f"https://api.deepinfra.com/v1/inference/{WHISPER}"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = request.read()
    assert b'Content-Disposition: form-data; name="audio"; filename="audio.wav"' in body
    assert b"Content-Type: audio/wav" in body
    assert audio in body


def test_automatic_speech_recognition_with_timestamps():
    client = InferenceClient(provider="deepinfra", api_key=KEY)
    with asr_cassette():
        out = client.automatic_speech_recognition(
            wav_bytes(), model=WHISPER, return_timestamps=True
        )
    assert [(c.text, c.timestamp) for c in out.chunks] == [
        (" Hello", [0.0, 0.5]),
        (" world.", [0.5, 1.0]),
    ]


async def test_async_automatic_speech_recognition():
    async with AsyncInferenceClient(provider="deepinfra", api_key=KEY) as client:
        with asr_cassette():
            out = await client.automatic_speech_recognition(wav_bytes(), model=WHISPER)
    assert out.text == " Hello world."


def test_automatic_speech_recognition_refuses_generation_parameters(sent):
    client = InferenceClient(provider="deepinfra", api_key=KEY, http_client=sent.client())
    with pytest.raises(InvalidInputError, match="generation_parameters"):
        client.automatic_speech_recognition(
            wav_bytes(), model=WHISPER, generation_parameters={"temperature": 0.0}
        )
    with pytest.raises(InvalidInputError):
        client.automatic_speech_recognition(b"not audio", model=WHISPER)
    assert sent.requests == []


# --- text-to-speech -------------------------------------------------------------------------------


def test_text_to_speech(replay, sent, tmp_path):
    client = InferenceClient(provider="deepinfra", api_key=KEY, http_client=sent.client())
    with replay("deepinfra/text_to_speech_synthetic.yaml"):
        audio = client.text_to_speech("Hello world", model=KOKORO)
    assert isinstance(audio, AudioOutput)
    assert audio.content_type == "audio/wav"
    assert audio.content == wav_bytes()
    assert audio.save(tmp_path / "hello.wav").endswith("hello.wav")
    assert sent.urls == [f"https://api.deepinfra.com/v1/inference/{KOKORO}"]
    assert sent.requests[0].headers["authorization"] == f"Bearer {KEY}"


async def test_async_text_to_speech(replay):
    async with AsyncInferenceClient(provider="deepinfra", api_key=KEY) as client:
        with replay("deepinfra/text_to_speech_synthetic.yaml"):
            audio = await client.text_to_speech("Hello world", model=KOKORO)
    assert audio.content[:4] == b"RIFF"


def test_native_error_body_is_a_typed_error(replay):
    client = InferenceClient(provider="deepinfra", api_key=KEY)
    with (
        replay("deepinfra/text_to_speech_not_found_synthetic.yaml"),
        pytest.raises(NotFoundError) as info,
    ):
        client.text_to_speech("Hello world", model="acme/no-such-tts")
    assert info.value.provider_message == "Model is not available"
    assert info.value.status_code == 404


# --- direct only ----------------------------------------------------------------------------------


def test_a_hugging_face_token_alone_is_not_enough(sent):
    client = InferenceClient(provider="deepinfra", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with pytest.raises(MissingAPIKeyError, match="DEEPINFRA_API_KEY"):
        client.text_to_speech("Hello world", model=KOKORO)
    assert sent.requests == []


def test_router_routing_is_refused():
    client = InferenceClient(provider="deepinfra", api_key=FAKE_HF_TOKEN, routing="router")
    with pytest.raises(ConfigurationError, match="not served by the Hugging Face router"):
        client.text_to_speech("Hello world", model=KOKORO)


class TestDeepInfraConformance(ProviderConformance):
    distribution = "infermux-deepinfra"
    cassette_dir = CASSETTES / "deepinfra"
    sample_responses: ClassVar[dict[str, list[Sample]]] = {
        "deepinfra/text-to-speech": [
            Sample(
                "deepinfra_audio_data_url",
                json_response(
                    {"audio": "data:audio/wav;base64,UklGRiQAAABXQVZF", "output_format": "wav"}
                ),
            ),
            Sample("deepinfra_audio_url", json_response({"audio": "https://cdn.example/a.wav"})),
        ],
        "deepinfra/automatic-speech-recognition": [
            Sample(
                "deepinfra_segments",
                json_response(
                    {"text": "hi", "segments": [{"id": 0, "text": "hi", "start": 0.0, "end": 0.4}]}
                ),
            )
        ],
    }
