"""Virtual time for tests: ``InferenceClient(..., clock=FakeClock())``."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

from infermux.clock import Clock

if TYPE_CHECKING:
    from infermux.engine.effects import CancelToken

__all__ = ["FakeClock"]


class FakeClock(Clock):
    """A clock whose time moves only when something sleeps on it (or the test advances it).

    A sleep returns at once after moving the time forward, so back-off, polling intervals
    and deadlines are exercised exactly, in no real time. ``sleeps`` records every wait, in
    order, for assertions. A sleep on a cancel token that is already cancelled does not
    advance the time, as a real wait would wake at once.

    Network timeouts stay real: a socket that hangs is bounded by the transport's own
    (wall-clock) timeout, which this clock does not touch.
    """

    __slots__ = ("_lock", "_now", "sleeps")

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()
        #: Every wait asked of the clock, in seconds, in order.
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the time forward by ``seconds``."""
        with self._lock:
            self._now += max(seconds, 0.0)

    def sleep(self, seconds: float, cancel: CancelToken | None = None) -> None:
        self.sleeps.append(seconds)
        if cancel is not None and cancel.cancelled:
            return
        self.advance(seconds)

    async def asleep(self, seconds: float, cancel: CancelToken | None = None) -> None:
        self.sleep(seconds, cancel)
        await asyncio.sleep(0)  # still a checkpoint: other tasks run, cancellation lands

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now:g})"
