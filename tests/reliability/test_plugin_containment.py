"""Issue 14 item 16: one plugin's failure never takes down the others, or the process.

A plugin raising ``SystemExit`` or ``KeyboardInterrupt`` at import (or in its hook) is
reported and skipped; under ``-W error`` (warnings as exceptions) a broken plugin's warning
is logged instead of escaping; a plugin that registers nothing is reported as such.
"""

from __future__ import annotations

import logging
import re
import warnings

import pytest

from infermux.registry.loader import LoaderSettings, PluginWarning, build_registry
from tests.core.test_loader import FakePlugins, plugins

__all__ = ["plugins"]

SETTINGS = LoaderSettings(load_config_files=False)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("import sys\nsys.exit(3)\n", "SystemExit: 3"),
        ("raise SystemExit('bye')\n", "SystemExit: bye"),
        ("raise KeyboardInterrupt\n", "KeyboardInterrupt"),
    ],
    ids=["sys.exit", "SystemExit", "KeyboardInterrupt"],
)
def test_plugin_exiting_at_import_is_contained(plugins: FakePlugins, body: str, named: str):
    plugins.plugin("infermux-good", ("good", "conversational"))
    plugins.distribution("infermux-exiting", "1.0", exiting=plugins.module(body))
    registry = build_registry(SETTINGS)  # plugins are imported when used or listed
    with pytest.warns(PluginWarning) as caught:
        assert registry.providers() == ["good"]
    (message,) = [str(w.message) for w in caught]
    assert "infermux-exiting" in message
    assert named in message
    status = {info.distribution: info.status for info in registry.plugins}
    assert status == {"infermux-good": "loaded", "infermux-exiting": "failed"}


def test_plugin_exiting_in_its_hook_is_contained(plugins: FakePlugins):
    hook = plugins.module(
        """
        @hookimpl
        def register_providers(register):
            raise SystemExit("not today")
        """
    )
    plugins.distribution("infermux-hook-exit", "1.0", hook_exit=hook)
    plugins.plugin("infermux-good", ("good", "conversational"))
    registry = build_registry(SETTINGS)  # plugins are imported when used or listed
    with pytest.warns(PluginWarning, match="SystemExit: not today"):
        assert registry.providers() == ["good"]


def test_under_warnings_as_errors_a_broken_plugin_is_logged_not_raised(
    plugins: FakePlugins, caplog: pytest.LogCaptureFixture
):
    plugins.plugin("infermux-good", ("good", "conversational"))
    plugins.distribution(
        "infermux-broken", "1.0", broken=plugins.module("raise ImportError('boom')\n")
    )
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING, logger="infermux"):
        warnings.simplefilter("error")  # what `python -W error` does
        registry = build_registry(SETTINGS)
        assert registry.providers() == ["good"]  # plugins are imported when listed
    assert any(
        "infermux-broken" in r.getMessage() and "ImportError: boom" in r.getMessage()
        for r in caplog.records
    )
    assert {i.distribution: i.status for i in registry.plugins}["infermux-broken"] == "failed"


def test_a_plugin_warning_at_import_under_warnings_as_errors_is_contained(
    plugins: FakePlugins, caplog: pytest.LogCaptureFixture
):
    noisy = plugins.module("import warnings\nwarnings.warn('old API', DeprecationWarning)\n")
    plugins.distribution("infermux-noisy", "1.0", noisy=noisy)
    plugins.plugin("infermux-good", ("good", "conversational"))
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING, logger="infermux"):
        warnings.simplefilter("error")
        registry = build_registry(SETTINGS)
        assert registry.providers() == ["good"]  # plugins are imported when listed
    assert any("DeprecationWarning: old API" in r.getMessage() for r in caplog.records)


def test_a_plugin_that_registers_nothing_is_reported(plugins: FakePlugins):
    silent = plugins.module(
        """
        @hookimpl
        def register_providers(register):
            pass
        """
    )
    plugins.distribution("infermux-silent", "1.0", silent=silent)
    plugins.distribution("infermux-hookless", "1.0", hookless=plugins.module("X = 1\n"))
    plugins.plugin("infermux-good", ("good", "conversational"))
    registry = build_registry(SETTINGS)  # plugins are imported when used or listed
    with pytest.warns(PluginWarning) as caught:
        status = {info.distribution: info.status for info in registry.plugins}
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 2
    assert all("registered no provider" in m for m in messages)
    assert status == {
        "infermux-silent": "empty",
        "infermux-hookless": "empty",
        "infermux-good": "loaded",
    }


def test_infermux_plugins_lists_an_empty_plugin(plugins: FakePlugins, monkeypatch, capsys):
    from infermux.cli import main
    from infermux.registry import loader

    silent = plugins.module("@hookimpl\ndef register_providers(register):\n    pass\n")
    plugins.distribution("infermux-silent", "1.0", silent=silent)
    monkeypatch.setattr(loader, "_default", None)
    try:
        assert main(["plugins"]) == 0
    finally:
        loader.reset_registry()
    out = capsys.readouterr().out
    assert re.search(r"^silent\s+infermux-silent\s+1\.0\s+empty", out, re.M)
    assert "registered no provider" in out
