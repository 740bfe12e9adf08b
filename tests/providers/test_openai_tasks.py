"""openai beyond chat (issue 17): embeddings, images, speech and transcription on
api.openai.com, in OpenAI's documented wire format, against a mock transport; and the
plugin's helpers through the conformance suite."""

from __future__ import annotations

import base64
import json

import httpx2
import pytest

from infermux import InferenceClient
from infermux.errors import InvalidInputError
from infermux.media import AudioOutput, ImageOutput
from infermux.testing.conformance import ProviderConformance

KEY = "sk-" + "x" * 24
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 8
WAV = b"RIFF$\x00\x00\x00WAVEfmt " + b"\x00" * 24


class OpenAIServer:
    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/v1/embeddings":
            texts = json.loads(request.content)["input"]
            data = [
                {"object": "embedding", "index": i, "embedding": [0.1 * i]}
                for i in range(len(texts))
            ]
            return httpx2.Response(200, json={"object": "list", "data": data})
        if path == "/v1/images/generations":
            b64 = base64.b64encode(PNG).decode()
            return httpx2.Response(200, json={"created": 1, "data": [{"b64_json": b64}]})
        if path == "/v1/audio/speech":
            return httpx2.Response(200, content=MP3, headers={"content-type": "audio/mpeg"})
        if path == "/v1/audio/transcriptions":
            return httpx2.Response(200, json={"text": "Hello world."})
        return httpx2.Response(404, json={"error": {"message": "no route"}})

    def client(self) -> InferenceClient:
        http = httpx2.Client(transport=httpx2.MockTransport(self.handler))
        return InferenceClient(provider="openai", api_key=KEY, http_client=http)

    def body(self) -> dict:
        return json.loads(self.requests[-1].content)


@pytest.fixture
def server() -> OpenAIServer:
    return OpenAIServer()


def test_embeddings(server):
    vectors = server.client().feature_extraction(
        ["a", "b"], model="text-embedding-3-small", dimensions=8
    )
    assert vectors == [[0.0], [0.1]]
    assert str(server.requests[0].url) == "https://api.openai.com/v1/embeddings"
    assert server.body() == {
        "input": ["a", "b"],
        "model": "text-embedding-3-small",
        "encoding_format": "float",
        "dimensions": 8,
    }
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_embedding_aliases_and_batch_limit(server):
    client = server.client()
    client.feature_extraction("a", model="large")
    assert server.body()["model"] == "text-embedding-3-large"
    assert client.engine.max_batch_size("feature-extraction", None) == 2048


def test_images_gpt_image_gets_size_and_no_response_format(server):
    image = server.client().text_to_image("A cat", model="gpt-image-1", width=1024, height=1536)
    assert isinstance(image, ImageOutput)
    assert image.content == PNG
    assert server.body() == {"prompt": "A cat", "model": "gpt-image-1", "size": "1024x1536"}


def test_images_dall_e_is_asked_for_base64(server):
    server.client().text_to_image("A cat", model="dall-e-3")
    assert server.body()["response_format"] == "b64_json"


def test_images_width_without_height_is_refused(server):
    with pytest.raises(InvalidInputError, match="width and height together"):
        server.client().text_to_image("A cat", model="gpt-image-1", width=512)
    assert server.requests == []


def test_speech(server):
    audio = server.client().text_to_speech(
        "Hello", model="gpt-4o-mini-tts", extra_body={"voice": "coral"}
    )
    assert isinstance(audio, AudioOutput)
    assert audio.content == MP3
    assert server.body() == {"model": "gpt-4o-mini-tts", "input": "Hello", "voice": "coral"}


def test_transcription(server):
    out = server.client().automatic_speech_recognition(WAV, model="whisper-1")
    assert out.text == "Hello world."
    assert str(server.requests[0].url) == "https://api.openai.com/v1/audio/transcriptions"
    assert b'name="model"\r\n\r\nwhisper-1' in server.requests[0].content


class TestOpenAIConformance(ProviderConformance):
    distribution = "infermux-openai"
