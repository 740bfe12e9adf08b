"""Every ```python block in README.md and docs/ runs, against cassettes, so docs cannot rot.

A block marked ```python no-run is skipped (it needs a real key or shows a fragment). A
block runs in a fresh namespace with HF_TOKEN set to a fake token, from a temporary
directory; ``<!-- cassette: <provider>/<file>.yaml -->`` comments right above its fence
(see tests/docs_blocks.py) replay those cassettes while it runs (network blocked
otherwise). The comments are invisible on the rendered site, so readers see plain samples.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest

from infermux.testing import cassette
from tests.conftest import CASSETTES, FAKE_HF_TOKEN, ROOT
from tests.docs_blocks import IN_CODE_MARKER, code_blocks


def _doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _examples() -> list[tuple[str, str, tuple[str, ...]]]:
    found = []
    for path in _doc_files():
        python = [
            b for b in code_blocks(path.read_text(encoding="utf-8")) if b.language == "python"
        ]
        for index, block in enumerate(python):
            if "no-run" in block.info:
                continue
            found.append((f"{path.relative_to(ROOT)}#{index}", block.code, block.cassettes))
    return found


EXAMPLES = _examples()


def test_docs_have_runnable_examples():
    assert EXAMPLES, "no runnable python examples found in README.md or docs/"


def test_no_sample_shows_a_test_marker():
    shown = [
        f"{path.relative_to(ROOT)}:{block.line}"
        for path in _doc_files()
        for block in code_blocks(path.read_text(encoding="utf-8"))
        if IN_CODE_MARKER.search(block.code)
    ]
    assert shown == [], "put cassettes in <!-- cassette: ... --> comments above the fence"


@pytest.mark.parametrize(("where", "code", "cassettes"), EXAMPLES, ids=[w for w, _, _ in EXAMPLES])
def test_example_runs(where, code, cassettes, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_TOKEN", FAKE_HF_TOKEN)
    with ExitStack() as stack:
        for name in cassettes:
            path = CASSETTES / name
            assert path.exists(), f"{where}: cassette {name} not found"
            stack.enter_context(cassette(path))
        exec(compile(code, where, "exec"), {"__name__": "__docs__"})  # noqa: S102
    # A config file left where the reader ran the example would change every later command
    # there (a broken one stops them all): examples write theirs in a scratch folder.
    assert not (tmp_path / "infermux.toml").exists(), f"{where} left ./infermux.toml behind"
