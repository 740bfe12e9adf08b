"""The summary (counts, percentiles, tokens, cost) and the plain progress lines."""

from __future__ import annotations

import io

import pytest

from infermux.batch.summary import BatchStats, LatencyHistogram, parse_prices
from infermux.errors import InvalidInputError
from infermux.progress import BatchProgress, format_duration, make_progress


def row(
    custom_id: str,
    *,
    error: str | None = None,
    latency: float = 0.1,
    usage: dict[str, int] | None = None,
    model: str = "m",
) -> dict[str, object]:
    return {
        "custom_id": custom_id,
        "error": {"code": error, "message": "x"} if error else None,
        "infermux": {
            "provider": "p",
            "model": model,
            "attempts": 1,
            "latency": latency,
            "usage": usage,
        },
    }


def test_latency_percentiles_within_one_percent_in_constant_memory() -> None:
    histogram = LatencyHistogram()
    for i in range(1, 10_001):
        histogram.add(i / 1000)  # 1 ms .. 10 s
    assert histogram.percentile(50) == pytest.approx(5.0, rel=0.011)
    assert histogram.percentile(99) == pytest.approx(9.9, rel=0.011)
    assert histogram.percentile(100) == 10.0
    assert len(histogram._buckets) < 1000
    assert LatencyHistogram().percentile(50) is None


def test_summary_counts_errors_tokens_and_cost() -> None:
    stats = BatchStats(prices=parse_prices({"p/m": {"input": 1.0, "output": 2.0}}))
    stats.record_row(
        row("a", usage={"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500})
    )
    stats.record_row(row("b", usage={"prompt_tokens": 1000, "completion_tokens": 500}))
    stats.record_row(row("c", error="server_error"))
    stats.record_row(row("d", usage={"prompt_tokens": 10}, model="unpriced"))
    stats.record_request(retry=False)
    stats.record_request(retry=True)
    stats.record_rate_limited("p")
    summary = stats.summary()
    assert summary["rows"]["succeeded"] == 3
    assert summary["rows"]["failed"] == 1
    assert summary["errors"] == {"server_error": 1}
    assert (summary["requests"], summary["retries"], summary["rate_limited_429"]) == (2, 1, 1)
    priced = next(t for t in summary["tokens"] if t["model"] == "m")
    assert priced["total_tokens"] == 3000
    assert priced["cost_usd"] == pytest.approx((2000 * 1 + 1000 * 2) / 1e6)
    assert summary["cost_usd"] == pytest.approx(0.004)
    assert summary["latency_seconds"]["p50"] == pytest.approx(0.1, rel=0.011)


def test_prices_must_name_input_and_output() -> None:
    with pytest.raises(InvalidInputError, match="input"):
        parse_prices({"m": {"in": 1}})
    with pytest.raises(InvalidInputError, match="numbers"):
        parse_prices({"m": {"input": "cheap", "output": 1}})


def test_plain_progress_prints_every_interval_on_its_clock() -> None:
    now = [0.0]
    stream = io.StringIO()
    progress = BatchProgress(stream=stream, interval=10.0, clock=lambda: now[0])
    progress.start(100)
    stats = BatchStats()
    for i in range(50):
        stats.record_row(row(f"r{i}", usage={"total_tokens": 100}))
        now[0] += 0.5
        progress.update(stats)
    progress.close(stats)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 + 1  # at 10 s and 20 s, and the last
    assert lines[-1].startswith("batch: 50/100 rows (50%), 0 errors, 2.0 rows/s, ETA 25s")
    assert "5.0k tokens" in lines[-1]


def test_no_terminal_means_plain_lines() -> None:
    progress = make_progress(stream=io.StringIO())
    assert isinstance(progress, BatchProgress)
    assert not progress.live


def test_format_duration() -> None:
    assert format_duration(None) == "?"
    assert format_duration(5) == "5s"
    assert format_duration(75) == "1m15s"
    assert format_duration(3 * 3600 + 120) == "3h02m"
