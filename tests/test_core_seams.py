"""Seams of the core: config parsing is a leaf (no cycle through the registry), and the
in-house endpoints are one module registered through a built-in plugin."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from infermux.helpers.openai import OPENAI_HELPERS
from infermux.registry.loader import LoaderSettings, build_registry
from infermux.tasks import OPENAI_COMPATIBLE_TASKS


def _modules_after(code: str) -> list[str]:
    script = (
        code
        + "\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith('infermux'))))\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_config_parsing_is_a_leaf():
    loaded = _modules_after(
        textwrap.dedent(
            """
            from infermux.config import parse_config
            parse_config('[providers.gw]\\nbase_url = "https://gw.example/v1"\\n', "test")
            """
        )
    )
    assert loaded == [
        "infermux",
        "infermux.aliases",
        "infermux.config",
        "infermux.errors",
        "infermux.tasks",
    ]


def test_the_openai_compatible_tasks_are_those_with_a_helper():
    assert set(OPENAI_HELPERS) == OPENAI_COMPATIBLE_TASKS


def test_config_file_endpoints_are_registered_by_the_built_in_plugin(tmp_path, monkeypatch):
    config = tmp_path / "infermux.toml"
    config.write_text(
        '[providers.gw]\nbase_url = "https://gw.example/v1"\ntasks = ["conversational"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("INFERMUX_CONFIG", str(config))
    # An allow-list is for installed plugins: the user's own config file still counts.
    registry = build_registry(LoaderSettings(allow=frozenset({"nothing"})))
    registration = registry.get("gw", "conversational")
    assert registration.origin == f"config:{config}"
    assert type(registration.helper).__module__ == "infermux.endpoints"
    (info,) = [info for info in registry.plugins if info.name.startswith("config:")]
    assert (info.status, info.registrations) == ("loaded", [("gw", "conversational")])
