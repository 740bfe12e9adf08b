"""deepinfra's native inference API end to end, sync and async: speech recognition and TTS.

Chat, completions and embeddings are covered with the other OpenAI-compatible partners
(test_openai_compatible_partners.py). deepinfra goes direct with its key, or through the
Hugging Face router with an HF token. No recording exists: the
cassettes are synthetic, written from DeepInfra's model API pages (see
cassettes/deepinfra/PROVENANCE.md).
"""

from __future__ import annotations

import io
import wave
from typing import Any, ClassVar

import pytest

from infermux import AsyncInferenceClient, AudioOutput, InferenceClient
from infermux.errors import InvalidInputError, MissingAPIKeyError, NotFoundError
from infermux.testing import cassette
from infermux.testing.conformance import ProviderConformance
from infermux.testing.samples import Sample, json_response
from infermux.types import AutomaticSpeechRecognitionOutput
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

KEY = "fake-deepinfra-key-0123"
WHISPER = "openai/whisper-large-v3-turbo"
KOKORO = "hexgrad/Kokoro-82M"
LLAMA = "meta-llama/Meta-Llama-3.1-8B-Instruct"
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


# --- routing: direct with a DeepInfra key, or the Hugging Face router with an HF token -------


def _capture(seen: list[Any]) -> Any:
    import httpx2

    chat = {
        "id": "c",
        "object": "chat.completion",
        "model": "m",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}
        ],
    }

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=chat)

    return handler


@pytest.mark.parametrize("routing", ["auto", "router"])
def test_a_hugging_face_token_routes_through_the_router(routing):
    """Issue 14 item 12: huggingface_hub sends deepinfra through the Hugging Face router
    with an HF token; infermux used to refuse it as direct only."""
    import httpx2

    seen: list[Any] = []
    http = httpx2.Client(transport=httpx2.MockTransport(_capture(seen)))
    with InferenceClient(
        provider="deepinfra", api_key=FAKE_HF_TOKEN, routing=routing, http_client=http
    ) as client:
        out = client.chat_completion([{"role": "user", "content": "Hi"}], model=LLAMA)
    http.close()
    assert out.choices[0].message.content == "Hi"
    (request,) = seen
    assert str(request.url) == "https://router.huggingface.co/deepinfra/v1/openai/chat/completions"
    assert request.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}"
    assert out.response_info.routing == "router"


async def test_async_a_hugging_face_token_routes_through_the_router():
    import httpx2

    seen: list[Any] = []

    async def handler(request: httpx2.Request) -> httpx2.Response:
        return _capture(seen)(request)

    http = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    async with AsyncInferenceClient(
        provider="deepinfra", api_key=FAKE_HF_TOKEN, http_client=http
    ) as client:
        await client.chat_completion([{"role": "user", "content": "Hi"}], model=LLAMA)
    await http.aclose()
    (request,) = seen
    assert request.url.host == "router.huggingface.co"
    assert request.url.path == "/deepinfra/v1/openai/chat/completions"


def test_a_deepinfra_key_goes_direct_and_the_hf_token_never_reaches_deepinfra(monkeypatch):
    import httpx2

    monkeypatch.setenv("HF_TOKEN", FAKE_HF_TOKEN)
    seen: list[Any] = []
    http = httpx2.Client(transport=httpx2.MockTransport(_capture(seen)))
    with InferenceClient(provider="deepinfra", api_key=KEY, http_client=http) as client:
        client.chat_completion([{"role": "user", "content": "Hi"}], model=LLAMA)
    http.close()
    (request,) = seen
    assert str(request.url) == "https://api.deepinfra.com/v1/openai/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_without_any_key_the_error_names_both_ways(sent, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_TOKEN_PATH", "/nonexistent/token")
    client = InferenceClient(provider="deepinfra", http_client=sent.client())
    with pytest.raises(MissingAPIKeyError, match="DEEPINFRA_API_KEY") as caught:
        client.text_to_speech("Hello world", model=KOKORO)
    assert "Hugging Face router" in str(caught.value)
    assert sent.requests == []


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
