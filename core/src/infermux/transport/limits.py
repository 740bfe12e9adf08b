"""Client-side limits: requests per minute per provider, and a concurrency cap.

One :class:`Limits` object belongs to a client and is shared by all its calls. The
arithmetic (a token bucket per provider) is pure; the sync and async flavours only differ
in how they wait. A request holds its concurrency slot until its answer is read; a stream
holds it until the stream is closed or exhausted (the client hands ``release`` to the
stream's handle), so ``max_concurrency`` counts open streams too.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING

from infermux.clock import SYSTEM_CLOCK, Clock

if TYPE_CHECKING:
    import asyncio

__all__ = ["AsyncLimits", "SyncLimits", "TokenBucket"]


class TokenBucket:
    """``rate_per_minute`` requests per minute, with a burst of one second's worth (>= 1)."""

    __slots__ = ("_capacity", "_rate", "_tokens", "_updated")

    def __init__(self, rate_per_minute: float, now: float) -> None:
        self._rate = rate_per_minute / 60.0
        self._capacity = max(1.0, self._rate)
        self._tokens = self._capacity
        self._updated = now

    def reserve(self, now: float) -> float:
        """Take a token; return how long to wait before using it (0 if available now)."""
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self._rate


class _Buckets:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._buckets: dict[tuple[str, float], TokenBucket] = {}
        self._lock = threading.Lock()

    def delay(self, provider: str, rate_per_minute: float | None) -> float:
        if not rate_per_minute or rate_per_minute <= 0:
            return 0.0
        with self._lock:
            key = (provider, rate_per_minute)
            now = self._clock.now()
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(rate_per_minute, now)
            return bucket.reserve(now)


class SyncLimits:
    """Blocking limits for the sync client (thread-safe)."""

    def __init__(self, max_concurrency: int | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
        self._clock = clock
        self._buckets = _Buckets(clock)
        self._slots = threading.BoundedSemaphore(max_concurrency) if max_concurrency else None
        #: Whether a concurrency cap applies (without one, and without a request budget,
        #: the client skips ``slot`` altogether).
        self.capped = self._slots is not None

    @contextmanager
    def slot(self, provider: str, rate_per_minute: float | None) -> Iterator[None]:
        self.acquire(provider, rate_per_minute)
        try:
            yield
        finally:
            self.release()

    def acquire(self, provider: str, rate_per_minute: float | None) -> None:
        """Wait for the request budget and a free slot; pair with one :meth:`release`."""
        delay = self._buckets.delay(provider, rate_per_minute)
        if delay > 0:
            self._clock.sleep(delay)
        if self._slots is not None:
            self._slots.acquire()

    def release(self) -> None:
        if self._slots is not None:
            self._slots.release()


class AsyncLimits:
    """Awaiting limits for the async client (one event loop)."""

    def __init__(self, max_concurrency: int | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
        self._clock = clock
        self._buckets = _Buckets(clock)
        self._max = max_concurrency
        #: Whether a concurrency cap applies (see SyncLimits.capped).
        self.capped = bool(max_concurrency)
        self._slots: asyncio.Semaphore | None = None

    @asynccontextmanager
    async def slot(self, provider: str, rate_per_minute: float | None) -> AsyncIterator[None]:
        await self.acquire(provider, rate_per_minute)
        try:
            yield
        finally:
            self.release()

    async def acquire(self, provider: str, rate_per_minute: float | None) -> None:
        """Wait for the request budget and a free slot; pair with one :meth:`release`."""
        delay = self._buckets.delay(provider, rate_per_minute)
        if delay > 0:
            await self._clock.asleep(delay)
        if not self._max:
            return
        if self._slots is None:  # created lazily, inside the running loop
            import asyncio  # here: the sync client never imports asyncio

            self._slots = asyncio.Semaphore(self._max)
        await self._slots.acquire()

    def release(self) -> None:
        if self._slots is not None:
            self._slots.release()
