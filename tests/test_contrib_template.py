"""``infermux new-provider`` and the provider template (contrib-providers/template), rendered
in-process. Building, installing and testing the rendered package in a fresh virtual
environment is in tests/packaging/test_third_party.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from infermux import __version__
from infermux.cli import main
from infermux.cli.new_provider import template_path
from tests.conftest import ROOT
from tests.test_cassette_hygiene import (
    format_problems,
    naming_problems,
    provenance_problems,
    secret_problems,
)

TEMPLATE = ROOT / "contrib-providers" / "template"


def test_the_repository_template_is_the_one_the_cli_uses():
    assert template_path() == TEMPLATE


def test_the_template_is_not_a_workspace_member():
    # contrib-providers/* is a workspace glob: the template must be excluded from it.
    assert not (TEMPLATE / "pyproject.toml").exists()
    workspace = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]
    assert "contrib-providers/template" in workspace["exclude"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("render") / "infermux-my-gateway"
    code = main(["new-provider", "my-gateway", "-o", str(out), "--base-url", "https://gw.example/"])
    assert code == 0
    return out


def test_renders_a_package(rendered):
    files = sorted(
        p.relative_to(rendered).as_posix()
        for p in rendered.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(rendered).parts
    )
    assert (rendered / ".git" / "HEAD").is_file()  # git init ran
    assert files == [
        ".github/workflows/tests.yml",
        ".gitignore",
        "LICENSE",
        "README.md",
        "cassettes/my-gateway/PROVENANCE.md",
        "cassettes/my-gateway/chat_completion_synthetic.yaml",
        "pyproject.toml",
        "src/infermux_my_gateway/__init__.py",
        "tests/test_infermux_my_gateway.py",
    ]
    project = tomllib.loads((rendered / "pyproject.toml").read_text())["project"]
    assert project["name"] == "infermux-my-gateway"
    assert project["entry-points"]["infermux.providers"] == {"my-gateway": "infermux_my_gateway"}
    major, minor = (int(part) for part in __version__.split(".")[:2])
    assert project["dependencies"] == [f"infermux>={major}.{minor},<{major}.{minor + 1}"]
    module = (rendered / "src/infermux_my_gateway/__init__.py").read_text()
    assert 'base_url="https://gw.example"' in module
    assert 'key_env="MY_GATEWAY_API_KEY"' in module
    assert "@provider.task\nclass MyGatewayChat(OpenAIChatHelper)" in module
    assert "register_providers = provider.hook()" in module


def test_the_rendered_provider_registers_its_helper(rendered, monkeypatch):
    monkeypatch.syspath_prepend(str(rendered / "src"))
    try:
        import infermux_my_gateway as plugin
        from infermux.registry.loader import LoaderSettings, build_registry

        registry = build_registry(
            LoaderSettings(allow=frozenset({"my-gateway"}), load_config_files=False),
            extra_plugins={"my-gateway": plugin},
        )
        helper = registry.get("my-gateway", "conversational").helper
        assert isinstance(helper, plugin.MyGatewayChat)
        assert (helper.base_url, helper.api_key_env) == (
            "https://gw.example",
            ("MY_GATEWAY_API_KEY",),
        )
        assert (helper.routable, helper.needs_model_mapping) == (False, False)
    finally:
        sys.modules.pop("infermux_my_gateway", None)


def _commented_example(module: str) -> str:
    """The commented-out custom task of the rendered module, uncommented."""
    lines = module.splitlines()
    start = lines.index("# @provider.task")
    block = []
    for line in lines[start:]:
        if not line.startswith("#"):
            break
        block.append(line[2:] if line.startswith("# ") else "")
    return "\n".join(block)


def test_the_commented_custom_task_works_once_uncommented(rendered, monkeypatch):
    # The template teaches parameter_renames, unexpected() and media_output() in a comment:
    # uncommented, with the imports it names, it must be a working helper.
    from infermux import ImageOutput
    from infermux.errors import ResponseFormatError
    from infermux.helpers.base import Call, FollowUp, ModelMapping
    from infermux.testing.samples import json_response

    monkeypatch.syspath_prepend(str(rendered / "src"))
    try:
        import infermux_my_gateway as plugin

        example = _commented_example((rendered / "src/infermux_my_gateway/__init__.py").read_text())
        namespace = {"provider": plugin.provider}
        exec(  # noqa: S102 - the template's own example, rendered above
            "from typing import Any\n"
            "from infermux import ImageOutput\n"
            "from infermux.helpers import Call, Payload, Response, TaskProviderHelper, lookup\n"
            + example,
            namespace,
        )
        helper = namespace["MyGatewayTextToImage"]()
        assert (helper.provider, helper.base_url) == ("my-gateway", "https://gw.example")
        assert helper.output_type is ImageOutput
        call = Call(
            "text-to-image",
            "a fox",
            ModelMapping("m"),
            "direct",
            helper.base_url,
            {"num_inference_steps": 4, "seed": 1},
        )
        request = helper.prepare_request(call)
        assert request.url == "https://gw.example/v1/images"
        assert request.payload == {"prompt": "a fox", "steps": 4, "seed": 1}
        assert request.paid_per_call  # a generation billed per call: sent at most once
        answer = json_response({"data": [{"url": "https://cdn.gw.example/1.png"}]})
        download = helper.parse_response(answer, call)
        assert isinstance(download, FollowUp)
        assert download.request.authenticate is False
        with pytest.raises(ResponseFormatError, match=r"data\.0\.url"):
            helper.parse_response(json_response({"data": []}), call)
    finally:
        sys.modules.pop("infermux_my_gateway", None)


def test_rendered_python_is_lint_clean(rendered):
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    for args in (["check", "--select", "E,F,W,I,B,UP,SIM,RUF"], ["format", "--check"]):
        result = subprocess.run(  # noqa: S603 - our own tool on our own output
            [ruff, *args, "--isolated", "--line-length", "100", str(rendered)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_rendered_cassette_follows_the_cassette_rules(rendered):
    root = rendered / "cassettes"
    path = root / "my-gateway" / "chat_completion_synthetic.yaml"
    text = path.read_text()
    data = yaml.safe_load(text)
    problems = format_problems(data) + secret_problems(data, text)
    problems += naming_problems(path, root) + provenance_problems(path)
    assert problems == []
    assert text.startswith("# SYNTHETIC cassette")
    assert data["interactions"][0]["request"]["uri"] == "https://gw.example/v1/chat/completions"


def test_refuses_an_invalid_id_and_a_non_empty_output(tmp_path, capsys):
    assert main(["new-provider", "My_Provider"]) == 2
    assert "invalid provider id 'My_Provider'" in capsys.readouterr().err
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("x")
    assert main(["new-provider", "acme", "-o", str(tmp_path / "taken")]) == 2
    assert "already exists and is not empty" in capsys.readouterr().err
    assert main(["new-provider", "acme", "--base-url", "api.acme.ai"]) == 2
    assert "--base-url must be an http(s) URL" in capsys.readouterr().err


def test_says_how_to_get_copier_when_it_is_missing(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "copier", None)  # import copier -> ImportError
    assert main(["new-provider", "acme"]) == 2
    assert "needs copier: pip install copier" in capsys.readouterr().err
    assert not Path("infermux-acme").exists()


def test_defaults_to_infermux_name_in_the_current_directory(tmp_path, capsys):
    assert main(["new-provider", "acme"]) == 0  # the autouse fixture chdirs into tmp_path
    assert (tmp_path / "infermux-acme" / "src" / "infermux_acme" / "__init__.py").is_file()
    assert "Created infermux-acme/" in capsys.readouterr().out


def test_key_url_license_ci_and_the_local_core(tmp_path, capsys):
    out = tmp_path / "infermux-acme"
    args = ["new-provider", "acme", "-o", str(out), "--key-url", "https://acme.example/keys"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "uv run --extra test pytest" in printed
    assert (
        'key_page="https://acme.example/keys"'
        in (out / "src/infermux_acme/__init__.py").read_text()
    )
    assert "https://acme.example/keys" in (out / "README.md").read_text()
    # Until infermux is on PyPI, uv builds the new package against the running core.
    pyproject = tomllib.loads((out / "pyproject.toml").read_text())
    assert pyproject["tool"]["uv"]["sources"]["infermux"] == {"path": str(ROOT / "core")}
    workflow = yaml.safe_load((out / ".github/workflows/tests.yml").read_text())
    steps = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert "uv run --no-project pytest" in steps
    assert "Apache License" in (out / "LICENSE").read_text()
    assert main(["new-provider", "rival", "--key-url", "acme.example/keys"]) == 2
    assert "--key-url must be an http(s) URL" in capsys.readouterr().err
