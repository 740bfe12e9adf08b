"""A rate limit shared by every worker of a cluster: the state (held by one actor) and the
proxy each worker's row runner uses instead of an in-process limiter.

The limiting itself is the batch runner's :class:`~infermux.batch.AdaptiveRateLimiter`
(requests and tokens per minute, AIMD on 429s, ``Retry-After``, rate-limit headers); here it
only moves into one process so that every worker draws from the same budget::

    worker                                actor (one per cluster)
    grant = await acquire(provider, n) ─► LimiterService.acquire: waits, then leases a grant
    send the request
    429 ─► on_rate_limited(grant, ra) ──► pauses the provider for every worker, lowers the rate
    2xx ─► on_success(grant, headers) ──► the rate climbs back; headers clamp it

A lease is one :class:`~infermux.batch.Grant`. Only the acquire is awaited; the reports are
sent without waiting for an answer. The transport (a Ray actor handle, a Dask actor) is the
caller's: :class:`RemoteLimiter` takes it as a small :class:`LimiterTransport`.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from infermux.batch.limiter import AdaptiveRateLimiter, Clock, Grant, LimiterSet, SleepFn

__all__ = ["LimiterService", "LimiterTransport", "RemoteLimiter", "rate_headers_only"]

Rate = float | Mapping[str, float] | None


def rate_headers_only(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """The ``x-ratelimit-*`` headers of an answer: all the limiter reads, and all that is
    worth sending to the actor (never an auth or cookie header)."""
    if not headers:
        return None
    kept = {k.lower(): v for k, v in headers.items() if k.lower().startswith("x-ratelimit-")}
    return kept or None


class LimiterService:
    """The state of a shared limit: one :class:`AdaptiveRateLimiter` per provider.

    Lives in one process (a Ray or Dask actor) and runs on that process's event loop; the
    limiters are not thread-safe, so every method must be called on that one loop.
    """

    def __init__(
        self,
        requests_per_minute: Rate = None,
        tokens_per_minute: Rate = None,
        *,
        clock: Clock = time.monotonic,
        sleep: SleepFn = asyncio.sleep,
    ) -> None:
        self._limiters = LimiterSet(
            requests_per_minute, tokens_per_minute, clock=clock, sleep=sleep
        )
        self.leases: Counter[str] = Counter()
        self.rate_limited: Counter[str] = Counter()

    async def acquire(self, provider: str, tokens: int) -> Grant:
        """Wait until ``provider`` may be sent one request costing ``tokens``; lease it."""
        grant = await self._limiters(provider).acquire(tokens)
        self.leases[provider] += 1
        return grant

    def on_rate_limited(self, provider: str, grant: Grant, retry_after: float | None) -> None:
        self.rate_limited[provider] += 1
        self._limiters(provider).on_rate_limited(grant, retry_after)

    def on_success(self, provider: str, grant: Grant, headers: Mapping[str, str] | None) -> None:
        self._limiters(provider).on_success(grant, headers)

    def correct_tokens(self, provider: str, grant: Grant, used: int) -> None:
        self._limiters(provider).correct_tokens(grant, used)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Per provider: leases handed out, 429s reported, and the rates in force now."""
        out: dict[str, dict[str, Any]] = {}
        for provider, limiter in self._limiters.items():
            assert isinstance(limiter, AdaptiveRateLimiter)
            out[provider] = {
                "leases": self.leases[provider],
                "rate_limited": self.rate_limited[provider],
                "requests_per_minute": limiter.requests_per_minute,
                "tokens_per_minute": limiter.tokens_per_minute,
            }
        return out


class LimiterTransport(Protocol):
    """How a worker reaches the actor: one awaited call, and reports sent without waiting."""

    def acquire(self, provider: str, tokens: int) -> Awaitable[Grant]:
        """The actor's :meth:`LimiterService.acquire`, awaited."""
        ...

    def report(self, method: str, *args: Any) -> None:
        """Call ``method`` of the actor's service (``on_success`` ...); do not wait."""
        ...


class RemoteLimiter:
    """A worker's limiter for one provider whose state lives in the actor (the batch
    runner's :class:`~infermux.batch.RateLimiter` interface)."""

    def __init__(self, provider: str, transport: LimiterTransport) -> None:
        self.provider = provider
        self._transport = transport

    async def acquire(self, tokens: int) -> Grant:
        return await self._transport.acquire(self.provider, tokens)

    def on_rate_limited(self, grant: Grant, retry_after: float | None) -> None:
        self._transport.report("on_rate_limited", self.provider, grant, retry_after)

    def on_success(self, grant: Grant, headers: Mapping[str, str] | None = None) -> None:
        self._transport.report("on_success", self.provider, grant, rate_headers_only(headers))

    def correct_tokens(self, grant: Grant, used: int) -> None:
        self._transport.report("correct_tokens", self.provider, grant, used)


def remote_limiters(transport: LimiterTransport) -> Callable[[str], RemoteLimiter]:
    """A ``LimiterSet`` factory: every provider's limiter goes through ``transport``."""
    return lambda provider: RemoteLimiter(provider, transport)
