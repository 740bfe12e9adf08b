"""pytest plugin for provider packages' own tests, enabled by the test suite that wants it.

It is opt-in (installing infermux adds nothing to anyone's test suite): enable it with
``-p infermux.testing.pytest_plugin`` (e.g. in ``addopts``) or
``pytest_plugins = ["infermux.testing.pytest_plugin"]`` in the top-level ``conftest.py``.

Fixtures: ``vcr_config`` (for pytest-recording), ``infermux_cassette`` (a function that
replays a cassette by path); the ``infermux_not_applicable`` marker, whose conformance
checks are deselected. Imports nothing heavy until a fixture is used.
"""

from __future__ import annotations

from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    from infermux.testing import vcr as vcr_module

    config.addinivalue_line(
        "markers",
        "infermux_not_applicable(reason): a conformance check with nothing to check here; "
        "deselected at collection",
    )
    mode = config.getoption("--record-mode", default=None) if _has_option(config) else None
    vcr_module.RECORD_MODE["value"] = mode or "none"


def _has_option(config: pytest.Config) -> bool:
    try:
        config.getoption("--record-mode")
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    from infermux.testing.vcr import vcr_config as make

    return make()


@pytest.fixture
def infermux_cassette() -> Any:
    from infermux.testing.vcr import cassette

    return cassette


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    """Teach pytest-recording our JSON body matcher."""
    from infermux.testing.vcr import json_body_matcher

    vcr.register_matcher("json_body", json_body_matcher)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect conformance checks that do not apply (e.g. stream checks when no helper
    streams): they are reported as deselected, never as skipped tests."""
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (dropped if item.get_closest_marker("infermux_not_applicable") else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
