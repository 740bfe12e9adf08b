"""A third party needs nothing from this repository: wheels in fresh virtual environments.

Once per module: the core wheel (``uv build --wheel --package infermux``), and, on a small
thread pool, three packages built outside the workspace with ``uv build --wheel DIR``:

- ``contrib-providers/example-acme`` (``infermux-acme``), the out-of-tree example;
- the provider template rendered by copier (``infermux-widget``);
- ``infermux-acme-rival``, written here, claiming the same provider id ``acme``.

Each scenario gets a fresh venv (``uv venv``) where ``uv pip install`` installs the core
wheel (``testing`` extra) and the package wheels, the third-party dependencies pinned to
``uv.lock`` (``uvtools.py``). Commands run from a scratch directory with
``python -I``, no key, no config file and nothing of the workspace; the packages' own
tests run with their own pytest configuration (``--block-network --record-mode=none``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.packaging.uvtools import pip_install, uv_env
from tests.packaging.uvtools import uv as _uv

pytestmark = pytest.mark.packaging

EXAMPLE = ROOT / "contrib-providers" / "example-acme"
TEMPLATE = ROOT / "contrib-providers" / "template"

RIVAL_PYPROJECT = """\
[project]
name = "infermux-acme-rival"
version = "2.0.0"
requires-python = ">=3.11"
dependencies = ["infermux>=0.1,<0.2"]

[project.entry-points."infermux.providers"]
acme = "infermux_acme_rival"

[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[tool.hatch.build.targets.wheel]
packages = ["src/infermux_acme_rival"]
"""

RIVAL_MODULE = """\
from infermux import hookimpl
from infermux.helpers.openai import OpenAIChatHelper


class RivalAcmeChat(OpenAIChatHelper):
    provider = "acme"
    base_url = "https://rival.acme.example"
    routable = False


@hookimpl
def register_providers(register):
    register(RivalAcmeChat())
"""

#: Run in the venv with both acme distributions: what using the contested pair does.
CONFLICT_SCRIPT = r"""
import json, os, socket


def refuse(*args, **kwargs):
    raise OSError("network access in the packaging test")


socket.socket.connect = socket.create_connection = socket.getaddrinfo = refuse
from infermux import InferenceClient
from infermux.errors import DuplicateProviderError
from infermux.registry.loader import get_registry

report = {}
if os.environ.get("INFERMUX_PREFER"):
    report["chosen"] = get_registry().get("acme", "conversational").distribution
else:
    try:
        InferenceClient(provider="acme", api_key="k").chat_completion(
            [{"role": "user", "content": "Hi"}], model="m"
        )
    except DuplicateProviderError as exc:
        report["error"] = str(exc)
print(json.dumps(report))
"""


def _run(args: list[str], *, check: bool = True, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)  # noqa: S603
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, args))} failed ({result.returncode}):\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


@dataclass
class Venv:
    """A fresh venv with some wheels installed, and a clean place to run things."""

    python: Path
    workdir: Path

    @property
    def bin(self) -> Path:
        return self.python.parent

    def env(self, **extra: str) -> dict[str, str]:
        # No key, token or config file from this machine.
        return {
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(self.workdir),
            "HF_HOME": str(self.workdir / "hf"),
            "XDG_CONFIG_HOME": str(self.workdir / "config"),
            "PYTHONDONTWRITEBYTECODE": "1",
            **extra,
        }

    def run(
        self, args: list[str], *, check: bool = True, cwd: Path | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return _run(args, check=check, cwd=cwd or self.workdir, env=self.env(**env))

    def python_c(self, code: str, **env: str) -> Any:
        result = self.run([str(self.python), "-I", "-c", code], **env)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def infermux(
        self, *args: str, check: bool = True, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return self.run([str(self.bin / "infermux"), *args], check=check, **env)

    def pytest(self, project: Path) -> subprocess.CompletedProcess[str]:
        """The project's own tests, with its own configuration, against the installed wheel."""
        args = [str(self.python), "-I", "-m", "pytest", "-p", "no:cacheprovider", "-q"]
        return self.run(args, check=False, cwd=project)


class Kit:
    """Builds the wheels and the venvs on a thread pool; every result is a Future."""

    def __init__(self, root: Path, pool: ThreadPoolExecutor) -> None:
        self.root = root
        self.pool = pool
        self.uv = _uv()
        self.uv_env = uv_env()
        self.core = pool.submit(self._build_core)
        self.acme = pool.submit(self._build, self._copy(EXAMPLE, "example-acme"))
        self.rendered = pool.submit(self._render)
        self.widget = pool.submit(lambda: self._build(self.rendered.result()))
        self.rival = pool.submit(self._build, self._rival())
        self.venvs: dict[str, Future[Venv]] = {}

    def venv(self, name: str, *wheels: Future[Path]) -> Future[Venv]:
        if name not in self.venvs:
            self.venvs[name] = self.pool.submit(self._venv, name, wheels)
        return self.venvs[name]

    def _copy(self, source: Path, name: str) -> Path:
        """A copy outside the repository: the build sees nothing of the workspace."""
        target = self.root / "src" / name
        ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache", "dist", "*.egg-info")
        shutil.copytree(source, target, ignore=ignore)
        return target

    def _build_core(self) -> Path:
        out = self.root / "wheels" / "core"
        args = [self.uv, "build", "--wheel", "--package", "infermux", "--out-dir", str(out)]
        _run(args, cwd=ROOT, env=self.uv_env)
        (wheel,) = out.glob("infermux-*.whl")
        return wheel

    def _build(self, project: Path) -> Path:
        out = self.root / "wheels" / project.name
        _run([self.uv, "build", "--wheel", "--out-dir", str(out), str(project)], env=self.uv_env)
        (wheel,) = out.glob("*.whl")
        return wheel

    def _render(self) -> Path:
        # copier in a subprocess: it changes the working directory while it runs, which
        # a thread must not do to the test process.
        target = self.root / "src" / "infermux-widget"
        args = [sys.executable, "-m", "copier", "copy", "--defaults", "--quiet"]
        args += ["--data", "provider_id=widget", "--data", "base_url=https://api.widget.example"]
        _run([*args, str(TEMPLATE), str(target)], cwd=self.root)
        return target

    def _rival(self) -> Path:
        project = self.root / "src" / "infermux-acme-rival"
        (project / "src" / "infermux_acme_rival").mkdir(parents=True)
        (project / "pyproject.toml").write_text(RIVAL_PYPROJECT, encoding="utf-8")
        (project / "src" / "infermux_acme_rival" / "__init__.py").write_text(RIVAL_MODULE)
        return project

    def _venv(self, name: str, wheels: tuple[Future[Path], ...]) -> Venv:
        home = self.root / "venvs" / name
        home.mkdir(parents=True)
        _run([self.uv, "venv", "--python", sys.executable, str(home / "venv")], env=self.uv_env)
        python = home / "venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        core = self.core.result()
        requirements = [f"infermux[testing] @ {core.as_uri()}", *(str(w.result()) for w in wheels)]
        pip_install(python, requirements, self.root, cwd=home)
        workdir = home / "run"
        workdir.mkdir()
        return Venv(python, workdir)


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kit]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        built = Kit(tmp_path_factory.mktemp("third-party"), pool)
        # Start every venv now; each test waits only for its own.
        built.venv("acme", built.acme)
        built.venv("widget", built.widget)
        built.venv("both-acmes", built.acme, built.rival)
        yield built
        for future in built.venvs.values():
            future.cancel()


# -- the out-of-tree example ------------------------------------------------------------------


def test_the_example_is_not_a_workspace_member():
    import tomllib

    workspace = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]
    assert "contrib-providers/example-acme" in workspace["exclude"]
    lock = (ROOT / "uv.lock").read_text()
    assert 'name = "infermux-acme"' not in lock


def test_the_example_is_discovered_and_listed(kit):
    venv = kit.venv("acme").result()
    listing = json.loads(venv.infermux("providers", "--json").stdout)
    assert listing["conflicts"] == []
    assert sorted(
        [r["provider"], r["task"], r["distribution"], r["version"]]
        for r in listing["registrations"]
    ) == [
        ["acme", "conversational", "infermux-acme", "0.1.0"],
        ["acme", "feature-extraction", "infermux-acme", "0.1.0"],
        ["acme", "text-to-image", "infermux-acme", "0.1.0"],
    ]
    table = venv.infermux("providers").stdout
    assert "infermux-acme" in table
    plugins = venv.infermux("plugins").stdout
    assert "acme" in plugins
    assert "loaded" in plugins


def test_the_example_passes_its_own_tests_against_its_wheel(kit):
    venv = kit.venv("acme").result()
    project = kit.root / "src" / "example-acme"
    result = venv.pytest(project)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # Cassette replays and the conformance suite both ran.
    assert "passed" in result.stdout
    assert " failed" not in result.stdout
    counted = _passed(result.stdout)
    assert counted >= 20, result.stdout[-2000:]


def test_the_example_serves_a_call_from_its_cassette_in_a_script(kit):
    venv = kit.venv("acme").result()
    cassette = kit.root / "src" / "example-acme" / "cassettes" / "acme"
    code = (
        "import json\n"
        "from infermux import InferenceClient\n"
        "from infermux.testing import cassette\n"
        "client = InferenceClient(provider='acme', api_key='test-key-not-real')\n"
        f"with cassette({str(cassette / 'feature_extraction_synthetic.yaml')!r}):\n"
        "    vectors = client.feature_extraction(['Today is a sunny day.', 'It rains.'],"
        " model='acme-embed-small')\n"
        "print(json.dumps(vectors))\n"
    )
    assert venv.python_c(code) == [[0.5, 0.25, -0.125], [0.25, -0.5, 0.125]]


# -- the template -------------------------------------------------------------------------------


def test_the_rendered_template_passes_its_own_tests(kit):
    venv = kit.venv("widget").result()
    result = venv.pytest(kit.rendered.result())
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert _passed(result.stdout) >= 10, result.stdout[-2000:]
    listing = json.loads(venv.infermux("providers", "--json").stdout)
    assert {(r["provider"], r["distribution"]) for r in listing["registrations"]} == {
        ("widget", "infermux-widget")
    }


# -- two distributions claiming one provider ----------------------------------------------------


def test_two_distributions_claiming_acme_are_named_with_a_way_to_choose(kit):
    venv = kit.venv("both-acmes").result()
    listing = json.loads(venv.infermux("providers", "--json").stdout)
    (conflict,) = listing["conflicts"]
    assert (conflict["provider"], conflict["task"]) == ("acme", "conversational")
    assert sorted(conflict["distributions"]) == ["infermux-acme", "infermux-acme-rival"]
    # The task only one of them serves is unaffected.
    assert ["acme", "feature-extraction", "infermux-acme"] in [
        [r["provider"], r["task"], r["distribution"]] for r in listing["registrations"]
    ]
    report = venv.python_c(CONFLICT_SCRIPT)
    assert "infermux-acme" in report["error"]
    assert "infermux-acme-rival" in report["error"]
    assert "INFERMUX_PREFER" in report["error"]
    # The CLI says the same, exit code 2 (a set-up problem), no traceback.
    chat = venv.infermux("chat", "m", "--provider", "acme", "Hi", check=False)
    assert chat.returncode == 2, chat.stderr
    assert "infermux-acme-rival" in chat.stderr
    assert "Traceback" not in chat.stderr
    # The explicit way to choose, spelled as the error says.
    chosen = venv.python_c(CONFLICT_SCRIPT, INFERMUX_PREFER="acme=infermux-acme-rival")
    assert chosen == {"chosen": "infermux-acme-rival"}
    # Blocking one distribution also settles it.
    listing = json.loads(
        venv.infermux("providers", "--json", INFERMUX_BLOCK_PLUGINS="infermux-acme-rival").stdout
    )
    assert listing["conflicts"] == []


def _passed(output: str) -> int:
    import re

    match = re.search(r"(\d+) passed", output)
    return int(match.group(1)) if match else 0
