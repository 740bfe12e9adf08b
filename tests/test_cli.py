"""The ``infermux`` command line: every command through ``main(argv)``, offline."""

from __future__ import annotations

import ast
import io
import json
import re
import subprocess
import sys

import pytest
import yaml

from infermux.cli import main
from infermux.cli.demo import CASSETTES as DEMO_CASSETTES
from infermux.cli.demo import find_cassettes, shipped_cassettes
from infermux.cli.parser import build_parser
from infermux.testing import cassette
from tests.conftest import CASSETTES, FAKE_HF_TOKEN, ROOT

CHAT_MODEL = "meta-llama/Meta-Llama-3-8B-Instruct"
IMAGE_MODEL = "stabilityai/stable-diffusion-xl-base-1.0"
IMAGE_PROMPT = "An astronaut riding a horse on the moon."
CHAT_ARGS = [
    "chat",
    CHAT_MODEL,
    "--provider",
    "together",
    "--api-key",
    FAKE_HF_TOKEN,
    "--system",
    "You are a helpful assistant.",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class TerminalInput(io.StringIO):
    """Stdin that claims to be a terminal, for the interactive chat."""

    def isatty(self) -> bool:
        return True


class WriteCounter(io.StringIO):
    """Stdout that counts writes, to see a reply arrive piece by piece."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


# -- providers and plugins -------------------------------------------------------------


def test_providers_lists_one_row_per_provider_with_its_tasks(capsys, monkeypatch):
    monkeypatch.setenv("TOGETHER_API_KEY", "together-test-key")
    assert main(["providers"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["PROVIDER", "KEY", "FROM", "DISTRIBUTION", "TASKS"]
    rows = {line.split()[0]: line for line in lines[1:] if line.strip()}
    assert len(rows) == len(lines) - 1  # one row per provider
    assert re.match(
        r"together\s+\$TOGETHER_API_KEY\s+infermux-together 0\.1\.0\s+.*text-to-image",
        rows["together"],
    )
    assert re.match(r"groq\s+-\s+infermux-groq", rows["groq"])
    assert "together-test-key" not in out


def test_providers_filtered_by_task(capsys):
    assert main(["providers", "--task", "text-to-video"]) == 0
    names = {line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]}
    assert "together" in names
    assert "groq" not in names
    assert main(["providers", "--task", "text-to-vidoe"]) == 2
    assert "Did you mean 'text-to-video'" in capsys.readouterr().err


def test_providers_json(capsys):
    assert main(["providers", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["conflicts"] == []
    pairs = {(r["provider"], r["task"]): r for r in data["registrations"]}
    assert pairs["together", "conversational"]["distribution"] == "infermux-together"
    assert pairs["together", "conversational"]["version"]
    assert pairs["hf-inference", "text-classification"]["plugin"] == "hf-inference"


def test_plugins_table_and_json(capsys):
    assert main(["plugins"]) == 0
    table = capsys.readouterr().out
    assert re.search(r"^together\s+infermux-together\s+\S+\s+loaded", table, re.M)
    assert re.search(r"^hf-inference\s+infermux-hf-inference\s+\S+\s+loaded", table, re.M)

    assert main(["plugins", "--json"]) == 0
    plugins = {p["name"]: p for p in json.loads(capsys.readouterr().out)}
    assert plugins["together"]["status"] == "loaded"
    assert plugins["together"]["error"] is None
    assert {"provider": "together", "task": "text-to-image"} in plugins["together"]["registrations"]


def test_blocked_plugin_is_shown_and_its_provider_gone(capsys, monkeypatch):
    monkeypatch.setenv("INFERMUX_BLOCK_PLUGINS", "infermux-together")
    assert main(["plugins", "--json"]) == 0
    plugins = {p["name"]: p for p in json.loads(capsys.readouterr().out)}
    assert plugins["together"]["status"] == "blocked"
    assert main(["providers"]) == 0
    assert "together" not in capsys.readouterr().out


def test_broken_plugin_is_a_one_line_warning_and_listed_with_its_error(capsys, monkeypatch):
    from importlib.metadata import EntryPoint

    from infermux.registry import loader

    real = loader.entry_points
    broken = EntryPoint("broken", "infermux_no_such_module_xyz", loader.ENTRY_POINT_GROUP)

    def entry_points(*, group: str):
        return [*real(group=group), broken]

    monkeypatch.setattr(loader, "entry_points", entry_points)
    assert main(["plugins"]) == 0
    captured = capsys.readouterr()
    assert re.search(r"^broken\s+-\s+-\s+failed", captured.out, re.M)
    assert "broken: plugin 'broken'" in captured.out
    assert "infermux_no_such_module_xyz" in captured.out
    assert captured.err.startswith("warning: plugin 'broken'")
    assert "Traceback" not in captured.err


# -- run ---------------------------------------------------------------------------------


def _run_image(*extra: str) -> int:
    return main(
        [
            "run",
            "text-to-image",
            "--model",
            IMAGE_MODEL,
            "--provider",
            "together",
            "--api-key",
            FAKE_HF_TOKEN,
            IMAGE_PROMPT,
            *extra,
        ]
    )


def test_run_text_to_image_to_a_png_file(replay, capsys, tmp_path):
    with replay("together/text_to_image.yaml"):
        assert _run_image("--output", "art/astronaut.png") == 0
    target = tmp_path / "art" / "astronaut.png"
    assert target.read_bytes().startswith(PNG_SIGNATURE)  # JPEG bytes, converted
    out = capsys.readouterr().out
    assert f"to {target}" in out
    assert "from together" in out
    assert "converted from image/jpeg" in out


def test_run_media_defaults_to_output_ext_in_cwd_and_json_says_where(replay, capsys, tmp_path):
    with replay("together/text_to_image.yaml"):
        assert _run_image("--json") == 0
    saved = json.loads(capsys.readouterr().out)
    assert saved["path"] == str(tmp_path / "output.jpg")
    assert saved["content_type"] == "image/jpeg"
    assert saved["provider"] == "together"
    assert (tmp_path / "output.jpg").read_bytes()[:3] == b"\xff\xd8\xff"


def test_run_feature_extraction_prints_json(replay, capsys):
    argv = ["run", "feature-extraction", "-m", "facebook/bart-base", "--provider", "hf-inference"]
    with replay("hf-inference/feature_extraction.yaml"):
        assert main([*argv, "--api-key", FAKE_HF_TOKEN, "--input", "Hi, who are you?"]) == 0
    vectors = json.loads(capsys.readouterr().out)
    assert (len(vectors), len(vectors[0]), len(vectors[0][0])) == (1, 8, 768)


def test_run_lists_of_models_print_as_json_from_stdin_and_to_a_file(
    replay, capsys, monkeypatch, tmp_path
):
    monkeypatch.setattr(sys, "stdin", io.StringIO("I like you\n"))
    argv = [
        "run",
        "text_classification",  # the method's spelling works too
        "--model",
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        "--provider",
        "hf-inference",
        "--api-key",
        FAKE_HF_TOKEN,
        "--output",
        "labels.json",
    ]
    with replay("hf-inference/text_classification.yaml"):
        assert main(argv) == 0
    labels = json.loads((tmp_path / "labels.json").read_text())
    assert labels[0]["label"] == "POSITIVE"
    assert set(labels[0]) == {"label", "score"}
    assert "labels.json" in capsys.readouterr().err


def test_run_conversational_from_an_input_file(replay, capsys, tmp_path):
    messages = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "What is deep learning?"},
    ]
    (tmp_path / "messages.json").write_text(json.dumps(messages))
    argv = ["run", "conversational", "-m", CHAT_MODEL, "--provider", "together"]
    with replay("together/chat_completion.yaml"):
        assert main([*argv, "--api-key", FAKE_HF_TOKEN, "--input-file", "messages.json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["choices"][0]["message"]["content"].startswith("Deep learning is a subfield")


def test_run_streaming_prints_one_json_line_per_chunk(replay, capsys):
    messages = json.dumps(
        [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "What is deep learning?"},
        ]
    )
    argv = ["run", "conversational", "-m", CHAT_MODEL, "--provider", "together", "--input"]
    params = ["-p", "max_tokens=20", "-p", "stream=true", "--api-key", FAKE_HF_TOKEN]
    with replay("together/chat_completion_stream.yaml"):
        assert main([*argv, messages, *params]) == 0
    chunks = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(chunks) >= 10
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c.get("choices"))
    assert text.startswith("Deep learning is a subfield")


def test_run_param_values_are_json_or_text():
    from infermux.cli.task_methods import resolve_task

    method = resolve_task("text-to-image")
    kwargs = method.keyword_arguments(
        [("seed", "42"), ("negative_prompt", "42"), ("extra_body", '{"a": [1, true]}')]
    )
    assert kwargs == {"seed": 42, "negative_prompt": "42", "extra_body": {"a": [1, True]}}
    assert resolve_task("conversational").name == "chat_completion"
    assert resolve_task("image-classification").binary_input
    assert not resolve_task("text-classification").binary_input
    assert resolve_task("feature-extraction").main_input('["a", "b"]') == ["a", "b"]


# -- chat ---------------------------------------------------------------------------------


def test_chat_streams_the_reply_token_by_token(replay, capsys, monkeypatch):
    counter = WriteCounter()
    monkeypatch.setattr(sys, "stdout", counter)
    with replay("together/chat_completion_stream.yaml"):
        assert main([*CHAT_ARGS, "--max-tokens", "20", "What", "is", "deep", "learning?"]) == 0
    assert counter.getvalue().startswith("Deep learning is a subfield of machine learning")
    assert counter.getvalue().endswith("\n")
    assert counter.writes >= 10


def test_chat_without_streaming_reads_the_message_from_stdin(replay, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("What is deep learning?\n"))
    with replay("together/chat_completion.yaml"):
        assert main([*CHAT_ARGS, "--no-stream"]) == 0
    assert capsys.readouterr().out.startswith("Deep learning is a subfield")


def test_chat_session_on_a_terminal_until_eof(replay, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", TerminalInput("What is deep learning?\n"))
    with replay("together/chat_completion_stream.yaml"):
        assert main([*CHAT_ARGS, "--max-tokens", "20"]) == 0
    captured = capsys.readouterr()
    assert "> Deep learning is a subfield" in captured.out
    assert "/exit quits" in captured.err


# -- demo ---------------------------------------------------------------------------------


def test_demo_end_to_end(capsys, tmp_path):
    assert main(["demo", "--cassettes", str(CASSETTES)]) == 0
    image = tmp_path / "demo-output" / "astronaut.png"
    assert image.read_bytes().startswith(PNG_SIGNATURE)
    out = capsys.readouterr().out
    assert "Deep learning is a subfield" in out
    assert "answered by: together" in out
    assert "answered by: hf-inference" in out
    assert "model: sentence-transformers/all-MiniLM-L6-v2" in out
    assert "shape: 384 (one 384-value vector for the sentence)" in out
    assert f"saved to: {image}" in out
    assert image.is_absolute()


def test_demo_output_dir_and_no_environment_change(capsys, tmp_path):
    import os

    before = dict(os.environ)
    assert main(["demo", "--cassettes", str(CASSETTES), "--output-dir", "elsewhere"]) == 0
    assert (tmp_path / "elsewhere" / "astronaut.png").exists()
    assert dict(os.environ) == before


def test_demo_without_pillow_saves_the_jpeg_and_says_so(capsys, monkeypatch, tmp_path):
    from infermux.cli import demo

    monkeypatch.setattr(demo, "pillow_available", lambda: False)
    assert main(["demo", "--cassettes", str(CASSETTES)]) == 0
    image = tmp_path / "demo-output" / "astronaut.jpg"
    assert image.read_bytes()[:3] == b"\xff\xd8\xff"
    out = capsys.readouterr().out
    assert "Pillow is not installed" in out
    assert f"saved to: {image}" in out


def test_run_without_pillow_keeps_the_bytes_and_warns(replay, capsys, monkeypatch, tmp_path):
    from infermux.cli import output

    monkeypatch.setattr(output, "pillow_available", lambda: False)
    with replay("together/text_to_image.yaml"):
        assert _run_image("-o", "astronaut.png") == 0
    assert (tmp_path / "astronaut.png").read_bytes()[:3] == b"\xff\xd8\xff"
    assert "warning: the file holds image/jpeg bytes" in capsys.readouterr().err


def test_demo_runs_from_any_directory_on_the_shipped_cassettes(capsys, tmp_path):
    # The tests run in an empty temporary directory: no cassettes/ here or above it.
    assert find_cassettes(None, cwd=tmp_path) == shipped_cassettes()
    assert main(["demo"]) == 0
    assert (tmp_path / "demo-output" / "astronaut.png").is_file()
    with pytest.raises(Exception, match="lacks the demo's recordings"):
        find_cassettes(str(tmp_path))


def test_demo_finds_the_cassettes_from_a_subdirectory():
    assert find_cassettes(None, cwd=ROOT / "tests" / "providers") == CASSETTES


def test_the_wheel_ships_every_demo_cassette():
    # core/hatch_build.py copies these into the wheel (infermux/_demo_cassettes).
    tree = ast.parse((ROOT / "core" / "hatch_build.py").read_text())
    (files,) = [
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and node.targets[0].id == "DEMO_FILES"
    ]
    assert set(DEMO_CASSETTES) <= set(files)
    for name in files:
        assert (CASSETTES / name).is_file(), name


def test_demo_without_vcrpy_says_what_to_install(capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "vcr" else real(name, *a)
    )
    assert main(["demo", "--cassettes", str(CASSETTES)]) == 2
    assert "pip install vcrpy" in capsys.readouterr().err


# -- errors --------------------------------------------------------------------------------


def test_unknown_provider_exits_2_naming_the_installed_ones(capsys):
    assert main(["chat", CHAT_MODEL, "--provider", "nope", "hello"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Unknown provider 'nope'")
    installed = err.split("Installed providers: ", 1)[1].split(".", 1)[0].split(", ")
    assert {"hf-inference", "together"} <= set(installed)
    assert "Traceback" not in err


def test_unknown_task_exits_2_with_a_suggestion(capsys):
    assert main(["run", "text-to-imag", "--model", "m", "hi"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown task 'text-to-imag'. Did you mean 'text-to-image'?")
    assert "conversational" in err


@pytest.mark.parametrize("make", [lambda p: p / "missing.txt", lambda p: p])
def test_unreadable_input_file_exits_2_naming_the_path(capsys, tmp_path, make):
    path = make(tmp_path)
    assert main(["run", "text-classification", "-m", "m", "--input-file", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"error: cannot read input file {path}:")


def test_bad_parameters_and_inputs_exit_2(capsys):
    assert main(["run", "text-to-image", "-m", "m", "--param", "steps=3", "hi"]) == 2
    assert "takes no parameter 'steps'" in capsys.readouterr().err
    assert main(["run", "text-to-image", "-m", "m", "--param", "no-equals-sign", "hi"]) == 2
    assert "expected key=value" in capsys.readouterr().err
    assert main(["run", "text-to-image", "-m", "m", "--input", "a", "b"]) == 2
    assert "give the input once" in capsys.readouterr().err


def test_provider_http_error_exits_1_without_traceback(capsys, tmp_path):
    tape = tmp_path / "unauthorized.yaml"
    tape.write_text(yaml.safe_dump(_unauthorized_cassette()))
    with cassette(tape, match_on=("method", "uri")):
        code = main(
            ["chat", "org/model", "--provider", "hf-inference", "--api-key", FAKE_HF_TOKEN, "hi"]
        )
    assert code == 1
    err = capsys.readouterr().err
    assert "error: hf-inference returned HTTP 401: Invalid credentials" in err
    assert "Traceback" not in err


def _unauthorized_cassette(model: str = "org/model") -> dict[str, object]:
    url = f"https://router.huggingface.co/hf-inference/models/{model}/v1/chat/completions"
    return {
        "version": 1,
        "interactions": [
            {
                "request": {"body": None, "headers": {}, "method": "POST", "uri": url},
                "response": {
                    "body": {"string": '{"error": "Invalid credentials in Authorization header"}'},
                    "headers": {"content-type": ["application/json"]},
                    "status": {"code": 401, "message": "Unauthorized"},
                },
            }
        ],
    }


SECRET = "hf_cliSecretValueThatMustNeverBePrinted0"


@pytest.mark.parametrize(
    "argv",
    [
        ["-vv", "chat", "org/model", "--provider", "hf-inference", "--api-key", SECRET, "hi"],
        ["chat", "org/model", "--provider", "nope", "--api-key", SECRET, "-vv", "hi"],
        ["providers", "--api-key", SECRET],  # an option the command does not take
        ["-vv", "run", "text-to-image", "-m", "m", f"--api-key={SECRET}", "--param", "x=1", "a"],
    ],
)
def test_the_key_never_appears_in_output(capsys, tmp_path, argv):
    tape = tmp_path / "unauthorized.yaml"
    tape.write_text(yaml.safe_dump(_unauthorized_cassette()))
    with cassette(tape, match_on=("method", "uri")):
        code = main(argv)
    captured = capsys.readouterr()
    assert code in (1, 2)
    assert captured.err  # each of these fails, and says why
    assert SECRET not in captured.out + captured.err
    assert SECRET[:12] not in captured.out + captured.err


def test_the_key_never_appears_in_verbose_logs_of_a_success(replay, capsys):
    argv = [*CHAT_ARGS, "--max-tokens", "20", "-vv", "What is deep learning?"]
    with replay("together/chat_completion_stream.yaml"):
        assert main(argv) == 0
    captured = capsys.readouterr()
    assert "INFO infermux.cli: provider together, routing auto, key from --api-key" in captured.err
    assert "HTTP Request: POST https://router.huggingface.co/together" in captured.err
    assert FAKE_HF_TOKEN not in captured.out + captured.err


# -- the parser, start-up and docs ------------------------------------------------------


def test_version_and_help(capsys):
    from infermux import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"infermux {__version__}"
    for command in _subcommands():
        assert main([command, "--help"]) == 0
        assert "examples:\n  infermux " + command in capsys.readouterr().out
    # `infermux` alone prints the overview, as --help does.
    assert main([]) == 0
    alone = capsys.readouterr().out
    assert main(["--help"]) == 0
    assert alone == capsys.readouterr().out
    assert alone.startswith("usage: infermux")
    assert "keys" in alone


def test_import_infermux_does_not_import_the_cli():
    code = "import infermux, sys; assert 'infermux.cli' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 - fixed code


def test_the_cli_starts_without_importing_the_client():
    code = (
        "import sys; from infermux.cli import main; from infermux.cli.parser import build_parser;"
        "build_parser(); heavy = [m for m in ('infermux.client', 'httpx2', 'pydantic', 'pluggy')"
        " if m in sys.modules]; assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 - fixed code


def _subcommands() -> dict[str, object]:
    import argparse

    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_and_option_is_documented():
    doc = (ROOT / "docs" / "cli.md").read_text()
    global_options = {o for a in build_parser()._actions for o in a.option_strings}
    for option in global_options:
        assert f"`{option}`" in doc.split("\n## Global options", 1)[1].split("\n## ", 1)[0]
    commands = _subcommands()
    assert set(commands) == {
        "providers",
        "plugins",
        "chat",
        "run",
        "demo",
        "models",
        "aliases",
        "new-provider",
        "embed-chunks",
        "request",
        "keys",
        "config",
        "completion",
        "batch",
    }
    for name, sub in commands.items():
        heading = f"\n## `infermux {name}`"
        assert heading in doc, f"docs/cli.md lacks a section for {name!r}"
        section = doc.split(heading, 1)[1].split("\n## ", 1)[0]
        for option in _options_of(sub) - global_options:
            assert f"`{option}" in section, f"{name}: {option} is not documented"


def _options_of(parser) -> set[str]:
    """Every visible option of a parser and of its sub-actions (``models list --provider``)."""
    import argparse

    found = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _options_of(sub)
        elif action.help != argparse.SUPPRESS:
            found |= set(action.option_strings)
    return found
