"""cerebras end to end, sync and async: real recorded traffic (router) and a synthetic direct call."""

from __future__ import annotations

import pytest

from infermux import AsyncInferenceClient, InferenceClient
from infermux.errors import InvalidInputError
from infermux.testing.conformance import ProviderConformance
from infermux.types import ChatCompletionOutput, ChatCompletionStreamOutput
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is deep learning?"},
]
LLAMA = "meta-llama/Llama-3.3-70B-Instruct"
CEREBRAS_KEY = "csk-fake-cerebras-key-0123456789"
HUB_LOOKUP = f"https://huggingface.co/api/models/{LLAMA}?expand=inferenceProviderMapping"
ROUTED_CHAT = "https://router.huggingface.co/cerebras/v1/chat/completions"


@pytest.fixture(autouse=True)
def _no_cerebras_key(monkeypatch):
    monkeypatch.delenv("CEREBRAS_API_KEY", raising=False)


def _text(chunks):
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def test_chat_completion_routed(replay, sent):
    client = InferenceClient(provider="cerebras", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with replay("cerebras/chat_completion.yaml") as tape:
        out = client.chat_completion(MESSAGES, model=LLAMA)
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content.startswith("**Deep Learning: An Overview**")
    assert out.choices[0].finish_reason == "stop"
    assert out.model == "llama-3.3-70b"
    assert out.usage.total_tokens == 683
    assert tape.play_count == 2
    assert sent.urls == [HUB_LOOKUP, ROUTED_CHAT]
    assert all(r.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}" for r in sent.requests)


def test_chat_completion_stream_ends_without_done(replay):
    # Cerebras closes the stream after its last chunk: there is no `data: [DONE]` line.
    assert "[DONE]" not in (CASSETTES / "cerebras/chat_completion_stream.yaml").read_text()
    client = InferenceClient(provider="cerebras", api_key=FAKE_HF_TOKEN)
    with replay("cerebras/chat_completion_stream.yaml") as tape:
        stream = client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True)
        chunks = list(stream)
    assert tape.all_played
    assert all(isinstance(c, ChatCompletionStreamOutput) for c in chunks)
    assert len(chunks) == 22
    assert _text(chunks) == (
        "Deep learning is a subset of machine learning, which is a field of artificial "
        "intelligence (AI) that"
    )
    last = chunks[-1]
    assert last.choices[0].finish_reason == "length"
    assert last.usage.completion_tokens == 20
    assert list(stream) == []  # exhausted and closed, not hanging


def test_chat_completion_direct_sends_the_cerebras_key(replay, sent):
    client = InferenceClient(provider="cerebras", api_key=CEREBRAS_KEY, http_client=sent.client())
    with replay("cerebras/chat_completion_direct_synthetic.yaml"):
        out = client.chat_completion(
            [{"role": "user", "content": "Say hello in one short sentence."}],
            model="llama-3.3-70b",
            max_tokens=32,
        )
    assert out.choices[0].message.content == "Hello there, nice to meet you!"
    assert sent.urls == ["https://api.cerebras.ai/v1/chat/completions"]
    assert sent.requests[0].headers["authorization"] == f"Bearer {CEREBRAS_KEY}"


async def test_async_chat_completion(replay, sent):
    async with AsyncInferenceClient(
        provider="cerebras", api_key=FAKE_HF_TOKEN, http_client=sent.async_client()
    ) as client:
        with replay("cerebras/chat_completion.yaml"):
            out = await client.chat_completion(MESSAGES, model=LLAMA)
    assert out.usage.total_tokens == 683
    assert sent.urls == [HUB_LOOKUP, ROUTED_CHAT]


async def test_async_chat_completion_stream_ends_without_done(replay):
    async with AsyncInferenceClient(provider="cerebras", api_key=FAKE_HF_TOKEN) as client:
        with replay("cerebras/chat_completion_stream.yaml"):
            stream = await client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True)
            chunks = [chunk async for chunk in stream]
    assert len(chunks) == 22
    assert chunks[-1].choices[0].finish_reason == "length"
    assert _text(chunks).startswith("Deep learning is a subset of machine learning")


async def test_async_chat_completion_direct(replay, sent):
    async with AsyncInferenceClient(
        provider="cerebras", api_key=CEREBRAS_KEY, http_client=sent.async_client()
    ) as client:
        with replay("cerebras/chat_completion_direct_synthetic.yaml"):
            out = await client.chat_completion(
                [{"role": "user", "content": "Say hello in one short sentence."}],
                model="llama-3.3-70b",
                max_tokens=32,
            )
    assert out.usage.total_tokens == 23
    assert sent.requests[0].headers["authorization"] == f"Bearer {CEREBRAS_KEY}"


@pytest.mark.parametrize("parameter", ["frequency_penalty", "presence_penalty"])
def test_parameters_cerebras_rejects_are_refused_before_sending(parameter, sent):
    client = InferenceClient(provider="cerebras", api_key=CEREBRAS_KEY, http_client=sent.client())
    with pytest.raises(InvalidInputError, match=parameter):
        client.chat_completion(MESSAGES, model="llama-3.3-70b", **{parameter: 0.5})
    assert sent.requests == []


class TestCerebrasConformance(ProviderConformance):
    distribution = "infermux-cerebras"
    cassette_dir = CASSETTES / "cerebras"
