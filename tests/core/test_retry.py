"""Retry policy: what is retried, how long to wait, and which server hints win."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import pytest

from infermux.transport import retry as retry_module
from infermux.transport.retry import (
    RetryPolicy,
    model_loading_estimate,
    server_requested_delay,
)


def headers(**values: str) -> httpx2.Headers:
    """Case-insensitive headers, as the engine hands them over (``retry_after_ms`` ->
    ``retry-after-ms``)."""
    return httpx2.Headers({name.replace("_", "-"): value for name, value in values.items()})


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    now = datetime(2025, 2, 13, 14, 37, 25, tzinfo=UTC)
    monkeypatch.setattr(retry_module, "time", now.timestamp)
    return now


# -- server_requested_delay ------------------------------------------------------------------


def test_no_hint_means_none():
    assert server_requested_delay(headers()) is None
    assert server_requested_delay(headers(content_type="application/json")) is None


@pytest.mark.parametrize(("value", "expected"), [("0", 0.0), ("3", 3.0), ("1.5", 1.5)])
def test_retry_after_seconds(value, expected):
    assert server_requested_delay(headers(retry_after=value)) == expected


def test_retry_after_is_case_insensitive_and_trimmed():
    assert server_requested_delay(httpx2.Headers({"Retry-After": " 7 "})) == 7.0


def test_negative_retry_after_is_zero():
    assert server_requested_delay(headers(retry_after="-4")) == 0.0


def test_retry_after_http_date(frozen_now):
    later = format_datetime(frozen_now + timedelta(seconds=30), usegmt=True)
    assert later.endswith("GMT")
    assert server_requested_delay(headers(retry_after=later)) == pytest.approx(30.0)


def test_retry_after_http_date_in_the_past_is_zero(frozen_now):
    earlier = format_datetime(frozen_now - timedelta(minutes=5), usegmt=True)
    assert server_requested_delay(headers(retry_after=earlier)) == 0.0


@pytest.mark.parametrize("value", ["soon", "", "Thu, 99 Foo 2025", "1,5"])
def test_unparseable_retry_after_is_ignored(value):
    assert server_requested_delay(headers(retry_after=value)) is None


def test_retry_after_ms():
    assert server_requested_delay(headers(retry_after_ms="250")) == pytest.approx(0.25)
    assert server_requested_delay(headers(retry_after_ms="-10")) == 0.0


def test_retry_after_ms_wins_over_retry_after():
    # OpenAI-style servers send both; the millisecond one is the precise one.
    hint = headers(retry_after_ms="1500", retry_after="2")
    assert server_requested_delay(hint) == pytest.approx(1.5)


def test_unparseable_retry_after_ms_falls_back_to_retry_after():
    assert server_requested_delay(headers(retry_after_ms="n/a", retry_after="4")) == 4.0


def test_ratelimit_reset_header():
    assert server_requested_delay(headers(ratelimit_reset="12")) == 12.0


def test_retry_after_wins_over_ratelimit_headers():
    hint = headers(
        retry_after="2", ratelimit_reset="60", ratelimit="limit=10, remaining=0, reset=9"
    )
    assert server_requested_delay(hint) == 2.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("limit=100, remaining=0, reset=5", 5.0),  # IETF draft, early versions
        ('"default";r=0;t=7', 7.0),  # IETF draft, structured-field versions
        ("limit=10, remaining=0, reset=2.5", 2.5),
        ("reset=3", 3.0),
    ],
)
def test_ratelimit_header(value, expected):
    assert server_requested_delay(headers(ratelimit=value)) == expected


@pytest.mark.parametrize("value", ["limit=100, remaining=0", "offset=5", "preset=5", "t=soon"])
def test_ratelimit_header_without_reset_is_ignored(value):
    assert server_requested_delay(headers(ratelimit=value)) is None


def test_ratelimit_reset_wins_over_ratelimit():
    assert server_requested_delay(headers(ratelimit_reset="4", ratelimit="reset=9")) == 4.0


# -- RetryPolicy -----------------------------------------------------------------------------


def test_defaults_are_bounded():
    policy = RetryPolicy()
    assert policy.max_retries == 2
    assert 0 < policy.initial_delay <= policy.max_delay
    assert 0 <= policy.jitter < 1


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses(status):
    assert RetryPolicy().should_retry_status(status)


@pytest.mark.parametrize("status", [200, 301, 400, 401, 403, 404, 409, 413, 422, 501])
def test_non_retryable_statuses(status):
    assert not RetryPolicy().should_retry_status(status)


def test_backoff_doubles_without_jitter():
    policy = RetryPolicy(initial_delay=0.5, max_delay=100.0, jitter=0.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 8.0]


def test_backoff_is_capped_without_jitter():
    policy = RetryPolicy(initial_delay=1.0, max_delay=5.0, jitter=0.0)
    assert [policy.backoff(n) for n in (3, 4, 10, 60)] == [4.0, 5.0, 5.0, 5.0]


@pytest.mark.parametrize("draw", [0.0, 0.5, 0.999999])
def test_jitter_bounds(monkeypatch, draw):
    monkeypatch.setattr(retry_module.random, "random", lambda: draw)
    policy = RetryPolicy(initial_delay=2.0, max_delay=100.0, jitter=0.25)
    delay = policy.backoff(2)  # base 4.0
    assert 3.0 <= delay <= 5.0
    assert delay == pytest.approx(4.0 * (0.75 + 0.5 * draw))


@pytest.fixture
def seeded_random():
    state = random.getstate()
    random.seed(7)
    yield
    random.setstate(state)


def test_jitter_spreads_delays(seeded_random):
    policy = RetryPolicy(initial_delay=1.0, max_delay=100.0, jitter=0.25)
    delays = [policy.backoff(3) for _ in range(500)]
    assert all(3.0 <= d <= 5.0 for d in delays)
    assert len(set(delays)) > 400
    assert min(delays) < 3.2
    assert max(delays) > 4.8


def test_backoff_grows_on_average(seeded_random):
    policy = RetryPolicy(initial_delay=0.1, max_delay=100.0, jitter=0.25)
    means = [sum(policy.backoff(n) for _ in range(200)) / 200 for n in range(1, 6)]
    assert all(later > earlier * 1.4 for earlier, later in itertools.pairwise(means))


def test_backoff_never_exceeds_max_delay(monkeypatch):
    monkeypatch.setattr(retry_module.random, "random", lambda: 0.999)
    policy = RetryPolicy(initial_delay=1.0, max_delay=30.0, jitter=0.25)
    assert policy.backoff(20) <= policy.max_delay


def test_backoff_for_a_very_late_attempt_is_the_cap():
    policy = RetryPolicy(initial_delay=0.5, max_delay=30.0, jitter=0.0)
    assert policy.backoff(2000) == 30.0


def test_delay_for_uses_the_server_hint_without_jitter():
    policy = RetryPolicy(initial_delay=10.0, max_delay=30.0, jitter=0.25)
    assert policy.delay_for(1, headers(retry_after="0")) == 0.0
    assert policy.delay_for(3, headers(retry_after="2")) == 2.0
    assert policy.delay_for(1, headers(retry_after_ms="20")) == pytest.approx(0.02)


def test_delay_for_caps_the_server_hint():
    policy = RetryPolicy(max_delay=30.0)
    assert policy.delay_for(1, headers(retry_after="3600")) == 30.0
    assert policy.delay_for(1, headers(ratelimit="reset=86400")) == 30.0


def test_delay_for_falls_back_to_backoff(monkeypatch):
    monkeypatch.setattr(retry_module.random, "random", lambda: 0.5)
    policy = RetryPolicy(initial_delay=0.5, max_delay=30.0, jitter=0.25)
    assert policy.delay_for(1, headers()) == pytest.approx(0.5)
    assert policy.delay_for(3, headers(retry_after="later")) == pytest.approx(2.0)


# -- model_loading_estimate -------------------------------------------------------------------


def body(**values: object) -> bytes:
    return json.dumps(values).encode()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (body(error="Model is currently loading", estimated_time=20.0), 20.0),
        (body(error="loading", estimated_time=0.01), 0.01),
        (body(estimated_time=3), 3.0),
        (body(estimated_time="4.5"), 4.5),
    ],
)
def test_estimated_time(content, expected):
    assert model_loading_estimate(503, content) == expected


@pytest.mark.parametrize("status", [200, 429, 500, 502, 504])
def test_estimated_time_counts_only_on_503(status):
    assert model_loading_estimate(status, body(estimated_time=5.0)) is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"Service Unavailable",
        body(error="overloaded"),
        b"<html>estimated_time</html>",
        body(estimated_time=None),
        body(estimated_time="soon"),
        body(estimated_time=[1]),
        b'["estimated_time", 3]',
        b'{"estimated_time": 3',  # truncated
    ],
)
def test_estimated_time_absent_or_malformed(content):
    assert model_loading_estimate(503, content) is None
