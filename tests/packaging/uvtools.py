"""How the packaging tests call uv: the same way on a warm machine and on a fresh one.

Wheels are installed into fresh venvs the way a user installs them: uv resolves the
third-party dependencies from the package index, through uv's cache. The tests used to
pass ``--offline``, which works only where an earlier online install has filled the cache
with the index's metadata (``uv sync --locked`` fills it with wheels, not metadata): on a
fresh machine every install failed. Instead every install is pinned to the versions in
``uv.lock`` (a constraints file exported from it), so what is tested is what the workspace
locked, and a warm cache makes it fast without being needed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT


def uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        pytest.fail("the packaging tests need uv (https://docs.astral.sh/uv/) on PATH")
    return found


def uv_env() -> dict[str, str]:
    """The caller's environment (uv's cache and index settings), without progress bars,
    and never offline: an inherited ``UV_OFFLINE`` would fail on a cold cache."""
    env = {**os.environ, "UV_NO_PROGRESS": "1"}
    env.pop("UV_OFFLINE", None)
    return env


def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)  # noqa: S603
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, args))} failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result


_export_lock = threading.Lock()


def locked_constraints(directory: Path) -> Path:
    """A constraints file pinning every third-party package to its version in ``uv.lock``
    (written once per directory; the tests install from several threads)."""
    path = directory / "constraints.txt"
    with _export_lock:
        if not path.exists():
            _export(path)
    return path


def _export(path: Path) -> None:
    args = [uv(), "export", "--frozen", "--no-hashes", "--no-emit-workspace", "--all-packages"]
    args += ["--all-extras", "--all-groups", "--no-annotate", "--no-header", "-o", str(path)]
    run(args, cwd=ROOT, env=uv_env())


def pip_install(python: Path, requirements: list[str], directory: Path, **kwargs: Any) -> None:
    """``uv pip install`` into the venv of ``python``, pinned to the lock."""
    constraints = locked_constraints(directory)
    args = [uv(), "pip", "install", "--python", str(python), "-c", str(constraints)]
    run([*args, *requirements], env=uv_env(), **kwargs)
