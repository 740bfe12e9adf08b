"""nebius end to end, sync and async: real recorded traffic (router) for chat and
text-to-image, synthetic cassettes for guided JSON, embeddings and completions."""

from __future__ import annotations

import json

import pytest

from infermux import AsyncInferenceClient, ImageOutput, InferenceClient
from infermux.errors import InvalidInputError
from infermux.testing.conformance import ProviderConformance
from infermux.types import ChatCompletionOutput, ChatCompletionStreamOutput, TextGenerationOutput
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is deep learning?"},
]
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
NEBIUS_LLAMA = "meta-llama/Meta-Llama-3.1-8B-Instruct-fast"
SDXL = "stabilityai/stable-diffusion-xl-base-1.0"
PROMPT = "An astronaut riding a horse on the moon."
NEBIUS_KEY = "fake-nebius-key-0123456789abcdef"
ROUTER = "https://router.huggingface.co/nebius"
DIRECT = "https://api.tokenfactory.nebius.com"
PERSON_SCHEMA = {
    "properties": {
        "name": {"title": "Name", "type": "string"},
        "age": {"title": "Age", "type": "integer"},
    },
    "required": ["name", "age"],
    "title": "Person",
    "type": "object",
}
JSON_MESSAGES = [
    {"role": "user", "content": "Invent a person. Answer in JSON with a name and an age."}
]


@pytest.fixture(autouse=True)
def _no_nebius_key(monkeypatch):
    monkeypatch.delenv("NEBIUS_API_KEY", raising=False)


def _lookup(model: str) -> str:
    return f"https://huggingface.co/api/models/{model}?expand=inferenceProviderMapping"


def _text(chunks):
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def _direct_client(sent, *, asynchronous=False):
    # Nebius-native ids have slashes: hub_lookup=False uses them as they are.
    cls = AsyncInferenceClient if asynchronous else InferenceClient
    http = sent.async_client() if asynchronous else sent.client()
    return cls(provider="nebius", api_key=NEBIUS_KEY, hub_lookup=False, http_client=http)


# -- chat -----------------------------------------------------------------------------


def test_chat_completion_routed(replay, sent):
    client = InferenceClient(provider="nebius", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with replay("nebius/chat_completion.yaml"):
        out = client.chat_completion(MESSAGES, model=LLAMA)
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content.startswith(
        "Deep learning is a subfield of machine learning that focuses on the development"
    )
    assert out.model == NEBIUS_LLAMA
    assert out.usage.total_tokens == 488
    assert sent.urls == [_lookup(LLAMA), f"{ROUTER}/v1/chat/completions"]
    assert all(r.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}" for r in sent.requests)


def test_chat_completion_stream_routed(replay):
    client = InferenceClient(provider="nebius", api_key=FAKE_HF_TOKEN)
    with replay("nebius/chat_completion_stream.yaml"):
        chunks = list(client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True))
    assert all(isinstance(c, ChatCompletionStreamOutput) for c in chunks)
    assert _text(chunks) == (
        "Deep learning is a subset of machine learning that is inspired by the structure and "
        "function of the human brain"
    )
    assert chunks[-1].choices[0].finish_reason == "length"


def test_json_schema_response_format_is_sent_as_guided_json(replay, sent):
    client = _direct_client(sent)
    response_format = {"type": "json_schema", "json_schema": {"name": "p", "schema": PERSON_SCHEMA}}
    with replay("nebius/chat_completion_guided_json_synthetic.yaml"):
        out = client.chat_completion(
            JSON_MESSAGES, model=NEBIUS_LLAMA, response_format=response_format
        )
    assert json.loads(out.choices[0].message.content) == {"name": "Ada Lovelace", "age": 36}
    body = json.loads(sent.requests[0].content)
    assert body["guided_json"] == PERSON_SCHEMA
    assert "response_format" not in body
    assert sent.urls == [f"{DIRECT}/v1/chat/completions"]
    assert sent.requests[0].headers["authorization"] == f"Bearer {NEBIUS_KEY}"


async def test_async_chat_completion_routed(replay):
    async with AsyncInferenceClient(provider="nebius", api_key=FAKE_HF_TOKEN) as client:
        with replay("nebius/chat_completion.yaml"):
            out = await client.chat_completion(MESSAGES, model=LLAMA)
    assert out.usage.total_tokens == 488


async def test_async_chat_completion_stream_routed(replay):
    async with AsyncInferenceClient(provider="nebius", api_key=FAKE_HF_TOKEN) as client:
        with replay("nebius/chat_completion_stream.yaml"):
            stream = await client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True)
            chunks = [chunk async for chunk in stream]
    assert _text(chunks).endswith("the human brain")


async def test_async_guided_json(replay, sent):
    async with _direct_client(sent, asynchronous=True) as client:
        with replay("nebius/chat_completion_guided_json_synthetic.yaml"):
            out = await client.chat_completion(
                JSON_MESSAGES,
                model=NEBIUS_LLAMA,
                response_format={"type": "json_schema", "json_schema": {"schema": PERSON_SCHEMA}},
            )
    assert json.loads(out.choices[0].message.content)["age"] == 36


# -- text-generation (completions) ------------------------------------------------------


def test_text_generation_direct(replay, sent):
    client = _direct_client(sent)
    with replay("nebius/text_generation_synthetic.yaml"):
        out = client.text_generation(
            "The capital of France is", model=NEBIUS_LLAMA, max_new_tokens=8, seed=7
        )
    assert isinstance(out, TextGenerationOutput)
    assert out.generated_text == " Paris."
    assert sent.urls == [f"{DIRECT}/v1/completions"]
    assert sent.requests[0].headers["authorization"] == f"Bearer {NEBIUS_KEY}"


async def test_async_text_generation_direct(replay, sent):
    async with _direct_client(sent, asynchronous=True) as client:
        with replay("nebius/text_generation_synthetic.yaml"):
            out = await client.text_generation(
                "The capital of France is", model=NEBIUS_LLAMA, max_new_tokens=8, seed=7
            )
    assert out.generated_text == " Paris."


# -- feature-extraction (embeddings) -------------------------------------------------------


def test_feature_extraction_routed(replay, sent):
    client = InferenceClient(provider="nebius", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with replay("nebius/feature_extraction_synthetic.yaml"):
        vectors = client.feature_extraction(
            ["Hello", "Bonjour"], model="BAAI/bge-multilingual-gemma2"
        )
    # One vector per text, in input order (the answer listed them by index, out of order).
    assert vectors == [[0.5, 0.25, -0.125, 1.0], [0.25, -0.5, 0.125, 0.0]]
    assert sent.urls[-1] == f"{ROUTER}/v1/embeddings"


async def test_async_feature_extraction_routed(replay):
    async with AsyncInferenceClient(provider="nebius", api_key=FAKE_HF_TOKEN) as client:
        with replay("nebius/feature_extraction_synthetic.yaml"):
            vectors = await client.feature_extraction(
                ["Hello", "Bonjour"], model="BAAI/bge-multilingual-gemma2"
            )
    assert len(vectors) == 2


def test_feature_extraction_unsupported_parameter_is_refused_before_sending(sent):
    client = _direct_client(sent)
    with pytest.raises(InvalidInputError, match="normalize"):
        client.feature_extraction("Hello", model="BAAI/bge-en-icl", normalize=True)
    assert sent.requests == []


# -- text-to-image --------------------------------------------------------------------------


def test_text_to_image_routed(replay, sent):
    client = InferenceClient(provider="nebius", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with replay("nebius/text_to_image.yaml"):
        image = client.text_to_image(PROMPT, model=SDXL, width=512, height=512)
    assert isinstance(image, ImageOutput)
    assert image.content_type == "image/webp"
    assert image.provider == "nebius"
    assert image.to_pil().size == (512, 512)
    assert sent.urls == [_lookup(SDXL), f"{ROUTER}/v1/images/generations"]
    assert json.loads(sent.requests[-1].content)["response_format"] == "b64_json"


async def test_async_text_to_image_routed(replay):
    async with AsyncInferenceClient(provider="nebius", api_key=FAKE_HF_TOKEN) as client:
        with replay("nebius/text_to_image.yaml"):
            image = await client.text_to_image(PROMPT, model=SDXL, width=512, height=512)
    assert image.content[8:12] == b"WEBP"


def test_text_to_image_guidance_scale_is_refused_before_sending(sent):
    client = _direct_client(sent)
    with pytest.raises(InvalidInputError, match="guidance_scale"):
        client.text_to_image(PROMPT, model="stability-ai/sdxl", guidance_scale=7.5)
    assert sent.requests == []


class TestNebiusConformance(ProviderConformance):
    distribution = "infermux-nebius"
    cassette_dir = CASSETTES / "nebius"
