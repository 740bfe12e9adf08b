"""What a batch did: counts, 429s, retries, latency percentiles, tokens and cost.

Memory stays constant however many rows run: latencies go into a log-scale histogram (1%
relative precision) rather than a list, and tokens are summed per (provider, model).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from infermux.errors import InvalidInputError

__all__ = ["BatchStats", "LatencyHistogram", "Prices", "parse_prices"]

_BASE = 1e-4  # 0.1 ms: the smallest latency told apart
_GROWTH = math.log(1.01)


class LatencyHistogram:
    """Latencies in log buckets 1% wide: percentiles within 1%, in constant memory."""

    def __init__(self) -> None:
        self._buckets: Counter[int] = Counter()
        self.count = 0
        self.total = 0.0
        self.maximum = 0.0

    def add(self, seconds: float) -> None:
        index = 0 if seconds <= _BASE else int(math.log(seconds / _BASE) / _GROWTH) + 1
        self._buckets[index] += 1
        self.count += 1
        self.total += seconds
        self.maximum = max(self.maximum, seconds)

    def percentile(self, q: float) -> float | None:
        """The ``q``-th percentile (0-100), or None with no samples."""
        if not self.count:
            return None
        rank = max(1, math.ceil(self.count * q / 100))
        seen = 0
        for index in sorted(self._buckets):
            seen += self._buckets[index]
            if seen >= rank:
                # The bucket's upper edge, capped by the largest value seen.
                upper = _BASE * math.exp(_GROWTH * index) if index else _BASE
                return min(upper, self.maximum)
        return self.maximum


@dataclass(frozen=True, slots=True)
class Prices:
    """Dollars per million input and output tokens, for one model (or provider/model)."""

    input: float
    output: float


def parse_prices(raw: Mapping[str, Any]) -> dict[str, Prices]:
    """``{"model" or "provider/model": {"input": $/1M, "output": $/1M}}`` -> Prices."""
    prices = {}
    for key, value in raw.items():
        if not isinstance(value, Mapping) or not {"input", "output"} <= set(value):
            raise InvalidInputError(
                f"price for {key!r} must be {{'input': dollars per 1M tokens, 'output': ...}}, "
                f"got {value!r}"
            )
        try:
            prices[key] = Prices(float(value["input"]), float(value["output"]))
        except (TypeError, ValueError):
            raise InvalidInputError(f"prices for {key!r} must be numbers, got {value!r}") from None
    return prices


@dataclass
class _Usage:
    rows: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


@dataclass
class BatchStats:
    """Accumulates a run's outcome; :meth:`summary` is the sidecar JSON."""

    prices: Mapping[str, Prices] = field(default_factory=dict)
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    deduplicated: int = 0
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    rate_limited_by_provider: Counter[str] = field(default_factory=Counter)
    latency: LatencyHistogram = field(default_factory=LatencyHistogram)
    usage: dict[tuple[str, str], _Usage] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def done(self) -> int:
        return self.succeeded + self.failed

    @property
    def tokens(self) -> int:
        return sum(u.total_tokens for u in self.usage.values())

    def record_row(self, row: Mapping[str, Any]) -> None:
        """Count one output row (a success or an error row)."""
        meta = row.get("infermux") or {}
        if row.get("error"):
            self.failed += 1
            self.errors[row["error"].get("code", "error")] += 1
        else:
            self.succeeded += 1
            if meta.get("latency") is not None and meta.get("attempts"):
                self.latency.add(float(meta["latency"]))
        if meta.get("deduplicated_from"):
            self.deduplicated += 1
        usage = meta.get("usage")
        if usage:
            key = (meta.get("provider") or "", meta.get("model") or "")
            total = self.usage.setdefault(key, _Usage())
            total.rows += 1
            prompt = int(usage.get("prompt_tokens", 0))
            completion = int(usage.get("completion_tokens", 0))
            total.prompt_tokens += prompt
            total.completion_tokens += completion
            total.total_tokens += int(usage.get("total_tokens", prompt + completion))

    def record_request(self, *, retry: bool) -> None:
        self.requests += 1
        if retry:
            self.retries += 1

    def record_rate_limited(self, provider: str) -> None:
        self.rate_limited += 1
        self.rate_limited_by_provider[provider] += 1

    def _price(self, provider: str, model: str) -> Prices | None:
        return self.prices.get(f"{provider}/{model}") or self.prices.get(model)

    def summary(self) -> dict[str, Any]:
        """The summary as JSON values (what ``OUTPUT.summary.json`` holds)."""
        tokens = []
        cost_total = 0.0
        priced = False
        for (provider, model), usage in sorted(self.usage.items()):
            entry: dict[str, Any] = {"provider": provider, "model": model, **vars(usage)}
            price = self._price(provider, model)
            if price is not None:
                cost = (
                    usage.prompt_tokens * price.input + usage.completion_tokens * price.output
                ) / 1e6
                entry["cost_usd"] = round(cost, 6)
                cost_total += cost
                priced = True
            tokens.append(entry)
        latency = {f"p{q}": self.latency.percentile(q) for q in (50, 90, 95, 99)} | {
            "mean": self.latency.total / self.latency.count if self.latency.count else None,
            "max": self.latency.maximum if self.latency.count else None,
        }
        return {
            "rows": {
                "succeeded": self.succeeded,
                "failed": self.failed,
                "skipped_already_done": self.skipped,
                "deduplicated": self.deduplicated,
            },
            "errors": dict(sorted(self.errors.items())),
            "requests": self.requests,
            "retries": self.retries,
            "rate_limited_429": self.rate_limited,
            "rate_limited_by_provider": dict(sorted(self.rate_limited_by_provider.items())),
            "latency_seconds": latency,
            "tokens": tokens,
            "cost_usd": round(cost_total, 6) if priced else None,
            "elapsed_seconds": round(self.elapsed, 3),
        }
