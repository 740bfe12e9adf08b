"""fireworks-ai end to end, sync and async: real recorded traffic (router) and a synthetic
direct call with structured output."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

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
FIREWORKS_LLAMA = "accounts/fireworks/models/llama-v3p3-70b-instruct"
FIREWORKS_KEY = "fw_fake_fireworks_key_0123456789"
HUB_LOOKUP = f"https://huggingface.co/api/models/{LLAMA}?expand=inferenceProviderMapping"
ROUTED_CHAT = "https://router.huggingface.co/fireworks-ai/inference/v1/chat/completions"
DIRECT_CHAT = "https://api.fireworks.ai/inference/v1/chat/completions"
JSON_MESSAGES = [
    {"role": "user", "content": "Invent a person. Answer in JSON with a name and an age."}
]


class Person(BaseModel):
    name: str
    age: int


@pytest.fixture(autouse=True)
def _no_fireworks_key(monkeypatch):
    monkeypatch.delenv("FIREWORKS_API_KEY", raising=False)


def _text(chunks):
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def test_chat_completion_routed(replay, sent):
    client = InferenceClient(
        provider="fireworks-ai", api_key=FAKE_HF_TOKEN, http_client=sent.client()
    )
    with replay("fireworks-ai/chat_completion.yaml"):
        out = client.chat_completion(MESSAGES, model=LLAMA)
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content.startswith("**Deep Learning Overview**")
    assert out.model == FIREWORKS_LLAMA
    assert out.usage.total_tokens == 632
    # The router keeps Fireworks' /inference segment.
    assert sent.urls == [HUB_LOOKUP, ROUTED_CHAT]
    assert all(r.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}" for r in sent.requests)


def test_chat_completion_stream_routed(replay):
    client = InferenceClient(provider="fireworks-ai", api_key=FAKE_HF_TOKEN)
    with replay("fireworks-ai/chat_completion_stream.yaml"):
        chunks = list(client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True))
    assert all(isinstance(c, ChatCompletionStreamOutput) for c in chunks)
    assert _text(chunks).startswith("**Deep Learning Overview**")
    assert chunks[-1].choices[0].finish_reason == "length"
    assert chunks[-1].usage.completion_tokens == 20


def test_structured_output_direct_in_fireworks_form(replay, sent):
    # A Fireworks-native id (it has slashes): hub_lookup=False skips the Hub mapping lookup.
    client = InferenceClient(
        provider="fireworks-ai", api_key=FIREWORKS_KEY, hub_lookup=False, http_client=sent.client()
    )
    with replay("fireworks-ai/chat_completion_structured_direct_synthetic.yaml"):
        out = client.chat_completion(JSON_MESSAGES, model=FIREWORKS_LLAMA, response_format=Person)
    person = Person.model_validate_json(out.choices[0].message.content)
    assert person == Person(name="Ada Lovelace", age=36)
    assert sent.urls == [DIRECT_CHAT]
    assert sent.requests[0].headers["authorization"] == f"Bearer {FIREWORKS_KEY}"
    assert json.loads(sent.requests[0].content)["response_format"] == {
        "type": "json_object",
        "schema": Person.model_json_schema(),
    }


async def test_async_chat_completion_routed(replay, sent):
    async with AsyncInferenceClient(
        provider="fireworks-ai", api_key=FAKE_HF_TOKEN, http_client=sent.async_client()
    ) as client:
        with replay("fireworks-ai/chat_completion.yaml"):
            out = await client.chat_completion(MESSAGES, model=LLAMA)
    assert out.usage.total_tokens == 632
    assert sent.urls == [HUB_LOOKUP, ROUTED_CHAT]


async def test_async_chat_completion_stream_routed(replay):
    async with AsyncInferenceClient(provider="fireworks-ai", api_key=FAKE_HF_TOKEN) as client:
        with replay("fireworks-ai/chat_completion_stream.yaml"):
            stream = await client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True)
            chunks = [chunk async for chunk in stream]
    assert chunks[-1].choices[0].finish_reason == "length"


async def test_async_structured_output_direct(replay, sent):
    async with AsyncInferenceClient(
        provider="fireworks-ai",
        api_key=FIREWORKS_KEY,
        hub_lookup=False,
        http_client=sent.async_client(),
    ) as client:
        with replay("fireworks-ai/chat_completion_structured_direct_synthetic.yaml"):
            out = await client.chat_completion(
                JSON_MESSAGES, model=FIREWORKS_LLAMA, response_format=Person
            )
    assert json.loads(out.choices[0].message.content)["name"] == "Ada Lovelace"
    assert sent.urls == [DIRECT_CHAT]


def test_unsupported_parameter_is_refused_before_sending(sent):
    client = InferenceClient(
        provider="fireworks-ai", api_key=FIREWORKS_KEY, http_client=sent.client()
    )
    with pytest.raises(InvalidInputError, match="tool_prompt"):
        client.chat_completion(MESSAGES, model=FIREWORKS_LLAMA, tool_prompt="x")
    assert sent.requests == []


class TestFireworksAIConformance(ProviderConformance):
    distribution = "infermux-fireworks-ai"
    cassette_dir = CASSETTES / "fireworks-ai"
