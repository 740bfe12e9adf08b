"""A provider simulated in virtual time: the stub server's own answering logic (rate
limits, faults, usage) behind an ``httpx2.MockTransport`` whose latency is a virtual
sleep, and the real client, engine and batch runner in front of it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx2

from infermux import AsyncInferenceClient
from infermux.batch import LimiterSet, RowRunner, run_rows
from infermux.testing.stub_server import StubServer
from tests.batch.conftest import stub_registry
from tests.batch.virtual_time import VirtualTime


class Simulation:
    def __init__(self, vt: VirtualTime, *, latency: float = 0.2, **stub_options: Any) -> None:
        self.vt = vt
        self.latency = latency
        self.stub = StubServer(clock=vt.clock, **stub_options)

    async def _handle(self, request: httpx2.Request) -> httpx2.Response:
        await self.vt.sleep(self.latency)
        reply = self.stub.answer(request.method, request.url.path, request.content)
        return httpx2.Response(reply.status, headers=reply.headers, content=reply.content)

    def client(self, **options: Any) -> AsyncInferenceClient:
        transport = httpx2.MockTransport(self._handle)
        return AsyncInferenceClient(
            provider="stub",
            api_key="k",
            registry=stub_registry("http://stub.test/v1"),
            http_client=httpx2.AsyncClient(transport=transport),
            **options,
        )

    def runner(
        self,
        client: AsyncInferenceClient,
        *,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        **options: Any,
    ) -> RowRunner:
        limiters = LimiterSet(
            requests_per_minute, tokens_per_minute, clock=self.vt.clock, sleep=self.vt.sleep
        )
        return RowRunner(
            client, limiters=limiters, clock=self.vt.clock, sleep=self.vt.sleep, **options
        )

    async def run(
        self, runner: RowRunner, rows: Iterable[dict[str, Any]], **options: Any
    ) -> list[dict[str, Any]]:
        async def collect() -> list[dict[str, Any]]:
            return [row async for row in run_rows(runner, rows, **options)]

        try:
            return await self.vt.run(collect())
        finally:
            await runner.client.aclose()
            http = runner.client._http.client
            await http.aclose()


def window_max(times: list[float], width: float, weights: list[int] | None = None) -> float:
    """The largest total (count, or sum of ``weights``) in any window ``width`` long that
    starts at an event."""
    weights = weights or [1] * len(times)
    best, total, start = 0.0, 0.0, 0
    for end in range(len(times)):
        total += weights[end]
        while times[end] - times[start] >= width:
            total -= weights[start]
            start += 1
        best = max(best, total)
    return best
