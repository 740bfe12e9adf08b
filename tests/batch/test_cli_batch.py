"""``infermux batch`` end to end against the stub server on 127.0.0.1 (an in-house provider
from a config file), including a ``kill -9`` in the middle of a run and the rerun."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infermux.cli import main
from infermux.testing.stub_server import StubServer
from tests.batch.conftest import TASKS, chat_row

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer(faults={"fail-400": 400, "fail-500": 500}) as server:
        yield server


@pytest.fixture
def config(stub: StubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "infermux.toml"
    path.write_text(
        f'[providers.stub]\nbase_url = "{stub.url}"\ntasks = {json.dumps(TASKS)}\n\n'
        f'[providers.keyed]\nbase_url = "{stub.url}"\ntasks = ["conversational"]\n'
        'api_key_env = "KEYED_API_KEY"\n'
    )
    monkeypatch.setenv("INFERMUX_CONFIG", str(path))
    return path


def write_input(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def read_output(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def run(*args: str) -> int:
    return main(["batch", *args, "--no-progress"])


@pytest.mark.slow  # two runs of the command, in process
def test_a_clean_run_exits_0_and_a_rerun_sends_nothing(
    stub: StubServer, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_input(tmp_path / "in.jsonl", [chat_row(i) for i in range(40)])
    out = tmp_path / "out.jsonl"
    assert run(str(source), "-o", str(out), "--provider", "stub", "--concurrency", "4") == 0
    rows = read_output(out)
    assert sorted(r["custom_id"] for r in rows) == sorted(f"row-{i}" for i in range(40))
    first = rows[0]
    assert first["response"]["status_code"] == 200
    assert first["response"]["body"]["choices"][0]["message"]["content"].startswith("echo hello")
    assert first["infermux"]["provider"] == "stub"
    assert first["infermux"]["attempts"] == 1
    assert first["infermux"]["usage"]["total_tokens"] > 0
    summary = json.loads((tmp_path / "out.summary.json").read_text())
    assert summary["rows"]["succeeded"] == 40
    assert summary["tokens"][0]["provider"] == "stub"
    assert "40 succeeded, 0 failed" in capsys.readouterr().err
    sent = stub.stats.requests
    assert sent == 40
    assert run(str(source), "-o", str(out), "--provider", "stub") == 0
    assert stub.stats.requests == sent  # complete: nothing sent
    assert len(read_output(out)) == 40


def test_failed_rows_exit_3_and_a_rerun_retries_only_them(
    stub: StubServer, config: Path, tmp_path: Path
) -> None:
    rows = [chat_row(i, f"hi {i}" + (" fail-500" if i == 3 else "")) for i in range(10)]
    rows.append({**chat_row(10, "fail-400 please"), "custom_id": "bad"})
    source = write_input(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    args = [str(source), "-o", str(out), "--provider", "stub", "--max-retries", "1"]
    assert run(*args) == 3
    errors = {r["custom_id"]: r["error"]["code"] for r in read_output(out) if r["error"]}
    assert errors == {"row-3": "server_error", "bad": "bad_request"}
    before = stub.stats.requests
    assert run(*args) == 3
    assert stub.stats.requests - before == 2 + 1  # row-3 twice (one retry), bad once
    output = read_output(out)
    assert len(output) == 11
    assert len({r["custom_id"] for r in output}) == 11


@pytest.mark.parametrize(
    ("extra", "lines", "message"),
    [
        (["--provider", "nope"], None, "nope"),
        (["--provider", "keyed"], None, "KEYED_API_KEY"),
        (["--provider", "stub"], ["{not json"], "malformed"),
        (["--provider", "stub"], "duplicate", "duplicate custom_id"),
        (
            ["--provider", "stub", "--requests-per-minute", "a=1", "--requests-per-minute", "2"],
            None,
            "not both",
        ),
    ],
)
def test_configuration_errors_exit_2_before_any_request(
    stub: StubServer,
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    lines: Any,
    message: str,
) -> None:
    source = tmp_path / "in.jsonl"
    if lines == "duplicate":
        write_input(source, [chat_row(1), {**chat_row(2), "custom_id": "row-1"}])
    elif lines:
        source.write_text("\n".join([json.dumps(chat_row(0)), *lines]) + "\n")
    else:
        write_input(source, [chat_row(0)])
    assert run(str(source), "-o", str(tmp_path / "out.jsonl"), *extra) == 2
    assert message in capsys.readouterr().err
    assert stub.stats.requests == 0


def test_binary_outputs_go_to_the_media_dir(stub: StubServer, config: Path, tmp_path: Path) -> None:
    source = write_input(
        tmp_path / "in.jsonl",
        [
            {
                "custom_id": "img/1",
                "url": "/v1/images/generations",
                "body": {"model": "m", "prompt": "a cat", "size": "64x64"},
            },
            {"custom_id": "vec", "task": "feature-extraction", "inputs": ["a", "bb"], "model": "m"},
        ],
    )
    out = tmp_path / "out.jsonl"
    media = tmp_path / "media"
    assert run(str(source), "-o", str(out), "--provider", "stub", "--media-dir", str(media)) == 0
    rows = {r["custom_id"]: r for r in read_output(out)}
    image = rows["img/1"]["response"]["body"]["data"][0]
    assert Path(image["path"]).parent == media
    assert Path(image["path"]).read_bytes().startswith(b"\x89PNG")
    assert rows["vec"]["response"]["body"] == [[1.0, 0.0, 1.0], [2.0, 1.0, 1.0]]


@pytest.mark.slow
def test_kill_9_then_rerun_loses_only_rows_in_flight(tmp_path: Path) -> None:
    total, concurrency, kill_after = 300, 8, 60
    with StubServer(latency=0.05) as stub:
        config = tmp_path / "infermux.toml"
        config.write_text(
            f'[providers.stub]\nbase_url = "{stub.url}"\ntasks = {json.dumps(TASKS)}\n'
        )
        source = write_input(tmp_path / "in.jsonl", [chat_row(i) for i in range(total)])
        out = tmp_path / "out.jsonl"
        command = [
            sys.executable,
            "-m",
            "infermux.cli",
            "batch",
            str(source),
            "-o",
            str(out),
            "--provider",
            "stub",
            "--concurrency",
            str(concurrency),
            "--no-progress",
        ]
        env = {**os.environ, "INFERMUX_CONFIG": str(config)}
        process = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and process.poll() is None:
                if out.exists() and out.read_bytes().count(b"\n") >= kill_after:
                    break
                time.sleep(0.005)  # polling another process's file: nothing to inject
            assert process.poll() is None, "the run ended before the test could kill it"
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait(30)
        assert process.returncode == -signal.SIGKILL
        written = out.read_bytes().count(b"\n")
        assert kill_after <= written < total
        rerun = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
            command, env=env, capture_output=True, text=True, timeout=300
        )
        assert rerun.returncode == 0, rerun.stderr
        rows = read_output(out)
        assert sorted(r["custom_id"] for r in rows) == sorted(f"row-{i}" for i in range(total))
        assert all(r["error"] is None for r in rows)
        # Rows in flight at the kill were sent twice; nothing else was.
        assert stub.stats.requests <= total + concurrency
        assert max(stub.stats.bodies.values()) <= 2
