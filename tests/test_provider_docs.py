"""Each first-party provider has a docs page whose task table matches what it registers."""

from __future__ import annotations

import re

import pytest

from infermux.registry.loader import LoaderSettings, build_registry
from tests.conftest import ROOT

DOCS = ROOT / "docs" / "providers"
PLUGIN_DIRS = sorted(
    p.name for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").exists()
)


def _registered() -> dict[str, set[str]]:
    registry = build_registry(LoaderSettings(load_config_files=False))
    tasks: dict[str, set[str]] = {}
    for registration in registry:
        if (registration.distribution or "").removeprefix("infermux-") in PLUGIN_DIRS:
            tasks.setdefault(registration.helper.provider, set()).add(registration.helper.task)
    return tasks


def _documented_tasks(text: str) -> set[str]:
    section = text.split("## Tasks", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    cells = [row.strip("|").split("|")[0].strip().strip("`") for row in rows[2:]]  # skip header
    return {re.sub(r"\s*\(.*\)$", "", cell) for cell in cells if cell}


def test_every_plugin_is_installed_and_registers_something():
    registered = _registered()
    assert sorted(registered) == PLUGIN_DIRS


@pytest.mark.parametrize("provider", PLUGIN_DIRS)
def test_provider_page_lists_exactly_the_registered_tasks(provider):
    page = DOCS / f"{provider}.md"
    assert page.exists(), f"missing docs page {page}"
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {provider}")
    assert f"pip install infermux infermux-{provider}" in text
    assert _documented_tasks(text) == _registered()[provider]
