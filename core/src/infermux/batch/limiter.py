"""Per-provider rate limiting for batches: requests and tokens per minute, 429 back-off
(AIMD), and clamping by the provider's rate-limit headers.

The interface a runner needs is small (:class:`RateLimiter`), so a limiter shared by many
processes (e.g. behind a Ray actor) can replace the in-process one::

    grant = await limiter.acquire(tokens)         # waits for a request slot and tokens
    limiter.on_rate_limited(grant, retry_after)   # a 429: pause everyone, lower the rate
    limiter.on_success(grant, headers)            # clean answer: climb back, read headers
    limiter.correct_tokens(grant, used)           # the answer's usage replaces the estimate

:class:`AdaptiveRateLimiter` is the in-process implementation. Time is a parameter: it
takes ``clock`` and ``sleep``, so tests drive it with a fake clock and never wait.

How it limits:

- requests: evenly spaced starts, ``60 / rpm`` seconds apart (no burst, so a provider
  counting in any window never sees more than its limit); waiters queue in arrival order;
- tokens: a bucket holding one second of the per-minute budget; a row is charged its
  estimate before it is sent (a row larger than a second's budget still runs, and later
  rows wait longer), and the answer's ``usage`` corrects the charge;
- 429: every request to the provider waits until ``Retry-After`` (1 s without one) and the
  rate is multiplied by ``decrease`` (once per congestion event: 429s for requests granted
  before the last decrease do not lower it again); clean answers add back ``recovery`` of
  the ceiling per second (additive increase, multiplicative decrease). Without a
  configured limit, the first 429 sets the ceiling to the rate measured just before it;
- headers: ``x-ratelimit-limit-requests`` / ``-tokens`` (per minute, OpenAI's and many
  others') lower the ceilings; a ``remaining`` of 0 pauses until its ``reset``.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from infermux.errors import InvalidInputError

__all__ = [
    "AdaptiveRateLimiter",
    "Grant",
    "LimiterSet",
    "RateLimiter",
    "parse_duration",
    "rate_limit_headers",
]

Clock = Callable[[], float]
#: Waits shorter than this are taken as none (float rounding in the budgets' arithmetic).
_EPSILON = 1e-6
SleepFn = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Grant:
    """Permission to send one request: what it was charged and when it was granted."""

    tokens: int
    #: The limiter's decrease count when granted (a 429 on an older grant is not news).
    epoch: int
    granted_at: float


class RateLimiter(Protocol):
    """What the batch runner asks of a limiter (one per provider)."""

    async def acquire(self, tokens: int) -> Grant:
        """Wait until one request costing ``tokens`` may be sent."""
        ...

    def on_rate_limited(self, grant: Grant, retry_after: float | None) -> None:
        """The request was answered 429."""
        ...

    def on_success(self, grant: Grant, headers: Mapping[str, str] | None = None) -> None:
        """The request was answered without a rate-limit error."""
        ...

    def correct_tokens(self, grant: Grant, used: int) -> None:
        """The request really used ``used`` tokens (from the answer's ``usage``)."""
        ...


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


def parse_duration(text: str | None) -> float | None:
    """``"1s"``, ``"6m0s"``, ``"20ms"``, ``"0.5"`` -> seconds; None when unreadable."""
    if not text:
        return None
    text = text.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    total, end = 0.0, 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != end:
            return None
        value, unit = float(match.group(1)), match.group(2)
        total += value * {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}[unit]
        end = match.end()
    return total if end == len(text) and end else None


def _number(headers: Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class RateHeaders:
    """What a provider's rate-limit headers say (None where a header is absent)."""

    limit_requests: float | None = None
    remaining_requests: float | None = None
    reset_requests: float | None = None
    limit_tokens: float | None = None
    remaining_tokens: float | None = None
    reset_tokens: float | None = None


def rate_limit_headers(headers: Mapping[str, str]) -> RateHeaders:
    """Read OpenAI-style ``x-ratelimit-*`` headers (limits are per minute)."""
    return RateHeaders(
        limit_requests=_number(headers, "x-ratelimit-limit-requests"),
        remaining_requests=_number(headers, "x-ratelimit-remaining-requests"),
        reset_requests=parse_duration(headers.get("x-ratelimit-reset-requests")),
        limit_tokens=_number(headers, "x-ratelimit-limit-tokens"),
        remaining_tokens=_number(headers, "x-ratelimit-remaining-tokens"),
        reset_tokens=parse_duration(headers.get("x-ratelimit-reset-tokens")),
    )


def _check_rate(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidInputError(f"{name} must be a number > 0 (or None), got {value!r}")
    return float(value)


class AdaptiveRateLimiter:
    """One provider's limiter; see the module docstring. Not thread-safe: one event loop."""

    def __init__(
        self,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: SleepFn = asyncio.sleep,
        decrease: float = 0.5,
        recovery: float = 0.02,
        min_fraction: float = 0.01,
        default_pause: float = 1.0,
        max_pause: float = 300.0,
    ) -> None:
        self.configured_rpm = _check_rate("requests_per_minute", requests_per_minute)
        self.configured_tpm = _check_rate("tokens_per_minute", tokens_per_minute)
        if not 0 < decrease < 1:
            raise InvalidInputError(f"decrease must be between 0 and 1, got {decrease!r}")
        self._clock = clock
        self._sleep = sleep
        self.decrease = decrease
        self.recovery = recovery
        self.min_fraction = min_fraction
        self.default_pause = default_pause
        self.max_pause = max_pause
        #: Ceilings: the configured limits, lowered by headers or set by a first 429.
        self.ceiling_rpm = self.configured_rpm
        self.ceiling_tpm = self.configured_tpm
        #: AIMD: the fraction of the ceilings in use now.
        self.factor = 1.0
        self.epoch = 0
        self.paused_until = 0.0
        self.rate_limited_count = 0
        self._turn = asyncio.Lock()
        self._next_free = 0.0
        self._level = 0.0 if self.ceiling_tpm is None else self.ceiling_tpm / 60
        self._refilled_at = clock()
        self._climbed_at = 0.0
        self._recent: deque[float] = deque(maxlen=256)

    # -- what is in force now ----------------------------------------------------------------

    @property
    def requests_per_minute(self) -> float | None:
        """The request rate in force (None: unlimited)."""
        return None if self.ceiling_rpm is None else self.ceiling_rpm * self.factor

    @property
    def tokens_per_minute(self) -> float | None:
        """The token rate in force (None: unlimited)."""
        return None if self.ceiling_tpm is None else self.ceiling_tpm * self.factor

    def _wait(self, now: float, tokens: int) -> float:
        """Seconds until a request of ``tokens`` may start (0: now)."""
        if self.paused_until > now:
            return self.paused_until - now
        wait = 0.0
        if self.requests_per_minute is not None:
            wait = self._next_free - now
        tpm = self.tokens_per_minute
        if tpm is not None:
            capacity = tpm / 60  # the bucket holds a second's worth
            self._level = min(capacity, self._level + (now - self._refilled_at) * tpm / 60)
            self._refilled_at = now
            # A row larger than the whole bucket waits for a full bucket, then overdraws.
            need = min(float(tokens), capacity)
            if self._level < need:
                wait = max(wait, (need - self._level) * 60 / tpm)
        return wait

    async def acquire(self, tokens: int) -> Grant:
        # One waiter at a time, in arrival order (asyncio.Lock is fair): the head sleeps
        # until its request fits, the others wait behind it rather than all waking and
        # re-checking for every free slot.
        async with self._turn:
            while True:
                now = self._clock()
                wait = self._wait(now, tokens)
                if wait <= _EPSILON:  # a rounding's worth: waiting it would not move time
                    break
                await self._sleep(wait)  # then check again: a 429 may have paused us
            rpm = self.requests_per_minute
            if rpm is not None:
                self._next_free = max(self._next_free, now) + 60 / rpm
            if self.tokens_per_minute is not None:
                self._level -= tokens
            self._recent.append(now)
            return Grant(tokens, self.epoch, now)

    # -- what the answers say ----------------------------------------------------------------

    def _measured_rpm(self) -> float | None:
        if len(self._recent) < 2:
            return None
        span = self._recent[-1] - self._recent[0]
        return (len(self._recent) - 1) * 60 / span if span > 0 else None

    def on_rate_limited(self, grant: Grant, retry_after: float | None) -> None:
        now = self._clock()
        self.rate_limited_count += 1
        pause = self.default_pause if retry_after is None else retry_after
        self.paused_until = max(self.paused_until, now + min(pause, self.max_pause))
        self._climbed_at = self.paused_until
        if grant.epoch >= self.epoch:  # else: sent before the last decrease, same event
            self.epoch += 1
            if self.ceiling_rpm is None:
                measured = self._measured_rpm()
                if measured is not None:
                    self.ceiling_rpm = measured
            self.factor = max(self.min_fraction, self.factor * self.decrease)

    def on_success(self, grant: Grant, headers: Mapping[str, str] | None = None) -> None:
        now = self._clock()
        if self.factor < 1.0 and now > self._climbed_at:
            self.factor = min(1.0, self.factor + self.recovery * (now - self._climbed_at))
            self._climbed_at = now
        if headers:
            self._clamp(now, rate_limit_headers(headers))

    def _clamp(self, now: float, limits: RateHeaders) -> None:
        if limits.limit_requests:
            self.ceiling_rpm = min(self.ceiling_rpm or limits.limit_requests, limits.limit_requests)
        if limits.limit_tokens:
            self.ceiling_tpm = min(self.ceiling_tpm or limits.limit_tokens, limits.limit_tokens)
        for remaining, reset in (
            (limits.remaining_requests, limits.reset_requests),
            (limits.remaining_tokens, limits.reset_tokens),
        ):
            if remaining is not None and remaining <= 0 and reset:
                self.paused_until = max(self.paused_until, now + min(reset, self.max_pause))

    def correct_tokens(self, grant: Grant, used: int) -> None:
        tpm = self.tokens_per_minute
        if tpm is not None:
            # Charged the estimate; the provider counts what was used. Overdraw or refund
            # (a refund never fills the bucket past its depth).
            self._level = min(tpm / 60, self._level + grant.tokens - used)


class LimiterSet:
    """One limiter per provider, made on first use by ``factory(provider)``.

    ``requests_per_minute`` and ``tokens_per_minute`` are one number for every provider or
    ``{provider: number}``.
    """

    def __init__(
        self,
        requests_per_minute: float | Mapping[str, float] | None = None,
        tokens_per_minute: float | Mapping[str, float] | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: SleepFn = asyncio.sleep,
        factory: Callable[[str], RateLimiter] | None = None,
    ) -> None:
        self._rpm = requests_per_minute
        self._tpm = tokens_per_minute
        self._clock = clock
        self._sleep = sleep
        self._factory = factory
        self._limiters: dict[str, RateLimiter] = {}
        # Validate now: a bad limit is a configuration error, found before any request.
        for name, value in (("requests_per_minute", self._rpm), ("tokens_per_minute", self._tpm)):
            values = value.values() if isinstance(value, Mapping) else [value]
            for number in values:
                _check_rate(name, number)

    @staticmethod
    def _for(value: float | Mapping[str, float] | None, provider: str) -> float | None:
        return value.get(provider) if isinstance(value, Mapping) else value

    def __call__(self, provider: str) -> RateLimiter:
        """The limiter of ``provider``."""
        limiter = self._limiters.get(provider)
        if limiter is None:
            if self._factory is not None:
                limiter = self._factory(provider)
            else:
                limiter = AdaptiveRateLimiter(
                    self._for(self._rpm, provider),
                    self._for(self._tpm, provider),
                    clock=self._clock,
                    sleep=self._sleep,
                )
            self._limiters[provider] = limiter
        return limiter

    def items(self) -> list[tuple[str, RateLimiter]]:
        return list(self._limiters.items())
