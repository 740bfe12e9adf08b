"""Progress of long jobs on stderr: a live spinner or bar on a terminal, plain lines otherwise.

One small API for every command that waits (``run`` on a queued job, ``batch``)::

    with open_progress("text-to-video", quiet=args.quiet) as progress:
        client.text_to_video(prompt, model=m, on_progress=progress.job)   # polled jobs
        progress.update(completed=10, total=100, status="running")        # counted work

On a terminal (unless ``NO_COLOR`` or ``INFERMUX_PLAIN`` is set), rich draws a spinner
(a bar once a total is known) with the provider's job status, the number of polls and the
elapsed time; rich is imported only then. Piped or redirected, a plain line is written
when the status changes (and for counted work at most every ``plain_every`` seconds), so
logs stay short. ``quiet`` writes nothing. The clock is a parameter, so the plain output is
tested without waiting.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from infermux.engine.effects import JobProgress

__all__ = ["Progress", "open_progress"]


class Progress:
    """Reports one task's progress; use :func:`open_progress` to choose how it is drawn."""

    def __init__(
        self,
        label: str,
        *,
        stream: TextIO,
        live: bool,
        quiet: bool = False,
        clock: Callable[[], float] = time.monotonic,
        plain_every: float = 10.0,
    ) -> None:
        self.label = label
        self.stream = stream
        self.live = live and not quiet
        self.quiet = quiet
        self.clock = clock
        self.plain_every = plain_every
        self.started = clock()
        self.status: str | None = None
        self.polls = 0
        self.completed: int | None = None
        self.total: int | None = None
        self._last_line: tuple[Any, ...] | None = None
        self._last_plain = float("-inf")
        self._rich: Any = None
        self._task: Any = None

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
        """Counted work (a batch): ``completed`` of ``total`` items, with a status word."""
        if completed is not None:
            self.completed = completed
        if total is not None:
            self.total = total
        self._show(status=status or self.status or "running")

    # -- drawing -------------------------------------------------------------------------

    def describe(self) -> str:
        """The one-line summary both renderers show (without the elapsed time)."""
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
            self._draw_live()
            return
        now = self.clock()
        key = (self.status, self.total)
        if changed or key != self._last_line or now - self._last_plain >= self.plain_every:
            job = f" (job {job_id})" if job_id and changed else ""
            print(f"{self.describe()}{job} · {self.elapsed():.0f}s", file=self.stream, flush=True)
            self._last_line = key
            self._last_plain = now

    def _draw_live(self) -> None:
        if self._rich is None:
            from rich.console import Console
            from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            console = Console(file=self.stream, stderr=self.stream is sys.stderr)
            self._rich = RichProgress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self._rich.start()
            self._task = self._rich.add_task(self.describe(), total=self.total)
        self._rich.update(
            self._task, description=self.describe(), completed=self.completed or 0, total=self.total
        )

    def close(self, *, failed: bool = False) -> None:
        """Stop drawing; a live display is cleared, a final plain line says how long it took."""
        if self._rich is not None:
            self._rich.stop()
            self._rich = None
        if not self.quiet and self.status is not None and not self.live and not failed:
            print(f"{self.label}: done in {self.elapsed():.0f}s", file=self.stream, flush=True)

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
    """A :class:`Progress` on ``stream`` (stderr): live on a terminal, plain lines otherwise."""
    target = stream if stream is not None else sys.stderr
    if live is None:
        from infermux.cli.tables import colour_allowed

        live = colour_allowed(target)
    return Progress(label, stream=target, live=live, quiet=quiet, clock=clock)
