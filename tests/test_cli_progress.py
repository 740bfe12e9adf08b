"""infermux.progress for the CLI: plain lines when piped, a rich live display on a terminal,
nothing when quiet; and ``infermux run`` showing a polled job's progress from a recorded
fal-ai queue. (The parts shared with the batch's progress: tests/test_progress.py.)"""

from __future__ import annotations

import io
import json

from infermux.cli import main
from infermux.engine.effects import JobProgress
from infermux.progress import open_progress


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _job(status: str, polls: int) -> JobProgress:
    return JobProgress("fal-ai", "req-1", status, 0.0, polls)


def test_plain_lines_one_per_status_change_with_polls_and_elapsed():
    stream, clock = io.StringIO(), Clock()
    with open_progress("text-to-video m", stream=stream, clock=clock) as progress:
        progress.job(_job("IN_QUEUE", 0))
        clock.now += 2
        progress.job(_job("IN_QUEUE", 1))  # same status, too soon: no line
        clock.now += 3
        progress.job(_job("IN_PROGRESS", 2))
        clock.now += 4
    assert stream.getvalue().splitlines() == [
        "text-to-video m · IN_QUEUE (job req-1) · 0s",
        "text-to-video m · IN_PROGRESS · 2 polls (job req-1) · 5s",
        "text-to-video m: done in 9s",
    ]


def test_plain_lines_repeat_a_status_every_ten_seconds():
    stream, clock = io.StringIO(), Clock()
    progress = open_progress("job", stream=stream, clock=clock)
    progress.job(_job("IN_PROGRESS", 0))
    clock.now += 10
    progress.job(_job("IN_PROGRESS", 5))
    assert stream.getvalue().splitlines()[-1] == "job · IN_PROGRESS · 5 polls · 10s"
    progress.close(failed=True)  # no "done" line after a failure
    assert "done" not in stream.getvalue()


def test_counted_work_for_batches():
    stream, clock = io.StringIO(), Clock()
    with open_progress("batch requests.jsonl", stream=stream, clock=clock) as progress:
        progress.update(total=100, completed=0, status="running")
        clock.now += 30
        progress.update(completed=40)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "batch requests.jsonl · running · 0/100 · 0s"
    assert lines[1] == "batch requests.jsonl · running · 40/100 · 30s"


def test_quiet_writes_nothing():
    stream = io.StringIO()
    with open_progress("job", stream=stream, quiet=True) as progress:
        progress.job(_job("IN_QUEUE", 0))
        progress.update(completed=1, total=2)
    assert stream.getvalue() == ""


def test_a_terminal_gets_a_live_rich_display_that_is_cleared():
    terminal = FakeTerminal()
    with open_progress("text-to-video m", stream=terminal) as progress:
        assert progress.live
        progress.job(_job("IN_PROGRESS", 3))
        assert progress.bar.drawing
        assert "IN_PROGRESS · 3 polls" in progress.describe()
    assert not progress.bar.drawing  # stopped, and transient: nothing left but control codes
    assert "done in" not in terminal.getvalue()


def test_run_shows_the_jobs_progress_on_stderr(replay, capsys):
    argv = [
        "run",
        "text-to-video",
        "--model",
        "fal-ai/kling-video/v1/standard/text-to-video",
        "--provider",
        "fal-ai",
        "--api-key",
        "fal-fake-key-id:fake-secret-0123456789",
        "--poll-interval",
        "0.001",
        "--no-hub-lookup",
        "--param",
        "seed=1",
        "--json",
        "A young man walking on the street",
    ]
    with replay("fal-ai/text_to_video_synthetic.yaml"):
        assert main(argv) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["provider"] == "fal-ai"
    lines = captured.err.splitlines()
    assert lines[0].startswith("text-to-video fal-ai/kling-video/v1/standard/text-to-video · ")
    assert "(job " in lines[0]
    assert lines[-1].startswith("text-to-video fal-ai/kling-video/v1/standard/text-to-video: done")


def test_run_quiet_shows_no_progress(replay, capsys):
    argv = [
        "run",
        "text-to-video",
        "-m",
        "fal-ai/kling-video/v1/standard/text-to-video",
        "--provider",
        "fal-ai",
        "--api-key",
        "fal-fake-key-id:fake-secret-0123456789",
        "--poll-interval",
        "0.001",
        "--no-hub-lookup",
        "-p",
        "seed=1",
        "--json",
        "--quiet",
        "A young man walking on the street",
    ]
    with replay("fal-ai/text_to_video_synthetic.yaml"):
        assert main(argv) == 0
    assert capsys.readouterr().err == ""
