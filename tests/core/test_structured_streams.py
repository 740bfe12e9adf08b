"""Streamed structured output: with ``response_format=Model`` (chat) or ``text_format=Model``
(Responses API) and ``stream=True`` the chunks stream as usual, and ``collect()`` returns
the answer with ``message.parsed`` / ``output_parsed`` validated into the model, or raises
StructuredOutputError naming the fields that failed. Sync and async clients against an
OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from infermux import register_openai_compatible
from infermux.errors import StreamError, StructuredOutputError
from infermux.registry.store import ProviderRegistry
from infermux.responses import Response, ResponseStreamEvent, ResponseTextDeltaEvent
from infermux.structured import (
    AsyncParsedStream,
    ParsedChatCompletionOutput,
    ParsedStream,
)
from infermux.types import ChatCompletionStreamOutput
from tests.core.both_clients import collect, invoke, open_client, run
from tests.core.localserver import LocalServer, Reply

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

KEY = "structured-stream-key-3c9e1f7a05b2d486"
MESSAGES = [{"role": "user", "content": "Plan the science fair."}]
GOOD = '{"name": "Science fair", "participants": ["Alice", "Bob"]}'
BAD = '{"name": "Science fair", "participants": "everyone"}'


class CalendarEvent(BaseModel):
    name: str
    participants: list[str]


@pytest.fixture
def registry(local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> ProviderRegistry:
    registry = ProviderRegistry()
    register_openai_compatible(
        "local",
        base_url=f"{local_server.url}/v1",
        api_key_env="LOCAL_STRUCTURED_KEY",
        tasks=["conversational", "responses"],
        registry=registry,
    )
    monkeypatch.setenv("LOCAL_STRUCTURED_KEY", KEY)
    return registry


def chat_chunks(text: str) -> list[bytes]:
    """An OpenAI-style chat stream carrying ``text`` in three deltas."""
    cut = [
        text[: len(text) // 3],
        text[len(text) // 3 : 2 * len(text) // 3],
        text[2 * len(text) // 3 :],
    ]
    events = []
    for i, piece in enumerate(cut):
        body = {
            "id": "cmpl-1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "local-model",
            "choices": [
                {
                    "index": 0,
                    "delta": {"role": "assistant", "content": piece}
                    if i == 0
                    else {"content": piece},
                    "finish_reason": "stop" if i == len(cut) - 1 else None,
                }
            ],
        }
        events.append(f"data: {json.dumps(body)}\n\n".encode())
    return [*events, b"data: [DONE]\n\n"]


def response_events(text: str) -> list[bytes]:
    """A Responses API stream: created, two text deltas, the done item, completed."""
    item = {
        "type": "message",
        "id": "msg_1",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }
    head = {"id": "resp_1", "object": "response", "status": "in_progress", "model": "m"}
    half = len(text) // 2
    events: list[dict[str, Any]] = [
        {"type": "response.created", "sequence_number": 0, "response": {**head, "output": []}},
        {"type": "response.output_text.delta", "sequence_number": 1, "output_index": 0,
         "content_index": 0, "delta": text[:half]},
        {"type": "response.output_text.delta", "sequence_number": 2, "output_index": 0,
         "content_index": 0, "delta": text[half:]},
        {"type": "response.output_item.done", "sequence_number": 3, "output_index": 0,
         "item": item},
        {"type": "response.completed", "sequence_number": 4,
         "response": {**head, "status": "completed", "output": [item]}},
    ]  # fmt: skip
    return [f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events]


# -- chat ------------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["chat_completion", "chat.completions.create"])
async def test_a_chat_stream_collects_into_message_parsed(kind, local_server, registry, spelling):
    local_server.queue(Reply(chunks=chat_chunks(GOOD)))
    async with open_client(kind, provider="local", registry=registry) as client:
        if spelling == "chat_completion":
            call = client.chat_completion(
                MESSAGES, model="m", stream=True, response_format=CalendarEvent
            )
        else:
            call = client.chat.completions.create(
                messages=MESSAGES, model="m", stream=True, response_format=CalendarEvent
            )
        stream = await run(lambda: call)
        assert isinstance(stream, ParsedStream if kind == "sync" else AsyncParsedStream)
        first = await run(stream.__next__ if kind == "sync" else stream.__anext__)
        assert isinstance(first, ChatCompletionStreamOutput)  # chunks stream as usual
        out = await run(stream.collect)
    assert isinstance(out, ParsedChatCompletionOutput)
    assert out.choices[0].message.content == GOOD
    assert out.choices[0].message.parsed == CalendarEvent(
        name="Science fair", participants=["Alice", "Bob"]
    )
    assert out.response_info.provider == "local"
    (request,) = local_server.requests
    body = request.json()
    assert body["stream"] is True
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "CalendarEvent"


async def test_a_chat_stream_that_does_not_validate_names_the_fields(kind, local_server, registry):
    local_server.queue(Reply(chunks=chat_chunks(BAD)))
    async with open_client(kind, provider="local", registry=registry) as client:
        stream = await invoke(
            client,
            "chat_completion",
            MESSAGES,
            model="m",
            stream=True,
            response_format=CalendarEvent,
        )
        with pytest.raises(StructuredOutputError) as caught:
            await run(stream.collect)
    assert [where for where, _ in caught.value.errors] == ["participants"]
    assert "CalendarEvent" in str(caught.value)
    assert caught.value.text == BAD


async def test_iterating_a_parsed_chat_stream_gives_every_chunk(kind, local_server, registry):
    local_server.queue(Reply(chunks=chat_chunks(GOOD)))
    async with open_client(kind, provider="local", registry=registry) as client:
        stream = await invoke(
            client,
            "chat_completion",
            MESSAGES,
            model="m",
            stream=True,
            response_format=CalendarEvent,
        )
        chunks = await collect(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == GOOD


# -- the Responses API -----------------------------------------------------------------------


async def test_a_parsed_responses_stream_yields_its_events(kind, local_server, registry):
    local_server.queue(Reply(chunks=response_events(GOOD)))
    async with open_client(kind, provider="local", registry=registry) as client:
        stream = await run(
            lambda: client.responses.create(
                model="m", input="Plan it", stream=True, text_format=CalendarEvent
            )
        )
        first = await run(stream.__next__ if kind == "sync" else stream.__anext__)
        assert isinstance(first, ResponseStreamEvent)
        rest = await collect(stream)
        assert [e.delta for e in rest if isinstance(e, ResponseTextDeltaEvent)]
    (request,) = local_server.requests
    text = request.json()["text"]
    assert text["format"]["type"] == "json_schema"
    assert text["format"]["name"] == "CalendarEvent"


async def test_collect_on_a_responses_stream_sets_output_parsed(kind, local_server, registry):
    local_server.queue(Reply(chunks=response_events(GOOD)))
    async with open_client(kind, provider="local", registry=registry) as client:
        stream = await run(
            lambda: client.responses.create(
                model="m", input="Plan it", stream=True, text_format=CalendarEvent
            )
        )
        out = await run(stream.collect)
    assert isinstance(out, Response)
    assert out.output_text == GOOD
    assert out.output_parsed == CalendarEvent(name="Science fair", participants=["Alice", "Bob"])


async def test_a_responses_stream_that_does_not_validate_names_the_fields(
    kind, local_server, registry
):
    local_server.queue(Reply(chunks=response_events(BAD)))
    async with open_client(kind, provider="local", registry=registry) as client:
        stream = await run(
            lambda: client.responses.create(
                model="m", input="Plan it", stream=True, text_format=CalendarEvent
            )
        )
        with pytest.raises(StructuredOutputError) as caught:
            await run(stream.collect)
    assert [where for where, _ in caught.value.errors] == ["participants"]
    assert caught.value.task == "responses"


async def test_a_stream_error_keeps_every_chunk_and_the_partial_answer(
    kind, local_server, registry
):
    error = b'data: {"error": {"message": "the model crashed", "type": "server_error"}}\n\n'
    local_server.queue(Reply(chunks=[*chat_chunks(GOOD)[:2], error]))
    async with open_client(kind, provider="local", registry=registry) as client:
        stream = await invoke(
            client,
            "chat_completion",
            MESSAGES,
            model="m",
            stream=True,
            response_format=CalendarEvent,
        )
        await run(stream.__next__ if kind == "sync" else stream.__anext__)  # one chunk read
        with pytest.raises(StreamError, match="the model crashed") as caught:
            await run(stream.collect)
    assert len(caught.value.chunks) == 2  # the one iterated and the one collect() read
    # Folded from both chunks (the first two thirds of the JSON), not parsed.
    assert caught.value.partial.choices[0].message.content == GOOD[: 2 * len(GOOD) // 3]
