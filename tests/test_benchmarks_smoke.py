"""The benchmark suite runs: ``benchmarks/run.py --quick`` (infermux and raw httpx2 only,
tiny counts, no peers, no environments) completes and tables every measure.

No thresholds here: a shared CI machine cannot time anything reliably. ``make bench`` is
the real run (see docs/performance.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "benchmarks" / "run.py"


def test_quick_benchmark_run_tables_every_measure(tmp_path: Path) -> None:
    sys.path.insert(0, str(RUN.parent))
    try:
        from run import MEASURES
    finally:
        sys.path.remove(str(RUN.parent))
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFERMUX_")}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(RUN), "--quick", "--no-plot", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,  # a bound for a hang only: how long it takes is no check
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    results = json.loads((tmp_path / "results.json").read_text())
    assert results["clients"] == ["httpx2", "infermux"]
    assert results["errors"] == {}
    for measure in MEASURES:
        row = results["summary"][measure.key]
        for client in ("httpx2", "infermux"):
            entry = row[client]
            assert entry is not None, (measure.key, client)
            assert entry["value"] > 0, (measure.key, client, entry)
            assert entry["ratio"] is not None, (measure.key, client)
            assert entry["ratio"] > 0, (measure.key, client)
        assert row["httpx2"]["ratio"] == 1.0

    table = (tmp_path / "results.md").read_text()
    header = table.splitlines()[0]
    assert "raw httpx2" in header
    assert "infermux" in header
    for measure in MEASURES:
        assert measure.title in table, measure.title


def test_quick_run_of_the_reference_rows_measures_only_their_own(tmp_path: Path) -> None:
    """The rows that are not clients of their own (infermux on its other async transports,
    raw httpx2 with one pydantic model) run, and only on the measures they exist for."""
    sys.path.insert(0, str(RUN.parent))
    try:
        from run import MEASURES, ONLY_MEASURES
    finally:
        sys.path.remove(str(RUN.parent))
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFERMUX_")}
    references = sorted(ONLY_MEASURES)
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [
            sys.executable,
            str(RUN),
            "--quick",
            "--no-plot",
            "--clients",
            ",".join(references),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,  # a bound for a hang only: how long it takes is no check
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["errors"] == {}
    for measure in MEASURES:
        row = results["summary"][measure.key]
        for client in references:
            entry = row.get(client)
            if measure.key in ONLY_MEASURES[client]:
                assert entry is not None, (measure.key, client)
                assert entry["value"] > 0, (measure.key, client, entry)
            else:
                assert entry is None, (measure.key, client, entry)


@pytest.mark.slow
def test_memory_breakdown_names_the_modules_beyond_the_floor() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFERMUX_")}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(RUN.parent / "memory_breakdown.py"), "--calls", "2", "--top", "3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,  # a bound for a hang only
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[1].startswith("raw httpx2 + one pydantic model"), done.stdout
    assert lines[2].startswith("infermux"), done.stdout
    assert any(line.startswith("ratio (peak): ") for line in lines), done.stdout
    listed = [line.split()[-1] for line in lines if line.startswith("  ") and "KiB" in line]
    assert len(listed) == 3, done.stdout
    assert any(name.startswith("infermux.") for name in listed), done.stdout


def test_cold_start_instruction_count_runs_and_splits_infermux_into_stages(
    tmp_path: Path,
) -> None:
    """``cold_start_instructions.py`` counts (valgrind is on every machine here; CI installs
    nothing for it): raw httpx2 is the unit, infermux's stages add up to its total, and the
    classes each client creates are counted. No figure is checked against a threshold."""
    out = tmp_path / "instructions.json"
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [
            sys.executable,
            str(RUN.parent / "cold_start_instructions.py"),
            "--clients",
            "httpx2,infermux",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("INFERMUX_")},
        timeout=900,  # a bound for a hang only
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(out.read_text())
    raw, infermux = results["httpx2"], results["infermux"]
    assert raw["instructions"]["total"] > 0
    stages = infermux["instructions"]
    assert stages["import"] + stages["construct"] + stages["first call"] == stages["total"]
    assert min(stages.values()) > 0, stages
    assert infermux["classes"]["pydantic models"] > 0  # the chat answer's models at least
    assert "| raw httpx2 |" in done.stdout
    assert "1.00x" in done.stdout
