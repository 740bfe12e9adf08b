"""The rate limiter alone, on a fake clock: no test waits or depends on machine speed."""

from __future__ import annotations

import asyncio

import pytest

from infermux.batch.limiter import (
    AdaptiveRateLimiter,
    LimiterSet,
    parse_duration,
    rate_limit_headers,
)
from infermux.errors import InvalidInputError
from tests.batch.virtual_time import VirtualTime


def limiter(
    vt: VirtualTime, rpm: float | None = None, tpm: float | None = None, **options: float
) -> AdaptiveRateLimiter:
    return AdaptiveRateLimiter(rpm, tpm, clock=vt.clock, sleep=vt.sleep, **options)


async def test_requests_are_spaced_evenly(vt: VirtualTime) -> None:
    lim = limiter(vt, rpm=120)

    async def grants() -> list[float]:
        return [(await lim.acquire(1)).granted_at for _ in range(5)]

    assert await vt.run(grants()) == [0.0, 0.5, 1.0, 1.5, 2.0]


async def test_concurrent_waiters_are_served_in_order_one_slot_each(vt: VirtualTime) -> None:
    lim = limiter(vt, rpm=60)

    async def many() -> list[float]:
        grants = await asyncio.gather(*(lim.acquire(1) for _ in range(4)))
        return [g.granted_at for g in grants]

    assert await vt.run(many()) == [0.0, 1.0, 2.0, 3.0]


async def test_tokens_wait_for_the_bucket_and_usage_corrects_the_charge(
    vt: VirtualTime,
) -> None:
    lim = limiter(vt, tpm=600)  # 10 tokens a second, a bucket of 10

    async def run() -> list[float]:
        first = await lim.acquire(10)  # empties the bucket
        second = await lim.acquire(5)  # waits 0.5 s
        lim.correct_tokens(second, 1)  # used 1, not 5: 4 back
        third = await lim.acquire(8)  # level 4 at 0.5 s: waits 0.4 s
        return [first.granted_at, second.granted_at, third.granted_at]

    times = await vt.run(run())
    assert times == pytest.approx([0.0, 0.5, 0.9])


async def test_a_row_larger_than_the_bucket_waits_for_a_full_bucket(vt: VirtualTime) -> None:
    lim = limiter(vt, tpm=600)

    async def run() -> list[float]:
        big = await lim.acquire(50)  # full bucket: goes, overdraws to -40
        small = await lim.acquire(10)  # waits until the bucket holds 10 again: 5 s
        return [big.granted_at, small.granted_at]

    assert await vt.run(run()) == pytest.approx([0.0, 5.0])


async def test_429_pauses_everyone_honouring_retry_after_and_halves_once_per_event(
    vt: VirtualTime,
) -> None:
    lim = limiter(vt, rpm=600)

    async def run() -> tuple[float, float, float]:
        grants = [await lim.acquire(1) for _ in range(3)]
        for grant in grants:  # three answers of one congestion event
            lim.on_rate_limited(grant, 2.0)
        after = await lim.acquire(1)
        return after.granted_at, lim.factor, lim.requests_per_minute or 0

    granted, factor, rpm = await vt.run(run())
    assert granted == pytest.approx(0.2 + 2.0)  # paused until the last 429 + Retry-After
    assert factor == 0.5
    assert rpm == 300
    assert lim.rate_limited_count == 3


async def test_a_429_for_a_request_sent_after_the_decrease_lowers_again(vt: VirtualTime) -> None:
    lim = limiter(vt, rpm=600)

    async def run() -> float:
        first = await lim.acquire(1)
        lim.on_rate_limited(first, 0.0)
        second = await lim.acquire(1)
        lim.on_rate_limited(second, 0.0)
        return lim.factor

    assert await vt.run(run()) == 0.25


async def test_clean_answers_climb_back_additively(vt: VirtualTime) -> None:
    lim = limiter(vt, rpm=600, recovery=0.05)

    async def run() -> list[float]:
        grant = await lim.acquire(1)
        lim.on_rate_limited(grant, 1.0)  # factor 0.5, paused until 1.0
        factors = []
        for _ in range(3):
            await vt.sleep(2.0)
            lim.on_success(await lim.acquire(1))
            factors.append(lim.factor)
        return factors

    # Climbing starts when the pause ends (1 s), at 5% of the ceiling a second.
    assert await vt.run(run()) == pytest.approx([0.55, 0.65, 0.75])


async def test_without_a_configured_limit_the_first_429_sets_one_from_the_measured_rate(
    vt: VirtualTime,
) -> None:
    lim = limiter(vt)

    async def run() -> float | None:
        grants = []
        for _ in range(11):  # 10 a second, unlimited so far
            grants.append(await lim.acquire(1))
            await vt.sleep(0.1)
        lim.on_rate_limited(grants[-1], None)
        return lim.requests_per_minute

    assert await vt.run(run()) == pytest.approx(300)  # measured 600/min, halved


async def test_rate_limit_headers_clamp_the_ceilings_and_pause_when_exhausted(
    vt: VirtualTime,
) -> None:
    lim = limiter(vt, rpm=1000, tpm=100_000)

    async def run() -> float:
        grant = await lim.acquire(1)
        lim.on_success(
            grant,
            {
                "x-ratelimit-limit-requests": "500",
                "x-ratelimit-limit-tokens": "40000",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": "1.5s",
            },
        )
        return (await lim.acquire(1)).granted_at

    assert await vt.run(run()) == pytest.approx(1.5)
    assert (lim.requests_per_minute, lim.tokens_per_minute) == (500, 40_000)


def test_parse_duration_reads_openai_reset_formats() -> None:
    assert parse_duration("1s") == 1.0
    assert parse_duration("6m0s") == 360.0
    assert parse_duration("20ms") == pytest.approx(0.02)
    assert parse_duration("1h2m3.5s") == pytest.approx(3723.5)
    assert parse_duration("0.25") == 0.25
    assert parse_duration("soon") is None
    assert parse_duration("") is None
    headers = rate_limit_headers({"x-ratelimit-limit-requests": "x"})
    assert headers.limit_requests is None


def test_bad_limits_are_configuration_errors() -> None:
    with pytest.raises(InvalidInputError, match="requests_per_minute"):
        AdaptiveRateLimiter(0)
    with pytest.raises(InvalidInputError, match="tokens_per_minute"):
        LimiterSet(tokens_per_minute={"p": -1})
    with pytest.raises(InvalidInputError, match="decrease"):
        AdaptiveRateLimiter(decrease=1.5)


def test_limiter_set_makes_one_limiter_per_provider() -> None:
    limits = LimiterSet(requests_per_minute={"a": 60})
    a, b = limits("a"), limits("b")
    assert limits("a") is a
    assert isinstance(a, AdaptiveRateLimiter)
    assert isinstance(b, AdaptiveRateLimiter)
    assert (a.requests_per_minute, b.requests_per_minute) == (60, None)
    made: list[str] = []

    def factory(provider: str) -> AdaptiveRateLimiter:
        made.append(provider)
        return AdaptiveRateLimiter()

    shared = LimiterSet(factory=factory)
    shared("x")
    shared("x")
    assert made == ["x"]
