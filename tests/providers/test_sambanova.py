"""sambanova end to end, sync and async: real recorded traffic (router) for chat and a
synthetic direct embeddings call."""

from __future__ import annotations

import pytest

from infermux import AsyncInferenceClient, InferenceClient
from infermux.errors import InvalidInputError
from infermux.helpers.base import Call, ModelMapping
from infermux.testing.conformance import ProviderConformance
from infermux.types import ChatCompletionOutput, ChatCompletionStreamOutput
from infermux_sambanova import SambanovaChat
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is deep learning?"},
]
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
SAMBANOVA_KEY = "fake-sambanova-key-0123456789abc"
HUB_LOOKUP = f"https://huggingface.co/api/models/{LLAMA}?expand=inferenceProviderMapping"
ROUTED_CHAT = "https://router.huggingface.co/sambanova/v1/chat/completions"
E5 = "E5-Mistral-7B-Instruct"


@pytest.fixture(autouse=True)
def _no_sambanova_key(monkeypatch):
    monkeypatch.delenv("SAMBANOVA_API_KEY", raising=False)


def _text(chunks):
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def test_chat_completion_routed(replay, sent):
    client = InferenceClient(provider="sambanova", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with replay("sambanova/chat_completion.yaml"):
        out = client.chat_completion(MESSAGES, model=LLAMA)
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content.startswith(
        "Deep learning is a subset of machine learning that involves the use of artificial"
    )
    assert out.model == "Meta-Llama-3.1-8B-Instruct"
    assert out.usage.total_tokens == 455
    assert sent.urls == [HUB_LOOKUP, ROUTED_CHAT]
    assert all(r.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}" for r in sent.requests)


def test_chat_completion_stream_routed(replay):
    client = InferenceClient(provider="sambanova", api_key=FAKE_HF_TOKEN)
    with replay("sambanova/chat_completion_stream.yaml"):
        chunks = list(client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True))
    assert all(isinstance(c, ChatCompletionStreamOutput) for c in chunks)
    assert _text(chunks) == (
        "Deep learning is a subset of machine learning that involves the use of artificial "
        "neural networks with multiple layers to"
    )
    assert chunks[-1].choices[0].finish_reason == "length"


async def test_async_chat_completion_routed(replay):
    async with AsyncInferenceClient(provider="sambanova", api_key=FAKE_HF_TOKEN) as client:
        with replay("sambanova/chat_completion.yaml"):
            out = await client.chat_completion(MESSAGES, model=LLAMA)
    assert out.usage.total_tokens == 455


async def test_async_chat_completion_stream_routed(replay):
    async with AsyncInferenceClient(provider="sambanova", api_key=FAKE_HF_TOKEN) as client:
        with replay("sambanova/chat_completion_stream.yaml"):
            stream = await client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True)
            chunks = [chunk async for chunk in stream]
    assert _text(chunks).endswith("with multiple layers to")


def test_feature_extraction_direct(replay, sent):
    client = InferenceClient(provider="sambanova", api_key=SAMBANOVA_KEY, http_client=sent.client())
    with replay("sambanova/feature_extraction_synthetic.yaml") as tape:
        vectors = client.feature_extraction("Hello, world", model=E5)
    assert vectors == [[0.0123, -0.0456, 0.0789]]
    assert tape.play_count == 1
    assert sent.urls == ["https://api.sambanova.ai/v1/embeddings"]
    assert sent.requests[0].headers["authorization"] == f"Bearer {SAMBANOVA_KEY}"


async def test_async_feature_extraction_direct(replay, sent):
    async with AsyncInferenceClient(
        provider="sambanova", api_key=SAMBANOVA_KEY, http_client=sent.async_client()
    ) as client:
        with replay("sambanova/feature_extraction_synthetic.yaml"):
            vectors = await client.feature_extraction("Hello, world", model=E5)
    assert vectors == [[0.0123, -0.0456, 0.0789]]
    assert sent.requests[0].headers["authorization"] == f"Bearer {SAMBANOVA_KEY}"


def test_feature_extraction_unsupported_parameter_is_refused_before_sending(sent):
    client = InferenceClient(provider="sambanova", api_key=SAMBANOVA_KEY, http_client=sent.client())
    with pytest.raises(InvalidInputError, match="dimensions"):
        client.feature_extraction("Hello", model=E5, dimensions=256)
    assert sent.requests == []


@pytest.mark.parametrize("strict", [True, None])
def test_json_schema_is_sent_non_strict(strict):
    details = {"name": "person", "schema": {"type": "object"}}
    if strict is not None:
        details["strict"] = strict
    response_format = {"type": "json_schema", "json_schema": details}
    call = Call(
        task="conversational",
        inputs=MESSAGES,
        model=ModelMapping("Meta-Llama-3.3-70B-Instruct"),
        routing="direct",
        base_url="https://api.sambanova.ai",
        parameters={"response_format": response_format},
    )
    payload = SambanovaChat().prepare_payload(call)
    assert payload["response_format"]["json_schema"] == {**details, "strict": False}
    assert details.get("strict") is strict  # the caller's dict is not mutated


class TestSambanovaConformance(ProviderConformance):
    distribution = "infermux-sambanova"
    cassette_dir = CASSETTES / "sambanova"
