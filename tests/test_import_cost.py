"""Start-up discipline, checked in a fresh interpreter.

``import infermux`` must load no plugin, and plugin discovery must stay light: a plugin that
imports ``infermux.types`` (pydantic) or the HTTP library at module top makes every program
that only lists providers, or builds a client, pay for it. Plugins import models inside the
methods that build them and declare ``output_type = LazyType("...")``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("pydantic", "pydantic_core", "httpx2", "httpcore2")


def _modules_after(code: str) -> dict[str, list[str]]:
    """Run ``code`` in a fresh interpreter; return the modules it left imported, grouped."""
    script = (
        code
        + "\nimport json, sys\n"
        + "mods = sorted(sys.modules)\n"
        + "print(json.dumps({\n"
        + "  'plugins': [m for m in mods if m.startswith('infermux_')],\n"
        + f"  'heavy': [m for m in mods if m.split('.')[0] in {HEAVY!r}],\n"
        + "  'infermux': [m for m in mods if m.startswith('infermux.')],\n"
        + "}))\n"
    )
    # Every installed plugin loads (no allow- or block-list hides one from the check).
    env = dict(os.environ)
    env.pop("INFERMUX_PLUGINS", None)
    env.pop("INFERMUX_BLOCK_PLUGINS", None)
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_import_infermux_loads_no_plugin_and_nothing_heavy() -> None:
    loaded = _modules_after("import infermux")
    assert loaded["plugins"] == [], f"import infermux imported plugins: {loaded['plugins']}"
    assert loaded["heavy"] == [], f"import infermux imported {loaded['heavy']}"
    assert loaded["infermux"] == [], f"import infermux imported {loaded['infermux']}"


def test_plugin_discovery_imports_neither_pydantic_nor_httpx2() -> None:
    loaded = _modules_after(
        "import infermux\n"
        "from infermux.registry.loader import get_registry\n"
        "registry = get_registry()\n"
        "assert registry.providers(), 'no provider discovered'\n"
    )
    assert loaded["plugins"], "discovery imported no plugin: is the workspace installed?"
    assert loaded["heavy"] == [], (
        f"plugin discovery imported {loaded['heavy']}: a plugin (or the loader) imports "
        "infermux.types, pydantic or httpx2 at module top; import inside the method instead "
        "and use output_type = LazyType('...')"
    )


def test_a_sync_client_for_one_provider_imports_only_what_it_uses(tmp_path) -> None:
    """Cold start to a first sync answer: the provider's plugin alone, and neither asyncio
    (the async client's) nor tomllib (for config files, when there are none)."""
    script = (
        "from infermux import InferenceClient\n"
        "client = InferenceClient(provider='together', api_key='k')\n"
        "client.close()\n"
        "import json, sys\n"
        "print(json.dumps({\n"
        "  'plugins': sorted({m.split('.')[0] for m in sys.modules if m.startswith('infermux_')}),\n"
        "  'avoidable': [m for m in ('asyncio', 'tomllib') if m in sys.modules],\n"
        "}))\n"
    )
    env = dict(os.environ)
    env.pop("INFERMUX_PLUGINS", None)
    env.pop("INFERMUX_BLOCK_PLUGINS", None)
    env.pop("INFERMUX_CONFIG", None)
    env["XDG_CONFIG_HOME"] = str(tmp_path)  # no config file in the way (nor in the cwd)
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == {"plugins": ["infermux_together"], "avoidable": []}
