"""Issue 17's smaller gaps: embed_chunks batching, images in content parts, response_info
on stream chunks and collected streams. Against a mock transport and the recordings."""

from __future__ import annotations

import base64
import io
import json

import httpx2
import pytest

from infermux import InferenceClient
from infermux.errors import InvalidInputError
from infermux.provenance import ResponseInfo
from tests.conftest import FAKE_HF_TOKEN

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
CHAT_REPLY = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "a dot"}, "finish_reason": "stop"}
    ],
}


class Embeddings:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        texts = json.loads(request.content)["input"]
        self.batches.append(texts)
        offset = sum(len(b) for b in self.batches[:-1])
        data = [{"index": i, "embedding": [float(offset + i)]} for i in range(len(texts))]
        return httpx2.Response(
            200, json={"data": data}, headers={"x-request-id": f"r{len(self.batches)}"}
        )

    def client(self) -> InferenceClient:
        http = httpx2.Client(transport=httpx2.MockTransport(self.handler))
        return InferenceClient(provider="together", api_key="tg-key", http_client=http)


TEXT = " ".join(f"w{i}" for i in range(3000))  # 300 word chunks of 10


def test_embed_chunks_batches_by_the_helpers_limit_in_order():
    server = Embeddings()
    chunks = server.client().embed_chunks(
        TEXT, model="m", strategy="word", max_chunk_size=10, overlap=0
    )
    assert [len(b) for b in server.batches] == [128, 128, 44]  # OpenAI-compatible: 128
    assert [c.embedding for c in chunks] == [[float(i)] for i in range(300)]
    assert chunks[0].text == " ".join(f"w{i}" for i in range(10))
    assert (chunks.batches, chunks.batch_size) == (3, 128)
    assert [info.request_id for info in chunks.response_infos] == ["r1", "r2", "r3"]
    assert chunks.response_info.request_id == "r3"


def test_embed_chunks_batch_size_overrides_the_limit():
    server = Embeddings()
    chunks = server.client().embed_chunks(
        TEXT, model="m", strategy="word", max_chunk_size=10, overlap=0, batch_size=100
    )
    assert [len(b) for b in server.batches] == [100, 100, 100]
    assert chunks.batches == 3


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_embed_chunks_refuses_a_bad_batch_size(bad):
    server = Embeddings()
    with pytest.raises(InvalidInputError, match="batch_size must be an integer >= 1"):
        server.client().embed_chunks(TEXT, model="m", batch_size=bad)
    assert server.batches == []


def test_the_core_default_applies_where_a_helper_declares_no_limit():
    client = InferenceClient(provider="hf-inference")
    assert client.engine.max_batch_size("feature-extraction", None) == 32
    assert client.engine.max_batch_size("feature-extraction", "org/m:together") == 128


@pytest.mark.parametrize(
    "image",
    [PNG, "path", io.BytesIO(PNG)],
    ids=["bytes", "path", "file"],
)
def test_images_in_chat_content_parts_become_data_urls(image, tmp_path):
    if image == "path":
        image = tmp_path / "dot.png"
        image.write_bytes(PNG)
    sent = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(json.loads(request.content))
        return httpx2.Response(200, json=CHAT_REPLY)

    client = InferenceClient(
        provider="together",
        api_key="tg-key",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    parts = [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": image}},
    ]
    client.chat_completion([{"role": "user", "content": parts}], model="m")
    url = sent[0]["messages"][0]["content"][1]["image_url"]["url"]
    assert url == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert parts[1]["image_url"]["url"] is image  # the caller's message is not changed


def test_a_pil_image_in_a_content_part_becomes_a_data_url():
    from PIL import Image

    from infermux.client._content import inline_images

    (part,) = inline_images(
        [{"type": "image_url", "image_url": {"url": Image.new("RGB", (2, 2))}}], "content"
    )
    assert part["image_url"]["url"].startswith("data:image/png;base64,")


def test_an_unreadable_image_is_refused_naming_the_part():
    with pytest.raises(InvalidInputError, match=r"messages\[0\]\['content'\]\[0\]"):
        InferenceClient(provider="together", api_key="k").chat_completion(
            [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": 42}}]}],
            model="m",
        )


def test_stream_chunks_and_collected_streams_carry_response_info(replay):
    client = InferenceClient(provider="together", api_key=FAKE_HF_TOKEN)
    with replay("together/chat_completion_stream.yaml"):
        stream = client.chat_completion(
            [
                {"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "What is deep learning?"},
            ],
            model="meta-llama/Meta-Llama-3-8B-Instruct",
            max_tokens=20,
            stream=True,
        )
        first = next(iter(stream))
        collected = stream.collect()
    assert isinstance(first.response_info, ResponseInfo)
    assert first.response_info is stream.response_info
    assert first.response_info.provider == "together"
    assert collected.response_info is stream.response_info


@pytest.mark.parametrize(
    ("provider", "alias", "expected"),
    [
        ("openai", "small", "gpt-4o-mini"),
        ("cerebras", "small", "llama3.1-8b"),
        ("cerebras", None, "llama-3.3-70b"),
        ("cohere", "agent", "command-a-03-2025"),
    ],
)
def test_chat_aliases_name_the_providers_own_models(provider, alias, expected):
    sent = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(json.loads(request.content))
        return httpx2.Response(200, json=CHAT_REPLY)

    client = InferenceClient(
        provider=provider,
        api_key="provider-key-0123456789",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    client.chat_completion([{"role": "user", "content": "Hi"}], model=alias)
    assert sent[0]["model"] == expected


def test_an_alias_a_provider_does_not_define_is_refused():
    # Embeddings have no "agent" alias: refused before sending, not sent as a model id.
    with (
        InferenceClient(provider="openai", api_key="sk-key") as client,
        pytest.raises(InvalidInputError, match="has no 'agent' alias"),
    ):
        client.feature_extraction("Hi", model="agent")
