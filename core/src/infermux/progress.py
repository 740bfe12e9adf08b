"""Progress on stderr: a live rich display on a terminal, plain lines otherwise.

The one place that draws progress, for both kinds of waiting:

- :class:`Progress` (from :func:`open_progress`): a polled job (``infermux run`` passes
  ``progress.job`` as ``on_progress``) or counted work (``progress.update(completed=...)``);
- :class:`BatchProgress` (from :func:`make_progress`): a running batch, told its row count,
  each row's :class:`~infermux.batch.summary.BatchStats`, then the end (``infermux batch``).

Both decide the same way how to draw (:func:`draws_live`: a terminal, neither ``NO_COLOR``
nor ``INFERMUX_PLAIN``, and rich installed), draw a live display with the same
:class:`LiveBar` (rich is imported only then) and otherwise write through the same
:class:`PlainLines`, which keeps logs short: a line when something changes, else at most
one every ``interval`` seconds. Durations read the same everywhere (:func:`format_duration`).
The clock is a parameter, so every line is tested without waiting. Nothing here is imported
by ``import infermux`` or by a client call.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TextIO

if TYPE_CHECKING:
    from infermux.batch.summary import BatchStats
    from infermux.engine.effects import JobProgress

__all__ = [
    "BatchProgress",
    "LiveBar",
    "PlainLines",
    "Progress",
    "RowProgress",
    "colour_allowed",
    "draws_live",
    "format_duration",
    "make_progress",
    "open_progress",
]

#: How often a plain line repeats when nothing but the counts changed (seconds).
PLAIN_EVERY = 10.0


# -- how to draw ------------------------------------------------------------------------


def colour_allowed(stream: TextIO) -> bool:
    """``stream`` is a terminal and no one asked for plain text (NO_COLOR, INFERMUX_PLAIN).

    The CLI's red ``error:`` asks this (raw escape codes, no rich) and its tables ask
    :func:`draws_live`, so every part of the CLI agrees with progress on plain text.
    """
    if os.environ.get("NO_COLOR") or os.environ.get("INFERMUX_PLAIN"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _rich_installed() -> bool:
    # find_spec looks rich up without importing it: `import rich` costs more than a check.
    return importlib.util.find_spec("rich") is not None


def draws_live(stream: TextIO) -> bool:
    """Draw a live display on ``stream`` (rather than plain lines): :func:`colour_allowed`
    and rich is installed (it is optional for the library: ``pip install 'infermux[batch]'``)."""
    return colour_allowed(stream) and _rich_installed()


def format_duration(seconds: float | None) -> str:
    """``9`` -> ``9s``; ``75`` -> ``1m15s``; ``10920`` -> ``3h02m``; ``None`` -> ``?``."""
    if seconds is None:
        return "?"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


# -- the two ways to draw ---------------------------------------------------------------


class PlainLines:
    """Lines on ``stream``, at most one every ``every`` seconds of ``clock`` unless forced.

    The interval counts from the last line written (or from :meth:`restart`), so a log gets
    a line when something happens and otherwise one per interval, never one per update.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        clock: Callable[[], float] = time.monotonic,
        every: float = PLAIN_EVERY,
    ) -> None:
        self.stream = stream
        self.clock = clock
        self.every = every
        self._last = clock()

    def restart(self) -> None:
        """Count the interval from now (the work has just started)."""
        self._last = self.clock()

    def write(self, text: str, *, force: bool = False) -> bool:
        """Write ``text`` if forced or if the interval has passed; say whether it was."""
        now = self.clock()
        if not force and now - self._last < self.every:
            return False
        print(text, file=self.stream, flush=True)
        self._last = now
        return True


class LiveBar:
    """A rich live display on ``stream``: a spinner and a description, then a bar, the
    share done and the time left once a total is known, and the elapsed time.

    rich is imported on the first :meth:`draw`. ``transient`` clears the display when it
    stops (a job, whose result follows); otherwise its last state stays (a batch).
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        transient: bool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.transient = transient
        self.clock = clock
        self._rich: Any = None
        self._task: Any = None

    @property
    def drawing(self) -> bool:
        """Started and not yet stopped."""
        return self._rich is not None

    def draw(self, description: str, *, completed: int | None, total: int | None) -> None:
        if self._rich is None:
            self._start(description, total)
        self._rich.update(
            self._task, description=description, completed=completed or 0, total=total
        )

    def _start(self, description: str, total: int | None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        console = Console(file=self.stream, stderr=self.stream is sys.stderr)
        self._rich = RichProgress(
            SpinnerColumn(),
            # markup=False: a provider's job status is text, never rich markup.
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TaskProgressColumn(),  # nothing while the total is unknown
            TimeRemainingColumn(),  # likewise
            TimeElapsedColumn(),
            console=console,
            transient=self.transient,
            get_time=self.clock,
        )
        self._task = self._rich.add_task(description, total=total)
        self._rich.start()

    def stop(self) -> None:
        if self._rich is not None:
            self._rich.stop()
            self._rich = None


# -- a job or counted work (the CLI's `run`) --------------------------------------------


class Progress:
    """Reports one task's progress; :func:`open_progress` chooses how it is drawn."""

    def __init__(
        self,
        label: str,
        *,
        stream: TextIO,
        live: bool,
        quiet: bool = False,
        clock: Callable[[], float] = time.monotonic,
        plain_every: float = PLAIN_EVERY,
    ) -> None:
        self.label = label
        self.stream = stream
        self.live = live and not quiet
        self.quiet = quiet
        self.clock = clock
        self.started = clock()
        self.status: str | None = None
        self.polls = 0
        self.completed: int | None = None
        self.total: int | None = None
        self.bar = LiveBar(stream, transient=True, clock=clock)
        self._lines = PlainLines(stream, clock=clock, every=plain_every)
        self._last_key: tuple[Any, ...] | None = None

    # -- the two ways in ------------------------------------------------------------------

    def job(self, progress: JobProgress) -> None:
        """An ``on_progress`` callback for the client's polled jobs."""
        self.polls = progress.polls
        self._show(status=progress.status or "waiting", job_id=progress.job_id)

    def update(
        self,
        *,
        status: str | None = None,
        completed: int | None = None,
        total: int | None = None,
    ) -> None:
        """Counted work: ``completed`` of ``total`` items, with a status word."""
        if completed is not None:
            self.completed = completed
        if total is not None:
            self.total = total
        self._show(status=status or self.status or "running")

    # -- drawing -------------------------------------------------------------------------

    def describe(self) -> str:
        """The one-line summary both ways of drawing show (without the elapsed time)."""
        parts = [self.label, self.status or "starting"]
        if self.total is not None:
            parts.append(f"{self.completed or 0}/{self.total}")
        elif self.completed is not None:
            parts.append(f"{self.completed} done")
        if self.polls:
            parts.append(f"{self.polls} poll{'s' if self.polls != 1 else ''}")
        return " · ".join(parts)

    def elapsed(self) -> float:
        return max(0.0, self.clock() - self.started)

    def _show(self, *, status: str, job_id: str | None = None) -> None:
        changed = status != self.status
        self.status = status
        if self.quiet:
            return
        if self.live:
            self.bar.draw(self.describe(), completed=self.completed, total=self.total)
            return
        # A new status or a new total is news: a line at once; else one per interval.
        key = (self.status, self.total)
        job = f" (job {job_id})" if job_id and changed else ""
        self._lines.write(
            f"{self.describe()}{job} · {format_duration(self.elapsed())}",
            force=changed or key != self._last_key,
        )
        self._last_key = key

    def close(self, *, failed: bool = False) -> None:
        """Stop drawing; a live display is cleared, a final plain line says how long it took."""
        self.bar.stop()
        if not self.quiet and self.status is not None and not self.live and not failed:
            self._lines.write(
                f"{self.label}: done in {format_duration(self.elapsed())}", force=True
            )

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(failed=exc is not None)


def open_progress(
    label: str,
    *,
    quiet: bool = False,
    stream: TextIO | None = None,
    live: bool | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Progress:
    """A :class:`Progress` on ``stream`` (stderr): live on a terminal, plain lines otherwise.

    ::

        with open_progress("text-to-video", quiet=args.quiet) as progress:
            client.text_to_video(prompt, model=m, on_progress=progress.job)
    """
    target = stream if stream is not None else sys.stderr
    if live is None:
        live = draws_live(target)
    return Progress(label, stream=target, live=live, quiet=quiet, clock=clock)


# -- a running batch (`infermux batch`) -------------------------------------------------


class RowProgress(Protocol):
    """What a batch run reports to: the number of rows to run, each row's completion
    (the running statistics), then the end. :class:`BatchProgress` is the one drawn."""

    def start(self, total: int) -> None: ...

    def update(self, stats: BatchStats) -> None: ...

    def close(self, stats: BatchStats) -> None: ...


def _tokens(count: int) -> str:
    return f"{count / 1000:.1f}k" if count >= 1000 else str(count)


class BatchProgress:
    """A batch's progress: rows done of the total, errors, rate, time left, tokens, 429s.

    Live, a bar that stays on screen with its last state; plain, a line every ``interval``
    seconds and a last one at the end.
    """

    def __init__(
        self,
        *,
        stream: TextIO | None = None,
        live: bool = False,
        interval: float = PLAIN_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.live = live
        self.total = 0
        self.clock = clock
        self._started = clock()
        self.bar = LiveBar(self.stream, transient=False, clock=clock)
        self._lines = PlainLines(self.stream, clock=clock, every=interval)

    def start(self, total: int) -> None:
        self.total = total
        self._started = self.clock()
        self._lines.restart()
        if self.live:
            self.bar.draw(self.describe(None), completed=0, total=total)

    def _rate(self, done: int) -> float:
        elapsed = self.clock() - self._started
        return done / elapsed if elapsed > 0 else 0.0

    def line(self, stats: BatchStats) -> str:
        """The plain line: ``batch: 50/100 rows (50%), 0 errors, 2.0 rows/s, ETA 25s, ...``."""
        done = stats.done
        rate = self._rate(done)
        eta = (self.total - done) / rate if rate > 0 else None
        share = f" ({100 * done / self.total:.0f}%)" if self.total else ""
        return (
            f"batch: {done}/{self.total} rows{share}, {stats.failed} errors, "
            f"{rate:.1f} rows/s, ETA {format_duration(eta)}, {_tokens(stats.tokens)} tokens, "
            f"{stats.rate_limited} 429s"
        )

    def describe(self, stats: BatchStats | None) -> str:
        """The live display's text (the bar, the share and the time left are columns)."""
        if stats is None:
            return f"batch · 0/{self.total} rows"
        return (
            f"batch · {stats.done}/{self.total} rows · {stats.failed} errors · "
            f"{self._rate(stats.done):.1f} rows/s · {_tokens(stats.tokens)} tokens · "
            f"{stats.rate_limited} 429s"
        )

    def update(self, stats: BatchStats) -> None:
        if self.live:
            self.bar.draw(self.describe(stats), completed=stats.done, total=self.total)
        else:
            self._lines.write(self.line(stats))

    def close(self, stats: BatchStats) -> None:
        if self.live:
            self.bar.draw(self.describe(stats), completed=stats.done, total=self.total)
            self.bar.stop()
        else:
            self._lines.write(self.line(stats), force=True)


def make_progress(
    *,
    stream: TextIO | None = None,
    interval: float = PLAIN_EVERY,
    clock: Callable[[], float] = time.monotonic,
) -> BatchProgress:
    """A batch's progress on ``stream`` (stderr): a bar when :func:`draws_live`, else plain
    lines every ``interval`` seconds."""
    target = stream if stream is not None else sys.stderr
    return BatchProgress(stream=target, live=draws_live(target), interval=interval, clock=clock)
