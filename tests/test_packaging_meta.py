"""``pip install "infermux[all]"`` brings every first-party plugin, and only those."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT


def _plugin_distributions() -> set[str]:
    names = set()
    for pyproject in (ROOT / "plugins").glob("*/pyproject.toml"):
        names.add(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["name"])
    return names


def test_all_extra_lists_every_first_party_plugin_with_a_bounded_version():
    core = tomllib.loads((ROOT / "core" / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = core["project"]["optional-dependencies"]["all"]
    listed = {re.match(r"[A-Za-z0-9._-]+", r).group(0) for r in requirements}
    assert listed == _plugin_distributions()
    assert all(r.endswith(">=0.1,<0.2") for r in requirements)


def test_every_plugin_is_a_workspace_source():
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    sources = root["tool"]["uv"]["sources"]
    assert _plugin_distributions() <= set(sources)
