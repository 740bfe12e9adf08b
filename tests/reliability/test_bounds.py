"""Issue 14, items 4 and 5: time and size bounds against a hostile server on 127.0.0.1.

Every test runs on each transport: the sync client (httpx2), and the async client on
httpx2 with infermux's asyncio network backend (the default), on httpcore2's anyio backend
and on aiohttp. Time bounds use generous margins (a 0.5 s timeout must end a call long
before a server that would drip for 30 s; the assertion is "under 10 s"); memory bounds
are proven by the typed error and by tracemalloc's peak staying far below the bomb.
"""

from __future__ import annotations

import json
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from infermux import register_openai_compatible
from infermux.errors import (
    DeadlineExceededError,
    InvalidInputError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerError,
)
from infermux.registry.store import ProviderRegistry
from infermux.transport.bounds import ERROR_BODY_BYTES
from infermux.transport.retry import RetryPolicy
from tests.core.both_clients import collect, invoke, open_client
from tests.reliability.hostile import HostileServer, Request, Writer, gzip_bomb, head

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

MESSAGES = [{"role": "user", "content": "Hello"}]
MiB = 1024 * 1024
#: Far above any bound under test: a call still running this long has no bound.
UNBOUNDED = 10.0
TRANSPORTS = ("sync", "httpx2", "anyio", "aiohttp")


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    name = str(request.param)
    if name != "sync":
        monkeypatch.setenv("INFERMUX_ASYNC_HTTP", name)
    return name


@pytest.fixture(scope="module")
def _module_hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.stop()


@pytest.fixture
def hostile(_module_hostile: HostileServer) -> Iterator[HostileServer]:
    _module_hostile.requests.clear()
    yield _module_hostile
    _module_hostile.behaviour = lambda writer, request: None


@pytest.fixture
def registry(hostile: HostileServer, monkeypatch: pytest.MonkeyPatch) -> ProviderRegistry:
    registry = ProviderRegistry()
    register_openai_compatible(
        "hostile",
        base_url=f"{hostile.url}/v1",
        api_key_env="HOSTILE_KEY",
        tasks=["conversational"],
        registry=registry,
    )
    monkeypatch.setenv("HOSTILE_KEY", "hostile-key")
    return registry


@pytest.fixture
def client_for(transport: str, registry: ProviderRegistry) -> Any:
    @asynccontextmanager
    async def make(**options: Any) -> AsyncIterator[Any]:
        options.setdefault("max_retries", 0)
        kind = "sync" if transport == "sync" else "async"
        async with open_client(
            kind, provider="hostile", model="m", registry=registry, **options
        ) as client:
            yield client

    return make


def chunk_event(content: str) -> bytes:
    body = {
        "id": "c",
        "object": "chat.completion.chunk",
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


STREAM_HEAD = head(200, content_type="text/event-stream")


# -- item 4: timeout bounds an attempt in total; a stream's events; total_timeout ----------


async def test_headers_dripped_a_byte_at_a_time_end_within_the_timeout(client_for, hostile):
    def drip_headers(writer: Writer, request: Request) -> None:
        writer.send(b"HTTP/1.1 200 OK\r\n")
        writer.drip(b"x-slow: " + b"a" * 1000 + b"\r\n")

    hostile.behaviour = drip_headers
    started = time.monotonic()
    async with client_for(timeout=0.5) as client:
        with pytest.raises(RequestTimeoutError):
            await invoke(client, "chat_completion", MESSAGES)
    assert time.monotonic() - started < UNBOUNDED


async def test_a_body_dripped_a_byte_at_a_time_ends_within_the_timeout(client_for, hostile):
    def drip_body(writer: Writer, request: Request) -> None:
        writer.send(head(200, content_type="application/json", content_length="1000"))
        writer.drip(b"{" + b" " * 999)

    hostile.behaviour = drip_body
    started = time.monotonic()
    async with client_for(timeout=0.5) as client:
        with pytest.raises(RequestTimeoutError):
            await invoke(client, "chat_completion", MESSAGES)
    assert time.monotonic() - started < UNBOUNDED


async def test_comment_bytes_do_not_keep_a_stream_alive(client_for, hostile):
    def comments(writer: Writer, request: Request) -> None:
        writer.send(STREAM_HEAD + chunk_event("first"))
        writer.drip(b": keep-alive\n" * 200, every=0.05)

    hostile.behaviour = comments
    started = time.monotonic()
    async with client_for(timeout=0.5) as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        with pytest.raises(RequestTimeoutError):
            await collect(stream)
    assert time.monotonic() - started < UNBOUNDED


async def test_timeout_bounds_the_gap_between_events_not_the_stream(client_for, hostile):
    """Six events 0.25 s apart take longer than the 1 s timeout in all: the stream is fine."""

    def steady(writer: Writer, request: Request) -> None:
        writer.send(STREAM_HEAD)
        for index in range(6):
            if not writer.send(chunk_event(str(index))) or writer.stopping.wait(0.25):
                return
        writer.send(b"data: [DONE]\n\n")

    hostile.behaviour = steady
    async with client_for(timeout=1.0) as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        chunks = await collect(stream)
    assert "".join(c.choices[0].delta.content for c in chunks) == "012345"


async def test_total_timeout_ends_an_endless_stream_of_events(client_for, hostile):
    def endless(writer: Writer, request: Request) -> None:
        writer.send(STREAM_HEAD)
        while writer.send(chunk_event("x")) and not writer.stopping.wait(0.1):
            pass

    hostile.behaviour = endless
    started = time.monotonic()
    async with client_for(timeout=5.0, total_timeout=1.0) as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        with pytest.raises(RequestTimeoutError):
            await collect(stream)
    assert time.monotonic() - started < UNBOUNDED


async def test_total_timeout_bounds_retries(client_for, hostile):
    def failing(writer: Writer, request: Request) -> None:
        body = b'{"error": "busy"}'
        writer.send(head(500, content_length=str(len(body)), retry_after="0") + body)

    hostile.behaviour = failing
    policy = RetryPolicy(max_retries=100_000, initial_delay=0.01, max_delay=0.02)
    started = time.monotonic()
    async with client_for(timeout=5.0, total_timeout=1.0, retry=policy) as client:
        with pytest.raises(DeadlineExceededError) as caught:
            await invoke(client, "chat_completion", MESSAGES)
    assert time.monotonic() - started < UNBOUNDED
    assert len(hostile.requests) > 1  # it did retry, until the deadline
    assert "total_timeout=1s" in str(caught.value)


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), "1", True])
def test_total_timeout_must_be_a_positive_number(value, registry):
    from infermux import InferenceClient

    with pytest.raises(InvalidInputError, match="total_timeout"):
        InferenceClient(provider="hostile", registry=registry, total_timeout=value)


# -- item 5: size caps -------------------------------------------------------------------


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """256 MiB of zeros, gzip-compressed to about 256 KiB."""
    return gzip_bomb(256 * MiB)


async def _peak_while(coroutine: Any) -> tuple[BaseException | None, int]:
    tracemalloc.start()
    try:
        try:
            await coroutine
        except Exception as exc:
            error: BaseException | None = exc
        else:
            error = None
        return error, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
async def test_a_gzip_bomb_stops_at_the_cap_without_inflating(client_for, hostile, bomb):
    def send_bomb(writer: Writer, request: Request) -> None:
        writer.send(
            head(
                200,
                content_type="application/json",
                content_encoding="gzip",
                content_length=str(len(bomb)),
            )
            + bomb
        )

    hostile.behaviour = send_bomb
    async with client_for(max_response_bytes=1 * MiB, max_retries=3) as client:
        error, peak = await _peak_while(invoke(client, "chat_completion", MESSAGES))
    assert isinstance(error, ResponseTooLargeError), error
    assert error.limit == 1 * MiB
    assert "decompressed" in str(error)
    assert "max_response_bytes" in str(error)
    assert len(error.excerpt) <= 512
    assert peak < 32 * MiB  # the bomb is 256 MiB decompressed
    assert len(hostile.requests) == 1  # never retried


@pytest.mark.slow
async def test_the_default_cap_holds_a_gzip_bomb_under_the_memory_ceiling(
    client_for, hostile, bomb
):
    def send_bomb(writer: Writer, request: Request) -> None:
        writer.send(head(200, content_type="application/json", content_encoding="gzip") + bomb)

    hostile.behaviour = send_bomb
    async with client_for() as client:
        error, peak = await _peak_while(invoke(client, "chat_completion", MESSAGES))
    assert isinstance(error, ResponseTooLargeError), error
    assert error.limit == 64 * MiB
    # The ceiling: the 64 MiB cap plus one decoding slice, never the bomb's 256 MiB.
    assert peak < 100 * MiB, f"peak {peak / MiB:.0f} MiB"


async def test_an_endless_chunked_body_stops_at_the_cap(client_for, hostile):
    def endless(writer: Writer, request: Request) -> None:
        writer.send(head(200, content_type="application/json"))
        writer.forever(iter(lambda: b" " * 65536, None))

    hostile.behaviour = endless
    async with client_for(max_response_bytes=1 * MiB, max_retries=3) as client:
        with pytest.raises(ResponseTooLargeError):
            await invoke(client, "chat_completion", MESSAGES)
    assert len(hostile.requests) == 1


async def test_a_declared_length_over_the_cap_is_refused_before_reading(client_for, hostile):
    def huge(writer: Writer, request: Request) -> None:
        writer.send(head(200, content_type="application/json", content_length=str(200 * MiB)))
        writer.stopping.wait(UNBOUNDED)  # the body never comes: only the length is read

    hostile.behaviour = huge
    started = time.monotonic()
    async with client_for() as client:
        with pytest.raises(ResponseTooLargeError, match="Content-Length 209,715,200"):
            await invoke(client, "chat_completion", MESSAGES)
    assert time.monotonic() - started < UNBOUNDED


async def test_one_stream_event_over_the_cap_stops_the_stream(client_for, hostile):
    def endless_event(writer: Writer, request: Request) -> None:
        writer.send(STREAM_HEAD + chunk_event("ok") + b"data: ")
        writer.forever(iter(lambda: b"a" * 65536, None))

    hostile.behaviour = endless_event
    async with client_for(max_event_bytes=1 * MiB) as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        received: list[Any] = []
        with pytest.raises(ResponseTooLargeError, match="max_event_bytes"):
            await _drain_into(stream, received)
    assert [c.choices[0].delta.content for c in received] == ["ok"]  # kept what came first


async def test_a_gzip_bomb_inside_a_stream_stops_at_the_event_cap(client_for, hostile):
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [compressor.compress(b"data: ")]
    parts += [compressor.compress(bytes(MiB)) for _ in range(64)]
    stream_bomb = b"".join(parts) + compressor.flush()

    def send_bomb(writer: Writer, request: Request) -> None:
        writer.send(
            head(200, content_type="text/event-stream", content_encoding="gzip") + stream_bomb
        )

    hostile.behaviour = send_bomb
    async with client_for(max_event_bytes=1 * MiB) as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        error, peak = await _peak_while(collect(stream))
    assert isinstance(error, ResponseTooLargeError), error
    assert peak < 16 * MiB  # the event would have been 64 MiB


async def test_an_error_keeps_only_an_excerpt_of_a_huge_error_body(client_for, hostile):
    def huge_error(writer: Writer, request: Request) -> None:
        writer.send(head(500, content_type="text/plain", content_length=str(100 * MiB)))
        writer.forever(iter(lambda: b"e" * 65536, None))

    hostile.behaviour = huge_error
    async with client_for() as client:
        with pytest.raises(ServerError) as caught:
            await invoke(client, "chat_completion", MESSAGES)
    assert len(str(caught.value.body)) <= ERROR_BODY_BYTES
    assert len(str(caught.value)) < 4096


async def _drain_into(stream: Any, received: list[Any]) -> None:
    """Iterate a sync or async stream to its end, keeping each item as it comes."""
    if hasattr(stream, "__aiter__"):
        async for item in stream:
            received.append(item)
    else:
        received.extend(stream)
