"""Rate limits, proven in virtual time against the stub's own rate limiting (issue 15's
"how it is proven": limit right, limit at twice the real one, tokens per minute, faults).

Every run here takes simulated minutes and real milliseconds, identically on any machine.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.batch.conftest import chat_row
from tests.batch.simulated import Simulation, window_max
from tests.batch.virtual_time import VirtualTime


@pytest.mark.slow  # simulated minutes: a few seconds of CPU
async def test_limit_configured_right_uses_90_to_100_percent_with_no_429(vt: VirtualTime) -> None:
    sim = Simulation(vt, requests_per_minute=600)
    runner = sim.runner(sim.client(), requests_per_minute=600)
    rows = await sim.run(runner, [chat_row(i) for i in range(1200)], concurrency=32)
    assert all(row["error"] is None for row in rows)
    assert sim.stub.stats.rate_limited <= 0.01 * sim.stub.stats.requests
    served = [t for t, _ in sim.stub.stats.served]
    per_minute = (len(served) - 1) / (served[-1] - served[0]) * 60
    assert 0.9 * 600 <= per_minute <= 600 * 1.001
    assert window_max(served, 60.0) <= 600 + 10  # + the stub's one-second burst


@pytest.mark.slow  # simulated minutes: a few seconds of CPU
async def test_limit_twice_the_real_one_settles_within_10s_and_every_row_succeeds(
    vt: VirtualTime,
) -> None:
    sim = Simulation(vt, requests_per_minute=600)
    runner = sim.runner(sim.client(), requests_per_minute=1200)
    rows = await sim.run(runner, [chat_row(i) for i in range(1500)], concurrency=64)
    assert [row["error"] for row in rows] == [None] * 1500
    log = sim.stub.stats.log
    first_429 = min(t for t, status in log if status == 429)
    settled = [t for t, _ in log if t >= first_429 + 10]
    assert settled, "the run should last well past the first 429"
    # Every request sent (answered or refused) counts: in any 10 s window after the first
    # 10 s following the first 429, at most 1.1x the real rate.
    assert window_max(settled, 10.0) <= 1.1 * 600 / 6


def _texts(count: int) -> list[str]:
    return [("lorem ipsum " * (1 + i % 40)).strip() for i in range(count)]


async def test_tokens_per_minute_never_exceed_the_limit_by_5_percent(vt: VirtualTime) -> None:
    # max_tokens bounds each answer (the stub echoes: at most ~122 completion tokens), so
    # the estimate is an upper bound, as it is when callers set max_tokens.
    sim = Simulation(vt, tokens_per_minute=20_000)
    runner = sim.runner(sim.client(), tokens_per_minute=20_000)
    rows = await sim.run(
        runner,
        [chat_row(i, text, max_tokens=128) for i, text in enumerate(_texts(800))],
        concurrency=32,
    )
    assert all(row["error"] is None for row in rows)
    times = [t for t, _ in sim.stub.stats.served]
    used = [u for _, u in sim.stub.stats.served]
    assert window_max(times, 60.0, used) <= 1.05 * 20_000
    assert sim.stub.stats.rate_limited <= 0.01 * sim.stub.stats.requests
    # The usage corrections refund what the estimates over-charged: the budget is used.
    per_minute = sum(used) / (times[-1] - times[0]) * 60
    assert per_minute >= 0.9 * 20_000


@pytest.mark.slow  # simulated minutes: a few seconds of CPU
async def test_tokens_per_minute_hold_when_estimates_are_low(vt: VirtualTime) -> None:
    # No max_tokens: the estimate counts the prompt only and every answer costs about
    # twice that. The usage corrections and the provider's 429s keep the windows right.
    sim = Simulation(vt, tokens_per_minute=20_000)
    runner = sim.runner(sim.client(), tokens_per_minute=20_000)
    rows = await sim.run(
        runner, [chat_row(i, text) for i, text in enumerate(_texts(800))], concurrency=32
    )
    assert all(row["error"] is None for row in rows)
    times = [t for t, _ in sim.stub.stats.served]
    used = [u for _, u in sim.stub.stats.served]
    assert window_max(times, 60.0, used) <= 1.05 * 20_000


async def test_one_percent_400_and_one_percent_500_become_exactly_those_error_rows(
    vt: VirtualTime,
) -> None:
    sim = Simulation(vt, faults={"fail-400": 400, "fail-500": 500})

    def text(i: int) -> str:
        return (
            f"row {i}"
            + (" fail-400" if i % 100 == 7 else "")
            + (" fail-500" if i % 100 == 42 else "")
        )

    runner = sim.runner(sim.client(max_retries=2))
    rows = await sim.run(runner, [chat_row(i, text(i)) for i in range(500)], concurrency=16)
    errors = {row["custom_id"]: row["error"]["code"] for row in rows if row["error"]}
    assert errors == {
        **{f"row-{i}": "bad_request" for i in range(500) if i % 100 == 7},
        **{f"row-{i}": "server_error" for i in range(500) if i % 100 == 42},
    }
    attempts = Counter(row["infermux"]["attempts"] for row in rows if row["error"])
    assert attempts == {1: 5, 3: 5}  # a 400 is not retried; a 500 is, twice
    bad = next(row for row in rows if row["custom_id"] == "row-7")
    assert bad["response"]["status_code"] == 400
    assert "injected fault" in bad["error"]["message"]
    assert len(rows) == 500
    assert len({row["custom_id"] for row in rows}) == 500
