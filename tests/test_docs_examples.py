"""Every ```python block in README.md and docs/ runs, against cassettes, so docs cannot rot.

A block marked ```python no-run is skipped (it needs a real key or shows a fragment). A
block runs in a fresh namespace with HF_TOKEN set to a fake token, from a temporary
directory; lines ``# cassette: <provider>/<file>.yaml`` at its top replay those cassettes
while it runs (network blocked otherwise).
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from pathlib import Path

import pytest

from infermux.testing import cassette
from tests.conftest import CASSETTES, FAKE_HF_TOKEN, ROOT

_BLOCK = re.compile(r"^```python([^\n]*)\n(.*?)^```", re.M | re.S)
_CASSETTE = re.compile(r"^# cassette: (\S+)$", re.M)


def _doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _examples() -> list[tuple[str, str]]:
    found = []
    for path in _doc_files():
        text = path.read_text(encoding="utf-8")
        for index, match in enumerate(_BLOCK.finditer(text)):
            if "no-run" in match.group(1):
                continue
            found.append((f"{path.relative_to(ROOT)}#{index}", match.group(2)))
    return found


EXAMPLES = _examples()


def test_docs_have_runnable_examples():
    assert EXAMPLES, "no runnable python examples found in README.md or docs/"


@pytest.mark.parametrize(("where", "code"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_example_runs(where, code, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_TOKEN", FAKE_HF_TOKEN)
    with ExitStack() as stack:
        for name in _CASSETTE.findall(code):
            path = CASSETTES / name
            assert path.exists(), f"{where}: cassette {name} not found"
            stack.enter_context(cassette(path))
        exec(compile(code, where, "exec"), {"__name__": "__docs__"})  # noqa: S102
