"""Issue 14, item 3: ``max_concurrency`` counts streams. An open stream holds its slot
until it is closed or exhausted, sync and async, so with ``max_concurrency=1`` a second
call waits for the stream to end (three threads once had three streams open at once).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from infermux import AsyncInferenceClient, InferenceClient
from tests.core.both_clients import close, collect, invoke, next_item, open_client
from tests.core.localserver import Reply, Seen
from tests.reliability.test_bounds import chunk_event

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

MESSAGES = [{"role": "user", "content": "Hello"}]
CHAT = {
    "id": "c",
    "object": "chat.completion",
    "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}],
}


def held_stream() -> Reply:
    """One chunk, then the connection stays open until the client hangs up."""
    return Reply(200, chunks=[chunk_event("first")], hold_open=True)


def free_slots(client: Any) -> int:
    slots = client._limits._slots
    return int(slots._value)


@pytest.fixture
def client_for(kind, local_registry):
    def make(**options: Any) -> Any:
        options.setdefault("timeout", 5.0)
        return open_client(kind, provider="local", model="m", registry=local_registry, **options)

    return make


async def test_an_open_stream_holds_its_slot_until_closed(client_for, local_server):
    local_server.queue(held_stream())
    async with client_for(max_concurrency=1) as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        await next_item(stream)
        assert free_slots(client) == 0
        await close(stream)
        assert free_slots(client) == 1


async def test_an_exhausted_stream_gives_its_slot_back(client_for, local_server):
    local_server.queue(Reply(200, chunks=[chunk_event("a"), b"data: [DONE]\n\n"]))
    async with client_for(max_concurrency=1) as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        assert free_slots(client) == 0
        assert len(await collect(stream)) == 1
        assert free_slots(client) == 1


async def test_a_failed_stream_request_gives_its_slot_back(client_for, local_server):
    local_server.queue(Reply(400, json={"error": {"message": "bad"}}))
    async with client_for(max_concurrency=1) as client:
        with pytest.raises(Exception, match="bad"):
            await invoke(client, "chat_completion", MESSAGES, stream=True)
        assert free_slots(client) == 1


def test_a_second_call_waits_for_the_open_stream_sync(local_server, local_registry):
    """Thread B's call reaches the server only after thread A closed its stream."""
    order: list[str] = []
    stream_closed = threading.Event()

    def respond(seen: Seen) -> Reply:
        order.append("B request" + (" after close" if stream_closed.is_set() else ""))
        return Reply(200, json=CHAT)

    local_server.queue(held_stream())
    local_server.responder = respond
    with InferenceClient(
        provider="local", model="m", registry=local_registry, max_concurrency=1, timeout=5.0
    ) as client:
        stream = client.chat_completion(MESSAGES, stream=True)
        next(stream)
        done = threading.Event()

        def second_call() -> None:
            client.chat_completion(MESSAGES)
            done.set()

        worker = threading.Thread(target=second_call)
        worker.start()
        # B cannot finish while the stream holds the only slot, however long we wait.
        assert not done.wait(0.3)
        stream_closed.set()
        stream.close()
        worker.join(timeout=10)
        assert done.is_set()
    assert order == ["B request after close"]


async def test_a_second_call_waits_for_the_open_stream_async(local_server, local_registry):
    order: list[str] = []
    stream_closed = asyncio.Event()

    def respond(seen: Seen) -> Reply:
        order.append("B request" + (" after close" if stream_closed.is_set() else ""))
        return Reply(200, json=CHAT)

    local_server.queue(held_stream())
    local_server.responder = respond
    async with AsyncInferenceClient(
        provider="local", model="m", registry=local_registry, max_concurrency=1, timeout=5.0
    ) as client:
        stream = await client.chat_completion(MESSAGES, stream=True)
        await stream.__anext__()
        second = asyncio.create_task(client.chat_completion(MESSAGES))
        done, _ = await asyncio.wait({second}, timeout=0.3)
        assert not done  # waiting for the slot the stream holds
        stream_closed.set()
        await stream.aclose()
        await asyncio.wait_for(second, timeout=10)
    assert order == ["B request after close"]


def test_three_threads_never_have_more_streams_open_than_the_cap(local_server, local_registry):
    """The issue's scenario: three threads, max_concurrency=1. Whenever a thread holds an
    open stream, no slot is free, so no other stream can be open at that moment."""
    local_server.responder = lambda seen: Reply(200, chunks=[chunk_event("x"), b"data: [DONE]\n\n"])
    free_while_open: list[int] = []
    errors: list[BaseException] = []
    with InferenceClient(
        provider="local", model="m", registry=local_registry, max_concurrency=1, timeout=5.0
    ) as client:

        def consume() -> None:
            try:
                for _ in range(3):
                    stream = client.chat_completion(MESSAGES, stream=True)
                    free_while_open.append(free_slots(client))
                    assert len(list(stream)) == 1
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=consume) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert free_slots(client) == 1
    assert not errors
    assert free_while_open == [0] * 9
    assert len(local_server.requests) == 9
