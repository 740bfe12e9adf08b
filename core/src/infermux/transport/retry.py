"""Retry policy: which failures are retried and how long to wait. Pure: it never sleeps."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from time import time

__all__ = ["RetryPolicy", "model_loading_estimate", "server_requested_delay"]

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})

_RATELIMIT_RESET = re.compile(r"(?:^|[;,\s])(?:reset|t)\s*=\s*(\d+(?:\.\d+)?)")


def _seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time())
    except (TypeError, ValueError, IndexError):
        return None


def server_requested_delay(headers: Mapping[str, str]) -> float | None:
    """The wait the server asked for: ``retry-after-ms``, ``Retry-After`` (seconds or
    HTTP date), or the reset of an IETF ``RateLimit`` / ``RateLimit-Reset`` header."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    delay = _seconds(headers.get("retry-after"))
    if delay is not None:
        return delay
    delay = _seconds(headers.get("ratelimit-reset"))
    if delay is not None:
        return delay
    ratelimit = headers.get("ratelimit")
    if ratelimit:
        match = _RATELIMIT_RESET.search(ratelimit)
        if match:
            return float(match.group(1))
    return None


def model_loading_estimate(status_code: int, content: bytes) -> float | None:
    """For a 503 "model is loading" answer, the server's ``estimated_time`` in seconds."""
    if status_code != 503 or b"estimated_time" not in content:
        return None
    try:
        body = json.loads(content)
        return float(body["estimated_time"])
    except (ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries with exponential back-off and proportional (±``jitter``) jitter.

    ``max_retries`` counts retries after the first attempt (0 turns retries off).
    A server-requested delay (``Retry-After`` and friends) is honoured up to
    ``max_delay``; a loading model's ``estimated_time`` up to ``max_model_loading_wait``.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.25
    max_model_loading_wait: float = 120.0
    #: Model-loading waits do not use up ``max_retries``; this bounds them instead.
    max_model_loading_retries: int = 10

    def should_retry_status(self, status_code: int) -> bool:
        return status_code in RETRYABLE_STATUS

    def backoff(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1-based) without server guidance."""
        # Cap the exponent (no float overflow on absurd attempts), jitter, then cap the
        # result so a jittered delay never exceeds max_delay.
        base: float = self.initial_delay * 2 ** min(max(attempt - 1, 0), 62)
        jittered = base * (1 - self.jitter + 2 * self.jitter * random.random())
        return min(self.max_delay, jittered)

    def delay_for(self, attempt: int, headers: Mapping[str, str]) -> float:
        requested = server_requested_delay(headers)
        if requested is not None:
            return min(requested, self.max_delay)
        return self.backoff(attempt)
