"""The documentation site builds with ``mkdocs build --strict`` (broken links and anchors
fail), its generated pages are up to date, and every guide page is in the nav and has a
runnable example."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.docs

DOCS = ROOT / "docs"
GUIDE = sorted((DOCS / "guide").glob("*.md"))
_RUNNABLE = re.compile(r"^```python[ \t]*\n", re.M)


def _generator():
    path = ROOT / "scripts" / "generate_docs_pages.py"
    spec = importlib.util.spec_from_file_location("generate_docs_pages", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _nav_pages(nav) -> list[str]:
    pages: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        pages.extend(_nav_pages(value) if isinstance(value, list) else [value])
    return pages


class _Loader(yaml.SafeLoader):
    """mkdocs.yml may use tags such as !!python/name; the nav needs none of them."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def _config() -> dict:
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (site / "index.html").exists()
    # ```python no-run blocks render as code (the hook in scripts/generate_docs_pages.py):
    # otherwise Markdown swallows the rest of the page and its headings disappear.
    tasks = (site / "guide" / "tasks" / "index.html").read_text(encoding="utf-8")
    assert 'id="image-segmentation"' in tasks
    assert 'id="audio-to-audio"' in tasks
    # The API reference was generated from the docstrings.
    clients = (site / "reference" / "clients" / "index.html").read_text(encoding="utf-8")
    assert 'id="infermux.InferenceClient.chat_completion"' in clients


def test_providers_index_is_up_to_date() -> None:
    generated = _generator().render_providers_index()
    committed = (DOCS / "providers" / "index.md").read_text(encoding="utf-8")
    assert committed == generated, "run: uv run python scripts/generate_docs_pages.py"


def test_providers_index_lists_every_plugin() -> None:
    text = (DOCS / "providers" / "index.md").read_text(encoding="utf-8")
    for plugin in _generator().first_party_plugins():
        assert f"[{plugin}]({plugin}.md)" in text


def test_nav_covers_the_guide_and_the_other_pages() -> None:
    nav = set(_nav_pages(_config()["nav"]))
    expected = {
        "index.md",
        "cli.md",
        "architecture.md",
        "providers/index.md",
        "reference/index.md",
        *(f"guide/{page.name}" for page in GUIDE),
        *(f"reference/{page.name}" for page in (DOCS / "reference").glob("*.md")),
    }
    if (DOCS / "plugin-authors.md").exists():
        expected.add("plugin-authors.md")
    assert expected <= nav, f"missing from the nav in mkdocs.yml: {sorted(expected - nav)}"
    assert all((DOCS / page).exists() for page in nav), "the nav names a missing page"


@pytest.mark.parametrize("page", GUIDE, ids=[page.stem for page in GUIDE])
def test_every_guide_page_has_a_runnable_example(page: Path) -> None:
    assert _RUNNABLE.search(page.read_text(encoding="utf-8")), f"{page.name}: no runnable example"
