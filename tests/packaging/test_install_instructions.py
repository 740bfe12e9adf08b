"""The README's install lines work as written, from a clone, into fresh virtual environments.

The commands are read from the README's "Install" section (not copied here), run with bash
from the repository root with a new venv first on PATH, then the installed ``infermux``
command runs from an empty directory with no key and nothing of the workspace:

- ``pip install ./core ./plugins/...`` into a ``python -m venv`` (pip's own resolver);
- ``uv pip install ./core ./plugins/...`` into a ``uv venv``;
- ``make dist`` (into a temporary ``DIST``), then ``pip install dist/...whl`` from there;
- the provider template's quick start: ``infermux new-provider`` from the pip-installed
  core, then the "Next" commands it prints, which run the new package's tests with uv.

Third-party dependencies come from the package index (or the local caches when warm),
pinned to ``uv.lock`` without changing the commands: ``PIP_CONSTRAINT`` and
``UV_CONSTRAINT`` name the constraints file ``uvtools.locked_constraints`` exports.
Nothing here uses ``--offline``, so a machine with an empty uv cache passes too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.packaging import uvtools
from tests.packaging.test_wheels import CORE, PLUGINS

pytestmark = pytest.mark.packaging

_CONSOLE = re.compile(r"^```console\n(.*?)^```", re.M | re.S)


def readme_install_lines() -> list[str]:
    """The command lines of the console blocks in the README's "## Install" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    lines = []
    for block in _CONSOLE.findall(section):
        for line in block.splitlines():
            command = line.split("  #", 1)[0].strip()
            if command:
                lines.append(command)
    return lines


def _line(prefix: str) -> str:
    found = [line for line in readme_install_lines() if line.startswith(prefix)]
    assert len(found) == 1, f"the README's Install section has no single {prefix!r} line"
    return found[0]


_uv = uvtools.uv
_CONSTRAINTS: list[Path] = []  # set once per session by the autouse fixture below


@pytest.fixture(autouse=True, scope="module")
def _pinned_to_the_lock(tmp_path_factory: pytest.TempPathFactory) -> None:
    if not _CONSTRAINTS:
        _CONSTRAINTS.append(uvtools.locked_constraints(tmp_path_factory.mktemp("lock")))


def _environment(venv: Path | None) -> dict[str, str]:
    """The caller's environment (proxies, index settings, caches) without the workspace
    venv, with pip and uv pinned to the lock."""
    env = {
        key: value
        for key, value in uvtools.uv_env().items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT"}
    }
    env.update({"PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    if _CONSTRAINTS:
        env["PIP_CONSTRAINT"] = env["UV_CONSTRAINT"] = str(_CONSTRAINTS[0])
    path = env.get("PATH", "")
    workspace_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in path.split(os.pathsep) if p != workspace_bin)
    if venv is not None:
        env["VIRTUAL_ENV"] = str(venv)
        path = f"{venv / 'bin'}{os.pathsep}{path}"
    env["PATH"] = path
    return env


def _run(args: list[str] | str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    shell = isinstance(args, str)
    command = ["bash", "-c", args] if shell else args
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, check=False, **kwargs
    )
    if result.returncode != 0:
        shown = args if shell else " ".join(map(str, args))
        raise AssertionError(
            f"{shown} failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-4000:]}"
        )
    return result


def _clean_run(venv: Path, home: Path, *args: str) -> str:
    """``venv/bin/<args>`` from an empty directory: no key, config or workspace."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "HF_HOME": str(home / "hf"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return _run([str(venv / "bin" / args[0]), *args[1:]], cwd=home, env=env).stdout


def _providers(venv: Path, home: Path) -> set[str]:
    out = _clean_run(venv, home, "infermux", "providers")
    return {line.split()[0] for line in out.splitlines()[1:] if line.strip()}


@pytest.fixture(scope="module")
def pip_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``python -m venv`` where the README's pip line ran from the repository root."""
    venv = tmp_path_factory.mktemp("pip") / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], env=_environment(None))
    _run(_line("pip install ./"), cwd=ROOT, env=_environment(venv))
    return venv


def test_the_readme_has_each_install_path():
    lines = readme_install_lines()
    assert any(line.startswith("pip install ./core ./plugins/") for line in lines)
    assert any(line.startswith("uv pip install ./core ./plugins/") for line in lines)
    assert "make dist" in lines
    assert any(line.startswith("pip install dist/infermux-*.whl") for line in lines)
    # The registry lines are prose that says they do not work yet, not commands to copy.
    assert not [line for line in lines if re.match(r"(uv )?pip install infermux\b", line)]


def test_pip_install_from_a_clone(pip_venv, tmp_path):
    assert {"together", "hf-inference"} <= _providers(pip_venv, tmp_path / "run")
    # Installed, not linked to the checkout.
    where = _clean_run(
        pip_venv, tmp_path / "run", "python", "-c", "import infermux; print(infermux.__file__)"
    )
    assert "/site-packages/" in where


def test_uv_pip_install_from_a_clone(tmp_path):
    uv = _uv()
    venv = tmp_path / "venv"
    _run([uv, "venv", "--python", sys.executable, str(venv)], env=_environment(None))
    _run(_line("uv pip install ./"), cwd=ROOT, env=_environment(venv))
    assert {"together", "hf-inference"} <= _providers(venv, tmp_path / "run")


def test_make_dist_builds_every_wheel_and_they_install(tmp_path):
    if shutil.which("make") is None:
        pytest.fail("make dist needs make on PATH")
    dist = tmp_path / "dist"
    (tmp_path / "dist").mkdir()
    (dist / "infermux-0.0.1-py3-none-any.whl").write_text("stale")  # make dist removes it
    _run(["make", "--no-print-directory", "dist", f"DIST={dist}"], cwd=ROOT, env=_environment(None))
    built = sorted(wheel.name for wheel in dist.glob("*.whl"))
    expected = [CORE, *PLUGINS]
    for project in expected:
        prefix = f"{project.name.replace('-', '_')}-{project.version}-"
        assert [name for name in built if name.startswith(prefix)], f"no wheel of {project.name}"
    assert len(built) == len(expected), built
    # The README's wheel line, as written, from the folder holding dist/.
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], env=_environment(None))
    _run(_line("pip install dist/"), cwd=tmp_path, env=_environment(venv))
    assert {"together", "hf-inference"} <= _providers(venv, tmp_path / "run")
    # The demo runs from the installed wheels, far from any checkout: its cassettes ship in
    # the core wheel; vcrpy is what its error message says to install.
    _run(["pip", "install", "vcrpy"], env=_environment(venv))
    out = _clean_run(venv, tmp_path / "demo", "infermux", "demo")
    assert "/site-packages/infermux/_demo_cassettes" in out
    assert "Deep learning is a subfield" in out
    assert "model: sentence-transformers/all-MiniLM-L6-v2" in out
    assert "shape: 384" in out
    assert (tmp_path / "demo" / "demo-output").is_dir()


def test_the_template_quick_start_works_from_a_clone(pip_venv, tmp_path):
    # The pip-installed core renders the template (copier comes with the template extra) ...
    _run(["pip", "install", "copier>=9"], env=_environment(pip_venv))
    work = tmp_path / "work"
    work.mkdir()
    env = _environment(pip_venv)
    printed = _run(["infermux", "new-provider", "widget"], cwd=work, env=env).stdout
    # ... and the "Next" commands it prints run as printed.
    steps = printed.split("Next:\n", 1)[1].splitlines()
    commands = [line.strip() for line in steps if line.startswith("  ")]
    assert commands[0] == "cd infermux-widget", printed
    assert commands[1:] == ["uv run --extra test pytest"], printed
    tested = _run(" && ".join(commands), cwd=work, env=_environment(None))
    assert re.search(r"\b\d+ passed\b", tested.stdout), tested.stdout
    assert (work / "infermux-widget" / ".git").is_dir()
    # What uv built against is the core this clone installed, not a package from an index.
    lock = (work / "infermux-widget" / "uv.lock").read_text(encoding="utf-8")
    assert (
        f'name = "infermux"\nversion = "{CORE.version}"\nsource = {{ directory = "{ROOT / "core"}" }}'
        in lock
    )


def test_the_template_recording_recipe_works_as_written(tmp_path):
    """The rendered README's recording recipe, run as written against a local server."""
    from infermux.cli import main
    from tests.core.localserver import LocalServer, Reply

    answer = {
        "id": "r1",
        "object": "chat.completion",
        "created": 1,
        "model": "widget-chat-small",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello! How can I help?"},
                "finish_reason": "stop",
            }
        ],
    }
    server = LocalServer().start()
    server.responder = lambda seen: Reply(json=answer)
    try:
        package = tmp_path / "infermux-widget"
        assert main(["new-provider", "widget", "-o", str(package), "--base-url", server.url]) == 0
        readme = (package / "README.md").read_text(encoding="utf-8")
        recipe = readme.split("To record a real call", 1)[1]
        command = recipe.split("```\n", 2)[1].replace("\\\n", " ")
        command = " ".join(command.split())
        assert command.startswith(
            "WIDGET_API_KEY=... uv run --extra test pytest --record-mode=once"
        )
        assert "--allowed-hosts=127.0.0.1" in command
        # The recipe's first step: point the test at a new cassette.
        test_file = package / "tests" / "test_infermux_widget.py"
        source = test_file.read_text(encoding="utf-8")
        test_file.write_text(
            source.replace("chat_completion_synthetic.yaml", "chat_completion.yaml")
        )
        key = "widget-recording-key-0123456789"
        recorded = _run(command.replace("...", key, 1), cwd=package, env=_environment(None))
        assert re.search(r"\b\d+ passed\b", recorded.stdout), recorded.stdout
        assert [seen.headers.get("authorization") for seen in server.requests] == [f"Bearer {key}"]
        cassette_file = package / "cassettes" / "widget" / "chat_completion.yaml"
        assert key not in cassette_file.read_text(encoding="utf-8")
        # Replayed from then on, with the network blocked again: no new request.
        replay = [_uv(), "run", "--extra", "test", "pytest"]
        replayed = _run(replay, cwd=package, env=_environment(None))
        assert re.search(r"\b\d+ passed\b", replayed.stdout), replayed.stdout
        assert len(server.requests) == 1
    finally:
        server.stop()
