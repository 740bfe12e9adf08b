"""Load: 1,000 concurrent async calls and 1,000 concurrent async streams against a local
server, with no connection, file-descriptor or memory leak; cancelled tasks release their
connections; the client-side limits hold under load, measured at the server.

The server (``loadserver.py``) runs in a subprocess on 127.0.0.1, so the file descriptors
and the traced memory counted here are the client's alone. Every count and wait is
bounded; the whole file takes well under a minute on two cores.
"""

from __future__ import annotations

import asyncio
import gc
import http.client
import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infermux import AsyncInferenceClient, InferenceClient, register_openai_compatible
from infermux.registry.store import ProviderRegistry

pytestmark = [pytest.mark.load, pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])]

CALLS = 1_000
STREAMS = 1_000
KEY = "load-test-key-9b1f0c2d7e"
SERVER = Path(__file__).with_name("loadserver.py")
#: httpx2's default pool: connections the client may open to one server at most.
POOL_LIMIT = 100

#: Figures measured by the tests, printed at the end of the run (``-s``) for the report.
FIGURES: dict[str, Any] = {}


@dataclass
class LoadServer:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _call(self, method: str, path: str) -> Any:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path)
            return json.loads(connection.getresponse().read())
        finally:
            connection.close()

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/_stats")  # type: ignore[no-any-return]

    def reset(self) -> None:
        self._call("POST", "/_reset")

    def wait_for(self, check: Callable[[dict[str, Any]], bool], timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        stats = self.stats()
        while not check(stats) and time.monotonic() < deadline:
            time.sleep(0.02)
            stats = self.stats()
        return stats


@pytest.fixture(scope="module")
def server() -> Iterator[LoadServer]:
    process = subprocess.Popen(  # noqa: S603 - our own script, with this interpreter
        [sys.executable, str(SERVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stdin is not None
    line = process.stdout.readline().decode()  # the server prints its port once listening
    assert line.startswith("PORT "), line
    yield LoadServer(process, int(line.split()[1]))
    process.stdin.close()  # the server stops when its standard input closes
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
    process.stdout.close()


@pytest.fixture
def load(server: LoadServer) -> LoadServer:
    server.reset()
    return server


@pytest.fixture
def registry(server: LoadServer) -> ProviderRegistry:
    registry = ProviderRegistry()
    register_openai_compatible(
        "load", base_url=f"{server.url}/v1", api_key_env="LOAD_KEY", registry=registry
    )
    return registry


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def settle(check: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Wait (bounded) until ``check()`` holds, letting the loop run closing callbacks. The
    bound is generous: it is only reached when the check fails, never on a busy machine."""
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        gc.collect()
        await asyncio.sleep(0.02)
    return check()


def pool_connections(client: Any) -> list[Any]:
    """The connections in the client's httpx2 (httpcore2) pool."""
    return list(client._http.client._transport._pool.connections)


@asynccontextmanager
async def pool_peak(client: Any) -> AsyncIterator[list[int]]:
    """The largest the client's pool grew while the block ran (sampled on the loop).

    Measured at the client: the server's own count of open connections lags behind closes
    it has not yet read (the pool closes idle connections beyond its keep-alive limit and
    opens new ones), by as much as the machine is busy, so it cannot bound the pool."""
    peak = [0]

    async def sample() -> None:
        while True:
            peak[0] = max(peak[0], len(pool_connections(client)))
            await asyncio.sleep(0.005)

    task = asyncio.create_task(sample())
    try:
        yield peak
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


def async_client(registry: ProviderRegistry, model: str = "fast", **options: Any) -> Any:
    options.setdefault("timeout", 60.0)
    return AsyncInferenceClient(
        provider="load", model=model, api_key=KEY, registry=registry, **options
    )


def messages(i: int) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"call-{i}"}]


async def call_batch(client: Any, count: int) -> list[str]:
    outputs = await asyncio.gather(*(client.chat_completion(messages(i)) for i in range(count)))
    return [out.choices[0].message.content for out in outputs]


async def stream_one(client: Any, i: int) -> str:
    stream = await client.chat_completion(messages(i), stream=True)
    return "".join([chunk.choices[0].delta.content async for chunk in stream])


# -- 1,000 calls, 1,000 streams --------------------------------------------------------------


async def test_thousand_concurrent_calls_three_times_without_leaks(load, registry):
    """1,000 concurrent calls, three runs on one client: right answers, pool bounded, and
    neither file descriptors nor memory grow from run to run."""
    baseline = open_fds()
    peaks: list[int] = []
    retained: list[int] = []
    durations: list[float] = []
    pool_peaks: list[int] = []
    tracemalloc.start()
    try:
        async with async_client(registry) as client:
            for _ in range(3):
                gc.collect()
                tracemalloc.reset_peak()
                started = time.monotonic()
                async with pool_peak(client) as pool:
                    contents = await call_batch(client, CALLS)
                durations.append(time.monotonic() - started)
                assert contents == [f"echo call-{i}" for i in range(CALLS)]
                assert 0 < pool[0] <= POOL_LIMIT
                pool_peaks.append(pool[0])
                gc.collect()
                current, peak = tracemalloc.get_traced_memory()
                peaks.append(peak)
                retained.append(current)
            fds_open = open_fds()
        assert pool_connections(client) == []
    finally:
        tracemalloc.stop()
    assert await settle(lambda: open_fds() == baseline), (baseline, open_fds())
    stats = load.wait_for(lambda s: s["open_connections"] == 0)
    assert stats["requests"] == 3 * CALLS
    assert stats["open_connections"] == 0
    assert stats["auth"] == [f"Bearer {KEY}"]
    # Memory is flat: the third run peaks no higher than the first (plus 10 %), and what
    # stays allocated after a run does not grow between the second and the third.
    assert peaks[2] <= peaks[0] * 1.10 + 256 * 1024, peaks
    assert retained[2] - retained[1] <= 256 * 1024, retained
    FIGURES["calls"] = {
        "runs": 3,
        "calls_per_run": CALLS,
        "seconds_per_run": [round(d, 2) for d in durations],
        "fds_baseline": baseline,
        "fds_with_open_pool": fds_open,
        "fds_after_close": open_fds(),
        "server_connections": stats["connections"],
        "client_pool_peaks": pool_peaks,
        "server_max_open_connections": stats["max_open_connections"],
        "tracemalloc_peak_kib": [p // 1024 for p in peaks],
        "tracemalloc_retained_kib": [r // 1024 for r in retained],
    }


async def test_thousand_concurrent_streams(load, registry):
    baseline = open_fds()
    async with async_client(registry) as client:
        started = time.monotonic()
        async with pool_peak(client) as peak:
            texts = await asyncio.gather(*(stream_one(client, i) for i in range(STREAMS)))
        duration = time.monotonic() - started
        assert texts == [f"call-{i}|done" for i in range(STREAMS)]
        assert 0 < peak[0] <= POOL_LIMIT
        fds_open = open_fds()
    assert pool_connections(client) == []
    assert await settle(lambda: open_fds() == baseline), (baseline, open_fds())
    stats = load.wait_for(lambda s: s["open_connections"] == 0)
    assert stats["requests"] == STREAMS
    assert stats["open_connections"] == 0
    FIGURES["streams"] = {
        "streams": STREAMS,
        "seconds": round(duration, 2),
        "fds_baseline": baseline,
        "fds_with_open_pool": fds_open,
        "fds_after_close": open_fds(),
        "server_connections": stats["connections"],
    }


# -- cancellation ------------------------------------------------------------------------------

CANCELLED = 50


async def cancel_mid_flight(
    load: LoadServer,
    start: Callable[[int], Awaitable[Any]],
    ready: Callable[[], bool] = lambda: True,
) -> dict[str, Any]:
    """Start ``CANCELLED`` tasks the server holds, cancel them all once ``ready()``, and
    return the server's counters once it has seen them hang up."""
    tasks = [asyncio.create_task(start(i)) for i in range(CANCELLED)]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if load.stats()["in_flight"] == CANCELLED and ready():
            break
        await asyncio.sleep(0.02)
    assert load.stats()["in_flight"] == CANCELLED
    assert ready()
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results), results
    return load.wait_for(lambda s: s["disconnects"] == CANCELLED)  # type: ignore[no-any-return]


async def test_cancelling_tasks_mid_request_releases_their_connections(load, registry):
    baseline = open_fds()
    async with async_client(registry, model="hold") as client:
        stats = await cancel_mid_flight(load, lambda i: client.chat_completion(messages(i)))
        assert stats["disconnects"] == CANCELLED  # the server saw every client hang up
        assert await settle(lambda: pool_connections(client) == [])
        # Every socket is closed while the client itself stays open and usable.
        assert await settle(lambda: open_fds() == baseline), (baseline, open_fds())
        out = await client.chat_completion(messages(0), model="fast")
        assert out.choices[0].message.content == "echo call-0"
    assert await settle(lambda: open_fds() == baseline)
    FIGURES["cancel_mid_request"] = {"tasks": CANCELLED, "server_disconnects": stats["disconnects"]}


async def test_cancelling_tasks_mid_stream_releases_their_connections(load, registry):
    baseline = open_fds()
    first_chunks: list[str] = []

    async def read_forever(i: int) -> None:
        stream = await client.chat_completion(messages(i), stream=True)
        async for chunk in stream:  # the server sends one chunk, then holds the stream
            first_chunks.append(chunk.choices[0].delta.content)

    async with async_client(registry, model="hold") as client:
        # Cancelled once every task holds its first chunk: mid-stream, not mid-request.
        stats = await cancel_mid_flight(load, read_forever, lambda: len(first_chunks) == CANCELLED)
        assert stats["disconnects"] == CANCELLED
        assert sorted(first_chunks) == sorted(f"call-{i}" for i in range(CANCELLED))
        assert await settle(lambda: pool_connections(client) == [])
        assert await settle(lambda: open_fds() == baseline), (baseline, open_fds())
    FIGURES["cancel_mid_stream"] = {"tasks": CANCELLED, "server_disconnects": stats["disconnects"]}


# -- client-side limits, measured at the server --------------------------------------------------


async def test_max_concurrency_holds_under_load(load, registry):
    cap = 8
    async with async_client(registry, model="slow", max_concurrency=cap) as client:
        contents = await call_batch(client, 200)
    assert contents == [f"echo call-{i}" for i in range(200)]
    stats = load.stats()
    assert stats["requests"] == 200
    assert stats["max_in_flight"] == cap  # never above the cap, and the cap is reached
    FIGURES["max_concurrency"] = {"cap": cap, "calls": 200, "server_max_in_flight": cap}


def test_max_concurrency_across_threads_of_a_sync_client(load, registry):
    cap = 4
    with (
        InferenceClient(
            provider="load",
            model="slow",
            api_key=KEY,
            registry=registry,
            timeout=30.0,
            max_concurrency=cap,
        ) as client,
        ThreadPoolExecutor(max_workers=16) as pool,
    ):
        outputs = list(pool.map(lambda i: client.chat_completion(messages(i)), range(64)))
    assert [o.choices[0].message.content for o in outputs] == [f"echo call-{i}" for i in range(64)]
    assert load.stats()["max_in_flight"] == cap


async def test_requests_per_minute_spaces_request_starts(load, registry):
    """A token bucket of 20 per second (a burst of 20): in any window of the server's
    request start times, at most 20 + 20/s x the window's length requests began.

    The start times are taken at the client, as each request is handed to the transport:
    what reaches the server is later by a delivery delay that grows without bound on a busy
    machine (a burst delayed by D arrives together with D x 20/s later requests), so times
    at the server cannot test a budget. Only what a busy machine cannot break is asserted:
    the budget is not exceeded (a slow machine only spaces requests further). The exact
    waits are asserted on a fake clock in tests/test_client_features.py."""
    rate = 1_200
    per_second = rate / 60
    burst = int(per_second)
    count = 60
    async with async_client(registry, requests_per_minute=rate) as client:
        await client.chat_completion(messages(-1))  # warm up: first-use costs are not spacing
        load.reset()
        sent: list[float] = []
        send = client._http.send

        async def timed_send(effect: Any) -> Any:
            sent.append(time.monotonic())
            return await send(effect)

        client._http.send = timed_send
        started = time.monotonic()
        contents = await call_batch(client, count)
        elapsed = time.monotonic() - started
    assert contents == [f"echo call-{i}" for i in range(count)]
    assert load.stats()["requests"] == count
    starts = sorted(sent)
    assert len(starts) == count
    # 250 ms of slack per window: a stalled event loop wakes the waits that fell due
    # meanwhile together.
    crowded = [
        (i, j, round(starts[j] - starts[i], 3))
        for i in range(count)
        for j in range(i + 1, count)
        if j - i + 1 > burst + (starts[j] - starts[i] + 0.25) * per_second
    ]
    assert crowded == [], crowded[:5]
    span = starts[-1] - starts[0]
    expected = (count - burst - 1) / per_second  # about 2 s
    assert span >= expected - 0.25, span
    gaps = sorted(b - a for a, b in zip(starts[burst:], starts[burst + 1 :], strict=False))
    median_gap = gaps[len(gaps) // 2]
    FIGURES["requests_per_minute"] = {
        "rate_per_minute": rate,
        "calls": count,
        "seconds": round(elapsed, 2),
        "span_of_starts": round(span, 3),
        "median_gap_ms": round(median_gap * 1000, 1),
    }


def test_print_figures():
    """Not a check: prints what the tests above measured (run with ``-s``)."""
    print("\nreliability figures:", json.dumps(FIGURES, indent=2))
