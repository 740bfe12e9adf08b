"""``client.batch()`` (sync) and ``await async_client.batch()`` against the stub server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from infermux import AsyncInferenceClient, InferenceClient
from infermux.batch import BatchInputError, RowRunner, run_rows
from infermux.errors import ConfigurationError, MissingAPIKeyError, UnknownProviderError
from infermux.testing.stub_server import StubServer
from tests.batch.conftest import chat_row, stub_registry
from tests.batch.simulated import Simulation
from tests.batch.virtual_time import VirtualTime

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer(faults={"fail-500": 500}) as server:
        yield server


def sync_client(stub: StubServer, **options: Any) -> InferenceClient:
    return InferenceClient(
        provider="stub", api_key="k", registry=stub_registry(stub.url), **options
    )


def test_sync_batch_yields_one_row_per_request_in_order(stub: StubServer) -> None:
    rows = [chat_row(i, f"hi {i}" + (" fail-500" if i == 4 else "")) for i in range(20)]
    with sync_client(stub, max_retries=0) as client:
        results = client.batch(rows, concurrency=4, ordered=True)
        out = list(results)
    assert [r["custom_id"] for r in out] == [f"row-{i}" for i in range(20)]
    assert [r["custom_id"] for r in out if r["error"]] == ["row-4"]
    summary = results.stats.summary()
    assert summary["rows"] == {
        "succeeded": 19,
        "failed": 1,
        "skipped_already_done": 0,
        "deduplicated": 0,
    }


def test_sync_batch_stops_when_closed_early(stub: StubServer) -> None:
    with (
        sync_client(stub) as client,
        client.batch((chat_row(i) for i in range(1000)), concurrency=2) as results,
    ):
        first = [next(results) for _ in range(3)]
    assert len(first) == 3
    assert stub.stats.requests < 1000


async def test_leaving_an_async_batch_early_cancels_the_rows_in_flight_before_returning() -> None:
    # Row 0 answers; every other row is held by the server until cancelled. Closing the
    # results after the first row must cancel and await the held rows at once: left to the
    # event loop's shutdown, they would outlive the client and leak its connections.
    answerer = StubServer()
    held: list[str] = []
    cancelled: list[str] = []

    async def handle(request: httpx2.Request) -> httpx2.Response:
        if b"hello 0" not in request.content:
            held.append("row")
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.append("row")
                raise
        reply = answerer.answer(request.method, request.url.path, request.content)
        return httpx2.Response(reply.status, headers=reply.headers, content=reply.content)

    http = httpx2.AsyncClient(transport=httpx2.MockTransport(handle))
    client = AsyncInferenceClient(
        provider="stub",
        api_key="k",
        registry=stub_registry("http://stub.test/v1"),
        http_client=http,
    )
    try:
        results = await client.batch((chat_row(i) for i in range(100)), concurrency=4)
        first = await anext(aiter(results))
        await results.aclose()
        left_running = [
            task
            for task in asyncio.all_tasks()
            if task is not asyncio.current_task() and not task.done()
        ]
    finally:
        await client.aclose()
        await http.aclose()
    assert first["custom_id"] == "row-0"
    assert left_running == []
    assert held == cancelled


def test_a_sync_batch_closes_its_rows_before_its_client(
    stub: StubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # close() lands while the background loop waits for room in the full queue (the reader
    # stopped reading): the row iterator must be closed (rows in flight cancelled) before
    # the client closes its connections, not finalised later by the loop's shutdown.
    from infermux.batch import results as results_module
    from infermux.client._base import AsyncClientBase

    events: list[str] = []
    queue_is_full = threading.Event()

    async def rows(*args: Any, **kwargs: Any) -> Any:
        try:
            for i in range(1000):
                if i == 5:
                    # The reader took row 0; rows 1-4 fill the queue (its size is 4 at
                    # concurrency 2): the producer is about to wait for room with row 5.
                    queue_is_full.set()
                yield {"custom_id": f"row-{i}"}
        finally:
            events.append("rows closed")

    real_aclose = AsyncClientBase.aclose

    async def aclose(self: AsyncClientBase) -> None:
        events.append("client closed")
        await real_aclose(self)

    monkeypatch.setattr(results_module, "iterate", rows)
    monkeypatch.setattr(AsyncClientBase, "aclose", aclose)
    with sync_client(stub) as client:
        results = client.batch((chat_row(i) for i in range(1000)), concurrency=2)
        assert next(results)["custom_id"] == "row-0"
        assert queue_is_full.wait(60)
        results.close()
    assert events == ["rows closed", "client closed"]


def test_a_reader_slower_than_the_batch_still_gets_every_row(stub: StubServer) -> None:
    # The reader stops after one row until the batch has filled the hand-over queue and
    # waits for room (it once deadlocked there: full() under the queue's own lock).
    with sync_client(stub) as client:
        results = client.batch([chat_row(i) for i in range(30)], concurrency=2)
        assert next(results)["custom_id"] == "row-0"
        for _ in range(600):  # a bounded wait for the queue to fill, not a time assertion
            if results._queue.full():
                break
            threading.Event().wait(0.05)
        rest: list[dict[str, Any]] = []
        reader = threading.Thread(target=lambda: rest.extend(results), daemon=True)
        reader.start()
        reader.join(120)
        assert not reader.is_alive(), "the batch hung with a full queue"
        results.close()
    assert sorted(int(r["custom_id"].split("-")[1]) for r in rest) == list(range(1, 30))


def test_a_list_is_checked_before_anything_is_sent(stub: StubServer) -> None:
    with sync_client(stub) as client:
        with pytest.raises(BatchInputError, match="duplicate custom_id 'row-1'"):
            client.batch([chat_row(1), {**chat_row(2), "custom_id": "row-1"}])
        with pytest.raises(BatchInputError, match=r"row 1: .*needs"):
            client.batch([chat_row(1), {"custom_id": "x"}])
        unknown = {"task": "conversational", "provider": "nope", "inputs": []}
        with pytest.raises(UnknownProviderError):
            client.batch([chat_row(1), {**unknown, "custom_id": "p"}])
    assert stub.stats.requests == 0


def test_a_missing_key_stops_the_batch_before_the_first_request(
    stub: StubServer,
) -> None:
    registry = stub_registry(stub.url, api_key_env="STUB_KEY_FOR_TEST")
    with (
        InferenceClient(provider="stub", registry=registry) as client,
        pytest.raises(MissingAPIKeyError),
    ):
        client.batch([chat_row(1)])
    assert stub.stats.requests == 0


def test_sync_batch_refuses_a_callers_sync_http_client(stub: StubServer) -> None:
    import httpx2

    with (
        httpx2.Client() as http,
        sync_client(stub, http_client=http) as client,
        pytest.raises(ConfigurationError, match="AsyncInferenceClient"),
    ):
        client.batch([chat_row(1)])


async def test_async_batch_dedupes_identical_requests(vt: VirtualTime) -> None:
    sim = Simulation(vt)
    rows = [{**chat_row(i % 3), "custom_id": f"id-{i}"} for i in range(9)]
    client = sim.client()

    async def collect() -> list[dict[str, Any]]:
        results = await client.batch(rows, concurrency=9, dedupe=True)
        return [row async for row in results]

    try:
        out = await vt.run(collect())
    finally:
        await client.aclose()
        await client._http.client.aclose()
    assert sorted(r["custom_id"] for r in out) == sorted(f"id-{i}" for i in range(9))
    assert sim.stub.stats.requests == 3
    copies = [r for r in out if r["infermux"].get("deduplicated_from")]
    assert len(copies) == 6
    assert all(r["infermux"]["attempts"] == 0 for r in copies)


async def test_async_iterator_rows_are_read_lazily_and_bad_ones_become_error_rows(
    vt: VirtualTime,
) -> None:
    sim = Simulation(vt)
    client = sim.client()

    async def rows() -> Any:
        yield chat_row(1)
        yield {"custom_id": "broken", "url": "/v1/nope", "body": {}}
        yield {
            "custom_id": "bad-param",
            "task": "conversational",
            "inputs": [],
            "parameters": {"nope": 1},
        }

    runner = RowRunner(client, clock=vt.clock, sleep=vt.sleep)

    async def collect() -> list[dict[str, Any]]:
        return [row async for row in run_rows(runner, rows(), concurrency=2, ordered=True)]

    try:
        out = await vt.run(collect())
    finally:
        await client.aclose()
        await client._http.client.aclose()
    assert [r["error"] and r["error"]["code"] for r in out] == [
        None,
        "invalid_input",
        "invalid_input",
    ]
    assert [r["custom_id"] for r in out] == ["row-1", "broken", "bad-param"]
    assert sim.stub.stats.requests == 1


async def test_an_iterators_repeated_custom_id_is_an_error_row_and_not_sent(
    vt: VirtualTime,
) -> None:
    sim = Simulation(vt)
    client = sim.client()

    def rows() -> Any:  # an iterator: read lazily, so not checked up front like a list
        yield chat_row(1)
        yield {**chat_row(2), "custom_id": "row-1"}  # another request under the same id
        yield chat_row(3)
        yield chat_row(3)  # the same request and id again

    async def collect(dedupe: bool) -> list[dict[str, Any]]:
        results = await client.batch(rows(), concurrency=1, ordered=True, dedupe=dedupe)
        return [row async for row in results]

    try:
        plain = await vt.run(collect(False))
        sent_plain = sim.stub.stats.requests
        sim.stub.reset()
        deduped = await vt.run(collect(True))
        sent_deduped = sim.stub.stats.requests
    finally:
        await client.aclose()
        await client._http.client.aclose()
    assert [r["custom_id"] for r in plain] == ["row-1", "row-1", "row-3", "row-3"]
    assert [r["error"] and r["error"]["code"] for r in plain] == [
        None,
        "invalid_input",
        None,
        "invalid_input",
    ]
    assert "duplicate custom_id 'row-1'" in plain[1]["error"]["message"]
    assert sent_plain == 2
    # With dedupe the identical pair is sent once and both rows get the answer; another
    # request under a taken id is still refused.
    assert [r["error"] and r["error"]["code"] for r in deduped] == [
        None,
        "invalid_input",
        None,
        None,
    ]
    assert sent_deduped == 2


async def test_run_row_is_the_unit_a_distributed_runner_calls(vt: VirtualTime) -> None:
    sim = Simulation(vt)
    client = sim.client()
    runner = sim.runner(client, requests_per_minute=60)

    async def two() -> list[dict[str, Any]]:
        first = await runner.run_row(chat_row(1))
        second = await runner.run_row(chat_row(2))
        return [first, second]

    try:
        first, second = await vt.run(two())
    finally:
        await client.aclose()
        await client._http.client.aclose()
    assert first["error"] is None
    assert second["response"]["status_code"] == 200
    assert vt.now == pytest.approx(1.0 + 0.2)  # 60/min: the second waited a second
    assert runner.stats.succeeded == 2


async def test_async_client_batch_over_sockets(stub: StubServer) -> None:
    async with AsyncInferenceClient(
        provider="stub", api_key="k", registry=stub_registry(stub.url)
    ) as client:
        results = await client.batch([chat_row(i) for i in range(10)], concurrency=5)
        out = [row async for row in results]
    assert len(out) == 10
    assert stub.stats.requests == 10
