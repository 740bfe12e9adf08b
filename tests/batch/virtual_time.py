"""Virtual time for asyncio tests: ``sleep`` waits on a virtual clock that jumps ahead
whenever every task is waiting, so a ten-minute rate-limited run takes milliseconds and
gives the same result on any machine.

Works while nothing waits on real I/O (use ``httpx2.MockTransport`` for HTTP). "Every
task is waiting" is read from the event loop's queue of ready callbacks (CPython's
``loop._ready``): empty means every task waits on something, here a virtual sleep.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Awaitable
from typing import Any, TypeVar

T = TypeVar("T")


class VirtualTime:
    """``clock()`` and ``sleep()`` to inject; ``run(coro)`` drives them."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._count = 0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), self._count, future))
        self._count += 1
        await future

    async def run(self, awaitable: Awaitable[T]) -> T:
        """Run ``awaitable`` to its end, advancing the clock whenever all tasks wait."""
        loop = asyncio.get_running_loop()
        ready = loop._ready  # type: ignore[attr-defined]
        task: asyncio.Future[Any] = asyncio.ensure_future(awaitable)
        while not task.done():
            await asyncio.sleep(0)
            if task.done() or ready:
                continue  # something still runs: let it
            while self._sleepers and self._sleepers[0][2].cancelled():
                heapq.heappop(self._sleepers)
            if not self._sleepers:
                task.cancel()
                raise AssertionError("every task waits, but not on virtual time: a deadlock")
            wake = self._sleepers[0][0]
            self.now = max(self.now, wake)
            while self._sleepers and self._sleepers[0][0] <= wake:
                future = heapq.heappop(self._sleepers)[2]
                if not future.cancelled():
                    future.set_result(None)
        return task.result()  # type: ignore[no-any-return]
