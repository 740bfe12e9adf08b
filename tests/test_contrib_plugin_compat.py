"""A plugin built against another core version is refused before it is imported, with a
message naming the versions that fit (fake distributions on ``sys.path``)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from infermux import __version__
from infermux.errors import PluginLoadError
from infermux.registry.loader import (
    LoaderSettings,
    PluginWarning,
    build_registry,
    core_incompatibility,
)

PLUGIN_MODULE = """
from infermux import hookimpl
from infermux.helpers.openai import OpenAIChatHelper


class FooChat(OpenAIChatHelper):
    provider = "foo"
    base_url = "https://api.foo.example"


@hookimpl
def register_providers(register):
    register(FooChat())
"""


def _fake_distribution(
    root: Path, name: str, version: str, requires: list[str], module: str | None = None
) -> None:
    """A dist-info folder with an ``infermux.providers`` entry point, as pip installs one."""
    package = name.replace("-", "_")
    info = root / f"{package}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {line}" for line in requires]
    (info / "METADATA").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[infermux.providers]\nfoo = {package}\n", encoding="utf-8"
    )
    if module is not None:
        (root / f"{package}.py").write_text(module, encoding="utf-8")


@pytest.fixture
def site(tmp_path, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    importlib.invalidate_caches()
    yield root
    for name in [m for m in sys.modules if m.startswith("infermux_foo")]:
        del sys.modules[name]


def _settings(**options):
    return LoaderSettings(allow=frozenset({"infermux-foo"}), load_config_files=False, **options)


def test_an_incompatible_plugin_is_refused_naming_the_versions_that_fit(site):
    # No module behind the entry point: importing it would fail differently.
    _fake_distribution(site, "infermux-foo", "1.2", ["infermux<0.4,>=0.3", "httpx2"])
    expected = (
        f"infermux-foo 1.2 requires infermux>=0.3,<0.4; this is infermux {__version__}. "
        "Install a release of infermux-foo made for infermux 0.1, or install infermux>=0.3,<0.4."
    )
    registry = build_registry(_settings())
    with pytest.warns(PluginWarning) as caught:  # checked when "foo" is first used
        assert not registry.has_provider("foo")
    (warning,) = caught
    assert str(warning.message) == f"plugin 'foo' (distribution infermux-foo) refused: {expected}"
    (info,) = [p for p in registry.plugins if p.distribution == "infermux-foo"]
    assert (info.status, info.error, info.registrations) == ("failed", str(warning.message), [])
    assert "infermux_foo" not in sys.modules
    assert "foo" not in registry.providers()


def test_strict_mode_raises_instead(site):
    _fake_distribution(site, "infermux-foo", "1.2", ["infermux>=0.3,<0.4"])
    with pytest.raises(PluginLoadError, match=r"requires infermux>=0\.3,<0\.4; this is infermux"):
        build_registry(_settings(strict=True))


def test_a_compatible_plugin_loads(site):
    _fake_distribution(
        site,
        "infermux-foo",
        "1.2",
        ["infermux>=0.1,<0.2", 'infermux[testing]>=9; extra == "test"'],
        module=PLUGIN_MODULE,
    )
    registry = build_registry(_settings(strict=True))
    assert registry.get("foo", "conversational").distribution == "infermux-foo"


def test_the_cli_reports_the_refused_plugin(site, capsys, monkeypatch):
    from infermux.cli import main

    _fake_distribution(site, "infermux-foo", "1.2", ["infermux>=0.3,<0.4"])
    monkeypatch.setenv("INFERMUX_PLUGINS", "infermux-foo")
    assert main(["plugins"]) == 0
    captured = capsys.readouterr()
    assert "infermux-foo 1.2 requires infermux>=0.3,<0.4" in captured.err
    assert "failed" in captured.out


@pytest.mark.parametrize(
    ("requires", "core", "refused"),
    [
        (["infermux>=0.1,<0.2"], "0.1.0", False),
        (["infermux>=0.1,<0.2"], "0.2.0", True),
        (["infermux>=0.1,<0.3"], "0.2.0rc1", False),  # a pre-release core inside the range
        (["infermux>=0.2"], "0.2.0rc1", True),  # PEP 440: 0.2.0rc1 comes before 0.2
        (["infermux~=0.3.1"], "0.3.0", True),
        (["INFERMUX_Core>=9", "infermux==0.1.*"], "0.1.5", False),  # another project
        (['infermux>=9; python_version < "3"'], "0.1.0", False),  # marker not in force
        (['infermux>=9; extra == "test"'], "0.1.0", False),  # an extra's requirement
        (["not a requirement !!", "requests"], "0.1.0", False),
        ([], "0.1.0", False),
        (None, "0.1.0", False),
    ],
)
def test_core_incompatibility(requires, core, refused):
    problem = core_incompatibility("infermux-foo", "1.0", requires, core)
    assert (problem is not None) is refused, problem
