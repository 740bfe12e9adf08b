"""cohere end to end, sync and async: real recorded traffic (direct, to Cohere's compatibility
API) and synthetic cassettes for routed structured output and an error body."""

from __future__ import annotations

import json

import pytest

from infermux import AsyncInferenceClient, InferenceClient
from infermux.errors import AuthenticationError, InvalidInputError
from infermux.helpers.openai import json_schema_as_json_object as to_json_object_format
from infermux.testing.conformance import ProviderConformance
from infermux.types import ChatCompletionOutput, ChatCompletionStreamOutput
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is deep learning?"},
]
COMMAND_R7B = "command-r7b-12-2024"
COHERE_KEY = "fake-cohere-key-0123456789abcdef"
DIRECT_CHAT = "https://api.cohere.com/compatibility/v1/chat/completions"
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
def _no_cohere_key(monkeypatch):
    for name in ("CO_API_KEY", "COHERE_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def _text(chunks):
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def test_chat_completion_direct(replay, sent):
    client = InferenceClient(provider="cohere", api_key=COHERE_KEY, http_client=sent.client())
    with replay("cohere/chat_completion.yaml") as tape:
        out = client.chat_completion(MESSAGES, model=COMMAND_R7B)
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content.startswith(
        "Deep learning is a subfield of machine learning and artificial intelligence"
    )
    assert out.id == "3b5751bb-10a2-4fc8-95a0-d1e6cfa788b3"
    assert out.usage.total_tokens == 487
    assert tape.play_count == 1  # a Cohere-native id: no Hub lookup
    assert sent.urls == [DIRECT_CHAT]
    assert sent.requests[0].headers["authorization"] == f"Bearer {COHERE_KEY}"


def test_chat_completion_stream_direct(replay):
    client = InferenceClient(provider="cohere", api_key=COHERE_KEY)
    with replay("cohere/chat_completion_stream.yaml"):
        chunks = list(
            client.chat_completion(MESSAGES, model=COMMAND_R7B, max_tokens=20, stream=True)
        )
    assert all(isinstance(c, ChatCompletionStreamOutput) for c in chunks)
    assert _text(chunks) == (
        "Deep learning is a subfield of machine learning and artificial intelligence that "
        "focuses on training artificial neural networks"
    )
    assert chunks[-1].choices[0].finish_reason == "length"
    assert chunks[-1].usage.total_tokens == 30


def test_structured_output_routed_in_cohere_form(replay, sent):
    client = InferenceClient(provider="cohere", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "person", "schema": PERSON_SCHEMA},
    }
    with replay("cohere/chat_completion_structured_synthetic.yaml"):
        out = client.chat_completion(
            JSON_MESSAGES,
            model="CohereLabs/c4ai-command-r7b-12-2024",
            response_format=response_format,
        )
    assert json.loads(out.choices[0].message.content) == {"name": "Ada Lovelace", "age": 36}
    assert sent.urls[-1] == "https://router.huggingface.co/cohere/compatibility/v1/chat/completions"
    assert json.loads(sent.requests[-1].content)["response_format"] == {
        "type": "json_object",
        "schema": PERSON_SCHEMA,
    }
    assert sent.requests[-1].headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}"
    # The caller's dict is left as it was.
    assert response_format["type"] == "json_schema"


def test_unauthorized_is_a_typed_error(replay):
    client = InferenceClient(provider="cohere", api_key=COHERE_KEY, max_retries=0)
    with (
        replay("cohere/chat_completion_unauthorized_synthetic.yaml"),
        pytest.raises(AuthenticationError) as info,
    ):
        client.chat_completion(
            [{"role": "user", "content": "Say hello in one short sentence."}], model=COMMAND_R7B
        )
    assert info.value.status_code == 401
    assert info.value.provider == "cohere"
    assert info.value.provider_message == "invalid api token"
    assert COHERE_KEY not in str(info.value)


async def test_async_chat_completion_direct(replay, sent):
    async with AsyncInferenceClient(
        provider="cohere", api_key=COHERE_KEY, http_client=sent.async_client()
    ) as client:
        with replay("cohere/chat_completion.yaml"):
            out = await client.chat_completion(MESSAGES, model=COMMAND_R7B)
    assert out.usage.total_tokens == 487
    assert sent.requests[0].headers["authorization"] == f"Bearer {COHERE_KEY}"


async def test_async_chat_completion_stream_direct(replay):
    async with AsyncInferenceClient(provider="cohere", api_key=COHERE_KEY) as client:
        with replay("cohere/chat_completion_stream.yaml"):
            stream = await client.chat_completion(
                MESSAGES, model=COMMAND_R7B, max_tokens=20, stream=True
            )
            chunks = [chunk async for chunk in stream]
    assert _text(chunks).endswith("training artificial neural networks")


async def test_async_structured_output_routed(replay):
    async with AsyncInferenceClient(provider="cohere", api_key=FAKE_HF_TOKEN) as client:
        with replay("cohere/chat_completion_structured_synthetic.yaml"):
            out = await client.chat_completion(
                JSON_MESSAGES,
                model="CohereLabs/c4ai-command-r7b-12-2024",
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "person", "schema": PERSON_SCHEMA},
                },
            )
    assert json.loads(out.choices[0].message.content)["age"] == 36


def test_response_format_translation():
    assert to_json_object_format({"type": "json_object"}) == {"type": "json_object"}
    assert to_json_object_format({"type": "text"}) == {"type": "text"}
    schema = {"type": "object"}
    assert to_json_object_format({"type": "json_schema", "json_schema": {"schema": schema}}) == {
        "type": "json_object",
        "schema": schema,
    }


def test_parameters_cohere_rejects_are_refused_before_sending(sent):
    client = InferenceClient(provider="cohere", api_key=COHERE_KEY, http_client=sent.client())
    with pytest.raises(InvalidInputError, match="'n'"):
        client.chat_completion(MESSAGES, model=COMMAND_R7B, n=2)
    assert sent.requests == []


class TestCohereConformance(ProviderConformance):
    distribution = "infermux-cohere"
    cassette_dir = CASSETTES / "cohere"
