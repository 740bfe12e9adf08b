"""Every plugin wheel, installed beside only the core wheel in a fresh venv, is found and works.

Per session, once: ``uv build --wheel --all-packages`` (the core and each plugin under
``plugins/`` and ``contrib-providers/``). Per plugin: a fresh venv (``uv venv``), the core wheel (with its
``testing`` extra) and that one plugin wheel installed with ``uv pip install``, the third-party
dependencies pinned to ``uv.lock`` (``uvtools.py``), then a script run in
the venv with ``python -I`` from an empty directory and the network blocked: it lists the
``infermux.providers`` entry points, loads the registry, and, for together and hf-inference,
replays a recorded call from ``cassettes/``. The work runs on a small thread pool started
with the session fixture; each plugin's tests wait only for that plugin.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import tomllib
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tests.conftest import CASSETTES, FAKE_HF_TOKEN, ROOT
from tests.packaging.uvtools import pip_install, uv_env
from tests.packaging.uvtools import run as _run
from tests.packaging.uvtools import uv as _uv

pytestmark = pytest.mark.packaging

ENTRY_POINT_GROUP = "infermux.providers"


@dataclass(frozen=True)
class Project:
    """A workspace member, as its pyproject.toml declares it."""

    path: Path
    name: str
    version: str
    package: str  # the import package
    entry_points: dict[str, str]

    @classmethod
    def read(cls, path: Path) -> Project:
        data = tomllib.loads((path / "pyproject.toml").read_text(encoding="utf-8"))
        project = data["project"]
        wheel = data.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {})
        packages = wheel.get("wheel", {}).get("packages") or [project["name"].replace("-", "_")]
        return cls(
            path=path,
            name=project["name"],
            version=project["version"],
            package=Path(packages[0]).name,
            entry_points=dict(project.get("entry-points", {}).get(ENTRY_POINT_GROUP, {})),
        )

    @property
    def dist_info(self) -> str:
        return f"{self.name.replace('-', '_')}-{self.version}.dist-info"


def _plugins() -> list[Project]:
    folders = [ROOT / "plugins", ROOT / "contrib-providers"]
    # Out-of-tree packages (contrib-providers/example-acme) are not workspace members: they
    # are built on their own in test_third_party.py.
    workspace = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    excluded = {ROOT / path for path in workspace["tool"]["uv"]["workspace"].get("exclude", [])}
    found = [
        Project.read(path)
        for folder in folders
        if folder.is_dir()
        for path in sorted(folder.iterdir())
        if (path / "pyproject.toml").is_file() and path not in excluded
    ]
    return [project for project in found if project.entry_points]


CORE = Project.read(ROOT / "core")
PLUGINS = _plugins()
IDS = [plugin.name for plugin in PLUGINS]

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is deep learning?"},
]

#: A recorded call replayed in the venv: (cassette, code run with `client` and `result`).
REPLAYS: dict[str, tuple[str, str]] = {
    "infermux-together": (
        "together/chat_completion.yaml",
        "out = client.chat_completion(MESSAGES, model='meta-llama/Meta-Llama-3-8B-Instruct')\n"
        "result = out.choices[0].message.content",
    ),
    "infermux-hf-inference": (
        "hf-inference/text_classification.yaml",
        "labels = client.text_classification('I like you', "
        "model='distilbert/distilbert-base-uncased-finetuned-sst-2-english')\n"
        "result = [label.label for label in labels]",
    ),
}
EXPECTED_REPLAYS = {
    "infermux-together": lambda result: result.startswith("Deep learning is a subfield"),
    "infermux-hf-inference": lambda result: result == ["POSITIVE", "NEGATIVE"],
}

#: Run inside the venv: argv = provider id, distribution, cassette (or ""), replay code.
CHECK_SCRIPT = r"""
import json, socket, sys, warnings
from importlib.metadata import distributions, entry_points

def refuse(*args, **kwargs):
    raise OSError("network access in the packaging test")

socket.socket.connect = socket.create_connection = socket.getaddrinfo = refuse
provider, distribution, cassette_path, replay, token, messages = sys.argv[1:7]
report = {}
import infermux
report["infermux_file"] = infermux.__file__
report["entry_points"] = sorted(
    [ep.name, ep.value, ep.dist.name if ep.dist else None]
    for ep in entry_points(group="infermux.providers")
)
report["distributions"] = sorted(d.metadata["Name"] for d in distributions())
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from infermux.registry.loader import get_registry
    registry = get_registry()
report["warnings"] = [str(w.message) for w in caught]
report["plugins"] = [[p.name, p.distribution, p.status, p.error] for p in registry.plugins]
report["registrations"] = sorted(
    [r.helper.provider, r.helper.task, r.distribution] for r in registry
)
if cassette_path:
    from infermux import InferenceClient
    from infermux.testing import cassette
    client = InferenceClient(provider=provider, api_key=token)
    namespace = {"client": client, "MESSAGES": json.loads(messages)}
    with cassette(cassette_path):
        exec(replay, namespace)
    report["replay"] = namespace["result"]
print(json.dumps(report))
"""


# -- building and installing, once per session -------------------------------------------------


@dataclass
class Installed:
    """A plugin installed beside the core in its own venv, and what the check script saw."""

    wheel: Path
    python: Path
    report: dict[str, Any]


class Wheelhouse:
    """Builds the wheels, then installs each plugin on a thread pool (results are Futures).

    One ``uv build --all-packages`` builds every wheel (much faster than one build per
    package); if it fails, each wheel is built on its own so the failure is reported by
    the tests of the package that causes it.
    """

    def __init__(self, root: Path, pool: ThreadPoolExecutor) -> None:
        self.root = root
        self.pool = pool
        self.uv = _uv()
        # uv keeps the caller's environment (its cache lives under HOME).
        self.uv_env = uv_env()
        self.built = pool.submit(self._build_all)
        self.single: dict[str, Path] = {}  # wheels built one by one, after a failed build
        self.locks: dict[str, threading.Lock] = {}
        self.installs: dict[str, Future[Installed]] = {}

    def wheel(self, project: Project) -> Path:
        name = project.name.replace("-", "_")
        found = [w for w in self.built.result() if w.name.startswith(f"{name}-{project.version}-")]
        if found:
            return found[0]
        with self.locks.setdefault(project.name, threading.Lock()):
            if project.name not in self.single:
                self.single[project.name] = self._build(project)
            return self.single[project.name]

    def install(self, plugin: Project) -> Future[Installed]:
        if plugin.name not in self.installs:
            self.installs[plugin.name] = self.pool.submit(self._install, plugin)
        return self.installs[plugin.name]

    def _build_all(self) -> list[Path]:
        out = self.root / "wheels" / "all"
        args = [self.uv, "build", "--wheel", "--all-packages", "--out-dir", str(out)]
        try:
            _run(args, cwd=ROOT, env=self.uv_env)
        except AssertionError:
            return []  # built one by one instead, each failure in its own tests
        return sorted(out.glob("*.whl"))

    def _build(self, project: Project) -> Path:
        out = self.root / "wheels" / project.name
        args = [self.uv, "build", "--wheel", "--package", project.name, "--out-dir", str(out)]
        _run(args, cwd=ROOT, env=self.uv_env)
        (wheel,) = out.glob("*.whl")
        return wheel

    def _install(self, plugin: Project) -> Installed:
        plugin_wheel = self.wheel(plugin)
        core_wheel = self.wheel(CORE)
        home = self.root / "venvs" / plugin.name
        home.mkdir(parents=True)
        venv = home / "venv"
        _run([self.uv, "venv", "--python", sys.executable, str(venv)], cwd=home, env=self.uv_env)
        python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        pip_install(
            python,
            [f"infermux[testing] @ {core_wheel.as_uri()}", str(plugin_wheel)],
            self.root,
            cwd=home,
        )
        return Installed(plugin_wheel, python, self._check(plugin, python, home))

    def _check(self, plugin: Project, python: Path, home: Path) -> dict[str, Any]:
        cassette_name, replay = REPLAYS.get(plugin.name, ("", ""))
        provider = next(iter(plugin.entry_points))
        workdir = home / "run"
        workdir.mkdir()
        # No key, config file or token from this machine, and nothing of the workspace.
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(workdir),
            "HF_HOME": str(workdir / "hf"),
            "XDG_CONFIG_HOME": str(workdir / "config"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        cassette_path = str(CASSETTES / cassette_name) if cassette_name else ""
        args = [str(python), "-I", "-c", CHECK_SCRIPT, provider, plugin.name, cassette_path]
        args += [replay, FAKE_HF_TOKEN, json.dumps(MESSAGES)]
        result = _run(args, cwd=workdir, env=env)
        report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        return report


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wheelhouse]:
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
        house = Wheelhouse(tmp_path_factory.mktemp("packaging"), pool)
        for plugin in PLUGINS:
            house.install(plugin)  # start everything now; tests wait for their own
        yield house
        for future in house.installs.values():
            future.cancel()


def _wheel_files(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def _wheel_metadata(wheel: Path, project: Project) -> Any:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"{project.dist_info}/METADATA").decode("utf-8")
    return Parser().parsestr(text)


# -- the tests -----------------------------------------------------------------------------------


def test_there_are_plugins():
    assert {"infermux-together", "infermux-hf-inference"} <= set(IDS)


def test_core_wheel_holds_only_the_infermux_package(wheelhouse):
    wheel = wheelhouse.wheel(CORE)
    outside = [
        name
        for name in _wheel_files(wheel)
        if not name.startswith(("infermux/", f"{CORE.dist_info}/"))
    ]
    assert outside == []
    assert "infermux/py.typed" in _wheel_files(wheel)
    assert "infermux/testing/conformance.py" in _wheel_files(wheel)


@pytest.mark.parametrize("plugin", PLUGINS, ids=IDS)
def test_plugin_wheel_holds_only_its_package(wheelhouse, plugin):
    installed = wheelhouse.install(plugin).result()
    files = _wheel_files(installed.wheel)
    outside = [n for n in files if not n.startswith((f"{plugin.package}/", f"{plugin.dist_info}/"))]
    assert outside == [], f"{installed.wheel.name} ships files outside {plugin.package}/"
    assert f"{plugin.package}/__init__.py" in files


@pytest.mark.parametrize("plugin", PLUGINS, ids=IDS)
def test_plugin_requires_a_bounded_core(wheelhouse, plugin):
    metadata = _wheel_metadata(wheelhouse.install(plugin).result().wheel, plugin)
    core = [
        Requirement(line)
        for line in metadata.get_all("Requires-Dist") or []
        if Requirement(line).name == "infermux" and Requirement(line).marker is None
    ]
    version = Version(CORE.version)
    minor = f"{version.major}.{version.minor}"
    bounded = SpecifierSet(f">={minor},<{version.major}.{version.minor + 1}")
    assert [str(r) for r in core] == [f"infermux{bounded}"], metadata.get_all("Requires-Dist")
    assert version in core[0].specifier


@pytest.mark.parametrize("plugin", PLUGINS, ids=IDS)
def test_plugin_alone_is_discovered(wheelhouse, plugin):
    report = wheelhouse.install(plugin).result().report
    # What is installed is the wheels, not the workspace.
    assert "/site-packages/" in report["infermux_file"].replace(os.sep, "/")
    infermux_dists = {d for d in report["distributions"] if d.startswith("infermux")}
    assert infermux_dists == {"infermux", plugin.name}
    assert report["entry_points"] == [
        [name, value, plugin.name] for name, value in sorted(plugin.entry_points.items())
    ]
    assert report["warnings"] == []
    assert report["plugins"] == [
        [name, plugin.name, "loaded", None] for name in sorted(plugin.entry_points)
    ]
    providers = set(plugin.entry_points)
    registered = report["registrations"]
    assert registered, f"{plugin.name} registered no helper"
    assert {provider for provider, _, _ in registered} <= providers
    assert {distribution for _, _, distribution in registered} == {plugin.name}


@pytest.mark.parametrize("name", sorted(REPLAYS))
def test_plugin_alone_serves_a_recorded_call(wheelhouse, name):
    plugin = next(p for p in PLUGINS if p.name == name)
    report = wheelhouse.install(plugin).result().report
    assert EXPECTED_REPLAYS[name](report["replay"]), report["replay"]
