"""Item 6 of issue 14: the default async transport leaked connected sockets when requests
timed out on a busy event loop (``loop.create_connection(..., happy_eyeballs_delay=...)``
inside ``asyncio.timeout``: 112-356 sockets still open after ``aclose()``).

The proof counts this process's open file descriptors: hundreds of calls with timeouts of
a few milliseconds, against a server on 127.0.0.1 that accepts and never answers, while
another task keeps the loop busy; after ``aclose()`` and once the server's side is closed,
the count is back where it started. The count cannot depend on the machine's speed: how
many calls connect before timing out varies, and every one of them must be closed.
"""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import threading
from collections.abc import Iterator

import pytest

from infermux import AsyncInferenceClient, register_openai_compatible
from infermux.errors import InfermuxError
from infermux.registry.store import ProviderRegistry
from infermux.transport.asyncio_network import AsyncioBackend

pytestmark = [
    pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"]),
    pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts /proc/self/fd"),
]

CALLS = 400


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


class SilentServer:
    """Accepts every connection on 127.0.0.1 and never answers (until stopped)."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4096)
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            self.accepted.append(conn)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self.accepted:
            conn.close()
        self.listener.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    try:
        yield server
    finally:
        server.stop()


async def _busy_loop(until: asyncio.Event) -> None:
    """Keeps the event loop busy (timers fire late, connects complete mid-cancellation)."""
    while not until.is_set():
        sum(range(20_000))
        await asyncio.sleep(0)


def _settled_count(baseline: int) -> int:
    gc.collect()
    return open_fds() - baseline


@pytest.mark.slow
async def test_no_socket_left_open_after_aclose_when_calls_time_out_on_a_busy_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("INFERMUX_ASYNC_HTTP", raising=False)  # the default transport
    monkeypatch.setenv("SILENT_KEY", "k")
    server = SilentServer()
    registry = ProviderRegistry()
    register_openai_compatible(
        "silent",
        base_url=f"http://127.0.0.1:{server.port}/v1",
        api_key_env="SILENT_KEY",
        tasks=["conversational"],
        registry=registry,
    )
    gc.collect()
    baseline = open_fds()
    failures = 0
    done = asyncio.Event()
    try:
        client = AsyncInferenceClient(
            provider="silent", model="m", registry=registry, max_retries=0, timeout=0.002
        )
        busy = asyncio.create_task(_busy_loop(done))

        async def one(index: int) -> None:
            nonlocal failures
            try:
                await client.chat_completion([{"role": "user", "content": "hi"}])
            except InfermuxError:
                failures += 1

        await asyncio.gather(*(one(i) for i in range(CALLS)))
        done.set()
        await busy
        await client.aclose()
    finally:
        server.stop()  # the server's sockets are not ours to count
    await asyncio.sleep(0.05)  # closed transports release their sockets on a later turn
    assert failures == CALLS  # every call timed out: the server never answers
    assert _settled_count(baseline) <= 0, "sockets left open after aclose()"


@pytest.mark.slow
async def test_backend_connects_time_out_without_leaking(silent_server: SilentServer) -> None:
    """The backend alone: connects cancelled at every stage by tiny timeouts."""
    backend = AsyncioBackend()
    gc.collect()
    baseline = open_fds()
    done = asyncio.Event()
    busy = asyncio.create_task(_busy_loop(done))
    connected = 0

    async def one(index: int) -> None:
        nonlocal connected
        timeout = 0.0005 * (index % 8 + 1)
        try:
            async with asyncio.timeout(timeout * 2):  # a caller's deadline on top
                stream = await backend.connect_tcp("127.0.0.1", silent_server.port, timeout)
        except Exception:
            return
        connected += 1
        await stream.aclose()

    await asyncio.gather(*(one(i) for i in range(CALLS)))
    done.set()
    await busy
    await asyncio.sleep(0.05)
    silent_server.stop()
    assert _settled_count(baseline + 1) <= 0  # + 1: the listener, closed by stop()


async def test_connect_tries_the_next_address_when_one_fails(silent_server: SilentServer) -> None:
    """Happy eyeballs kept: an address refusing the connection gives way to the next."""
    from infermux.transport import asyncio_network

    loop = asyncio.get_running_loop()
    refused = socket.socket()
    refused.bind(("127.0.0.1", 0))
    dead_port = refused.getsockname()[1]
    refused.close()  # nothing listens there: connection refused
    infos = [
        (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", dead_port)),
        (
            socket.AF_INET,
            socket.SOCK_STREAM,
            socket.IPPROTO_TCP,
            "",
            ("127.0.0.1", silent_server.port),
        ),
    ]

    async def resolve(*args: object, **kwargs: object) -> list[tuple[object, ...]]:
        return list(infos)

    original = asyncio_network._resolve
    asyncio_network._resolve = resolve  # type: ignore[assignment]
    try:
        sock = await asyncio_network._connect_socket(loop, "example.test", 0, None, 5.0)
    finally:
        asyncio_network._resolve = original
    try:
        assert sock.getpeername() == ("127.0.0.1", silent_server.port)
    finally:
        sock.close()
