"""infermux.progress, the one progress renderer: the live-or-plain decision both the CLI's
job progress and the batch's share, the plain-line writer, the live bar (for a batch too),
and that drawing nothing imports rich. The CLI's own lines: tests/test_cli_progress.py; the
batch's plain line: tests/batch/test_summary.py."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap

import pytest

from infermux.batch.summary import BatchStats
from infermux.engine.effects import JobProgress
from infermux.progress import (
    BatchProgress,
    PlainLines,
    draws_live,
    format_duration,
    make_progress,
    open_progress,
)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> FakeTerminal:
    """A terminal wide enough for a whole description, with nobody asking for plain text."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("INFERMUX_PLAIN", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return FakeTerminal()


def _row(custom_id: str, *, error: bool = False, tokens: int = 0) -> dict[str, object]:
    return {
        "custom_id": custom_id,
        "error": {"code": "server_error", "message": "x"} if error else None,
        "infermux": {
            "provider": "p",
            "model": "m",
            "attempts": 1,
            "latency": 0.1,
            "usage": {"total_tokens": tokens},
        },
    }


# -- one decision -----------------------------------------------------------------------


def test_a_terminal_draws_live(terminal: FakeTerminal) -> None:
    assert draws_live(terminal)
    assert open_progress("job", stream=terminal).live
    assert make_progress(stream=terminal).live


def test_a_pipe_or_a_file_gets_plain_lines(terminal: FakeTerminal) -> None:
    piped = io.StringIO()
    assert not draws_live(piped)
    assert not open_progress("job", stream=piped).live
    assert not make_progress(stream=piped).live


@pytest.mark.parametrize("variable", ["NO_COLOR", "INFERMUX_PLAIN"])
def test_asking_for_plain_text_is_obeyed_by_both(
    terminal: FakeTerminal, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "1")
    assert not draws_live(terminal)
    assert not open_progress("job", stream=terminal).live
    assert not make_progress(stream=terminal).live  # the batch used to ignore NO_COLOR


def test_without_rich_a_terminal_gets_plain_lines(
    terminal: FakeTerminal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "rich", None)  # what `import rich` fails on
    assert not draws_live(terminal)
    clock = Clock()
    with open_progress("job", stream=terminal, clock=clock) as progress:
        progress.job(JobProgress("fal-ai", "req-1", "IN_QUEUE", 0.0, 0))
    assert terminal.getvalue().splitlines() == [
        "job · IN_QUEUE (job req-1) · 0s",
        "job: done in 0s",
    ]


# -- one plain-line writer and one duration ---------------------------------------------


def test_plain_lines_at_most_one_per_interval_unless_forced() -> None:
    stream, clock = io.StringIO(), Clock()
    lines = PlainLines(stream, clock=clock, every=10.0)
    assert not lines.write("too soon")  # the interval counts from the start
    assert lines.write("forced", force=True)
    clock.now += 9.9
    assert not lines.write("still too soon")
    clock.now += 0.1
    assert lines.write("ten seconds on")
    clock.now += 5
    lines.restart()
    clock.now += 9
    assert not lines.write("nine seconds after a restart")
    assert stream.getvalue().splitlines() == ["forced", "ten seconds on"]


def test_long_jobs_read_in_minutes_and_hours() -> None:
    stream, clock = io.StringIO(), Clock()
    with open_progress("text-to-video m", stream=stream, clock=clock) as progress:
        progress.job(JobProgress("fal-ai", "req-1", "IN_QUEUE", 0.0, 0))
        clock.now += 75
        progress.job(JobProgress("fal-ai", "req-1", "IN_PROGRESS", 75.0, 30))
        clock.now += 3 * 3600
    assert stream.getvalue().splitlines() == [
        "text-to-video m · IN_QUEUE (job req-1) · 0s",
        "text-to-video m · IN_PROGRESS · 30 polls (job req-1) · 1m15s",
        "text-to-video m: done in 3h01m",
    ]
    assert format_duration(3 * 3600 + 75) == "3h01m"


# -- the live display -------------------------------------------------------------------


def test_a_batch_on_a_terminal_keeps_its_last_bar(terminal: FakeTerminal) -> None:
    clock = Clock()
    progress = make_progress(stream=terminal, clock=clock)
    progress.start(4)
    assert progress.bar.drawing
    stats = BatchStats()
    stats.record_row(_row("a", tokens=1500))
    clock.now += 2
    progress.update(stats)
    stats.record_row(_row("b", error=True))
    clock.now += 2
    progress.close(stats)
    assert not progress.bar.drawing
    # Not transient: the last state stays on screen, read on the injected clock.
    last = terminal.getvalue().rsplit("\x1b[2K", 1)[-1]  # after the last "erase the line"
    assert "batch · 2/4 rows · 1 errors · 0.5 rows/s · 1.5k tokens · 0 429s" in last
    assert "50%" in last
    assert last.count("0:00:04") == 2  # elapsed and time left, on the test's clock


def test_a_jobs_live_status_is_text_not_markup(terminal: FakeTerminal) -> None:
    with open_progress("job", stream=terminal) as progress:
        progress.job(JobProgress("p", "j", "[bold]queued[/bold]", 0.0, 1))
        progress.bar.stop()  # stop by hand: the transient display would be cleared
        assert "[bold]queued[/bold]" in terminal.getvalue()


def test_progress_without_drawing_imports_no_rich() -> None:
    script = textwrap.dedent(
        """
        import io, json, sys
        import infermux
        from infermux.batch.summary import BatchStats
        from infermux.progress import make_progress, open_progress

        with open_progress("job", stream=io.StringIO(), live=False) as progress:
            progress.update(completed=1, total=2)
        batch = make_progress(stream=io.StringIO())
        batch.start(1)
        batch.close(BatchStats())
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "rich")))
        """
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_a_batch_progress_needs_no_terminal(terminal: FakeTerminal) -> None:
    """Told live=False explicitly, a batch writes plain lines even on a terminal."""
    clock = Clock()
    progress = BatchProgress(stream=terminal, live=False, clock=clock)
    progress.start(1)
    stats = BatchStats()
    stats.record_row(_row("a"))
    clock.now += 1
    progress.close(stats)
    assert not progress.bar.drawing
    assert terminal.getvalue().startswith("batch: 1/1 rows (100%), 0 errors, 1.0 rows/s, ETA 0s")
