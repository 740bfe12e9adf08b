"""What a running batch shows: a rich progress bar on a terminal, plain lines otherwise.

rich is imported only when a bar is drawn (``infermux[batch]``); without it, or when
stderr is not a terminal (a log file, CI), a plain line is printed every ``interval``
seconds. Time is a parameter (``clock``), so the plain lines are testable without waiting.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO

from infermux.batch.summary import BatchStats

__all__ = ["PlainProgress", "Progress", "RichProgress", "format_duration", "make_progress"]


class Progress(Protocol):
    """Told the number of rows to run, then each row's completion, then the end."""

    def start(self, total: int) -> None: ...

    def update(self, stats: BatchStats) -> None: ...

    def close(self, stats: BatchStats) -> None: ...


def format_duration(seconds: float | None) -> str:
    """``75`` -> ``1m15s``; ``None`` -> ``?``."""
    if seconds is None:
        return "?"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def _tokens(count: int) -> str:
    return f"{count / 1000:.1f}k" if count >= 1000 else str(count)


class PlainProgress:
    """One line every ``interval`` seconds: done/total, rate, errors, ETA, tokens."""

    def __init__(
        self,
        *,
        stream: TextIO | None = None,
        interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = 0
        self.stream = stream
        self.interval = interval
        self._clock = clock
        self._started = clock()
        self._printed_at = self._started

    def start(self, total: int) -> None:
        self.total = total
        self._started = self._printed_at = self._clock()

    def line(self, stats: BatchStats) -> str:
        elapsed = self._clock() - self._started
        done = stats.done
        rate = done / elapsed if elapsed > 0 else 0.0
        left = self.total - done
        eta = left / rate if rate > 0 else None
        share = f" ({100 * done / self.total:.0f}%)" if self.total else ""
        return (
            f"batch: {done}/{self.total} rows{share}, {stats.failed} errors, "
            f"{rate:.1f} rows/s, ETA {format_duration(eta)}, {_tokens(stats.tokens)} tokens, "
            f"{stats.rate_limited} 429s"
        )

    def update(self, stats: BatchStats) -> None:
        now = self._clock()
        if now - self._printed_at >= self.interval:
            self._printed_at = now
            print(self.line(stats), file=self.stream or sys.stderr, flush=True)

    def close(self, stats: BatchStats) -> None:
        print(self.line(stats), file=self.stream or sys.stderr, flush=True)


class RichProgress:
    """A rich progress bar on stderr (rows done, rate, errors, ETA, tokens)."""

    def __init__(self) -> None:
        import rich.progress  # noqa: F401  (fail now, in make_progress, if rich is missing)

        self._bar: Any = None
        self._task: Any = None
        self._started = time.monotonic()

    def start(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        self._bar = Bar(
            TextColumn("batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]} rows/s"),
            TextColumn("[red]{task.fields[errors]} errors"),
            TextColumn("{task.fields[tokens]} tokens"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._started = time.monotonic()
        self._task = self._bar.add_task("batch", total=total, rate="0.0", errors=0, tokens="0")
        self._bar.start()

    def update(self, stats: BatchStats) -> None:
        if self._bar is None:
            return
        elapsed = time.monotonic() - self._started
        self._bar.update(
            self._task,
            completed=stats.done,
            rate=f"{stats.done / elapsed:.1f}" if elapsed > 0 else "0.0",
            errors=stats.failed,
            tokens=_tokens(stats.tokens),
        )

    def close(self, stats: BatchStats) -> None:
        if self._bar is not None:
            self.update(stats)
            self._bar.stop()


def make_progress(*, stream: TextIO | None = None, interval: float = 10.0) -> Progress:
    """A bar when stderr is a terminal and rich is installed; plain lines otherwise."""
    out = stream or sys.stderr
    if out.isatty():
        try:
            return RichProgress()
        except ImportError:
            pass  # rich is optional: pip install 'infermux[batch]'
    return PlainProgress(stream=stream, interval=interval)
