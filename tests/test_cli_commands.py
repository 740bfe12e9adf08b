"""The command line speaks CLI: Hub failures reported as such, option names in errors, "did
you mean", endpoint options, chat's --param/--json and session commands, completion
scripts, and -v logs without signed URLs' signatures. HTTP goes to a mock transport."""

from __future__ import annotations

import io
import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from infermux.cli import main
from infermux.cli.completion import completion_script
from infermux.cli.errors import cli_wording
from infermux.cli.redact import Redactor, verbose_logging
from infermux.errors import UnknownProviderError
from tests.conftest import FAKE_HF_TOKEN

KEY = "tg-test-key-0123456789abcdef"
ANSWER = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hi there"},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
}


class TerminalInput(io.StringIO):
    def isatty(self) -> bool:
        return True


Handler = Callable[[httpx2.Request], httpx2.Response]


@pytest.fixture
def mock_http(monkeypatch) -> Callable[[Handler], list[dict[str, Any]]]:
    """Route the CLI's client through a mock transport (no retries); returns its kwargs."""
    from infermux.client import sync_client

    real = sync_client.InferenceClient
    made: list[dict[str, Any]] = []

    def install(handler: Handler) -> list[dict[str, Any]]:
        def factory(**kwargs: Any) -> Any:
            made.append(kwargs)
            http = httpx2.Client(transport=httpx2.MockTransport(handler))
            return real(http_client=http, max_retries=0, **kwargs)

        monkeypatch.setattr(sync_client, "InferenceClient", factory)
        return made

    return install


def _chat_handler(seen: list[httpx2.Request]) -> Handler:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.host == "huggingface.co":
            return httpx2.Response(404, json={"error": "not found"})
        seen.append(request)
        return httpx2.Response(200, json=ANSWER)

    return handler


# -- a failed Hub lookup is reported as that -----------------------------------------------


def _hub_failing(response: httpx2.Response | None) -> Handler:
    def handler(request: httpx2.Request) -> httpx2.Response:
        assert request.url.host == "huggingface.co", request.url
        if response is None:
            raise httpx2.ConnectError("Name or service not known", request=request)
        return response

    return handler


@pytest.mark.parametrize(
    ("response", "code", "says"),
    [
        (None, 1, "the Hub could not be reached"),
        (httpx2.Response(503, json={"error": "down"}), 1, "the Hub answered with a server error"),
        (httpx2.Response(401, json={"error": "bad token"}), 1, "the Hub refused the Hugging Face"),
        (httpx2.Response(404, json={"error": "nope"}), 2, "the Hub knows no model 'org/m'"),
    ],
    ids=["offline", "5xx", "bad-token", "unknown-model"],
)
def test_auto_provider_reports_a_failed_hub_lookup(
    mock_http, monkeypatch, capsys, response, code, says
):
    monkeypatch.setenv("HF_TOKEN", FAKE_HF_TOKEN)
    mock_http(_hub_failing(response))
    assert main(["chat", "org/m", "--no-stream", "Hello"]) == code
    err = capsys.readouterr().err
    assert says in err
    assert "maps no inference provider" not in err
    assert "provider=" not in err  # said as --provider
    assert FAKE_HF_TOKEN not in err


# -- errors speak CLI ----------------------------------------------------------------------


def test_library_argument_names_become_options():
    assert cli_wording("provider='auto': pass provider= or api_key='hf_...'") == (
        "--provider auto: pass --provider or --api-key hf_..."
    )
    assert cli_wording("base_url must start with http") == "--base-url must start with http"
    # Other words ending in those names are left alone.
    assert cli_wording("model_mappings={provider: ...}") == "model_mappings={provider: ...}"


def test_a_misspelt_provider_gets_the_nearest_name_and_no_made_up_package(capsys):
    assert main(["chat", "m", "--provider", "togther", "--api-key", KEY, "Hi"]) == 2
    err = capsys.readouterr().err
    assert "Did you mean 'together'?" in err
    assert "infermux-togther" not in err


def test_install_hint_only_names_a_distribution_that_exists():
    first_party = str(UnknownProviderError("cerebras", ["together"]))
    assert "the infermux-cerebras distribution" in first_party
    assert "pip install ./plugins/cerebras" in first_party
    made_up = str(UnknownProviderError("acme-widgets", ["together"]))
    assert "pip install" not in made_up
    assert "Install a provider plugin" in made_up


# -- endpoint options ----------------------------------------------------------------------


def test_endpoint_options_reach_the_client(mock_http, capsys):
    seen: list[httpx2.Request] = []
    made = mock_http(_chat_handler(seen))
    argv = [
        "chat",
        "m",
        "--provider",
        "together",
        "--api-key",
        KEY,
        "--base-url",
        "https://gateway.example/v1",
        "--router-url",
        "https://router.example",
        "--hub-url",
        "https://hub.example",
        "--no-stream",
        "Hello",
    ]
    assert main(argv) == 0
    assert made[0]["base_url"] == "https://gateway.example/v1"
    assert made[0]["router_url"] == "https://router.example"
    assert made[0]["hub_url"] == "https://hub.example"
    assert str(seen[0].url).startswith("https://gateway.example/v1/")
    assert capsys.readouterr().out == "Hi there\n"


@pytest.mark.parametrize("command", ["run", "request", "embed-chunks", "chat"])
def test_every_calling_command_takes_the_endpoint_options(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--base-url", "--router-url", "--hub-url"):
        assert option in out


# -- chat: --param, --json, session commands, --continue -----------------------------------


def test_chat_param_and_json(mock_http, capsys):
    seen: list[httpx2.Request] = []
    mock_http(_chat_handler(seen))
    argv = ["chat", "m", "--provider", "together", "--api-key", KEY, "--json"]
    argv += ["--param", "top_p=0.5", "-p", "seed=3", "-p", 'stop=["\\n"]', "Hello"]
    assert main(argv) == 0
    body = json.loads(seen[0].content)
    assert body["top_p"] == 0.5
    assert body["seed"] == 3
    assert body["stop"] == ["\n"]
    assert body["stream"] is False
    out = json.loads(capsys.readouterr().out)
    assert out["choices"][0]["message"]["content"] == "Hi there"
    assert out["usage"]["total_tokens"] == 3


def test_chat_param_cannot_override_what_chat_sets(capsys):
    assert main(["chat", "m", "--provider", "together", "-p", "model=x", "Hi"]) == 2
    assert "--param model=... is set by the chat command" in capsys.readouterr().err


def test_session_commands_save_reset_exit_and_continue(mock_http, monkeypatch, capsys, tmp_path):
    seen: list[httpx2.Request] = []
    mock_http(_chat_handler(seen))
    lines = "Hello\n/save conv.json\n/reset\nAgain\n/bogus\n/exit\nnever sent\n"
    monkeypatch.setattr(sys, "stdin", TerminalInput(lines))
    base = ["chat", "m", "--provider", "together", "--api-key", KEY, "--no-stream"]
    assert main([*base, "--system", "Be brief."]) == 0
    sent = [json.loads(request.content)["messages"] for request in seen]
    assert sent == [
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}],
        # /reset keeps the system prompt and drops the rest
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Again"}],
    ]
    err = capsys.readouterr().err
    assert "saved 3 messages to conv.json" in err
    assert "unknown command /bogus" in err
    saved = json.loads((tmp_path / "conv.json").read_text())
    assert saved[-1] == {"role": "assistant", "content": "Hi there"}
    # One more turn of the saved conversation.
    seen.clear()
    assert main([*base, "--continue", "conv.json", "And", "then?"]) == 0
    assert json.loads(seen[0].content)["messages"] == [
        *saved,
        {"role": "user", "content": "And then?"},
    ]


def test_continue_from_a_file_that_is_not_a_conversation(tmp_path, capsys):
    (tmp_path / "bad.json").write_text('{"role": "user"}')
    argv = ["chat", "m", "--provider", "together", "--continue", "bad.json", "Hi"]
    assert main(argv) == 2
    assert "expected a JSON list of {role, content} messages" in capsys.readouterr().err
    assert main(["chat", "m", "--continue", "missing.json", "Hi"]) == 2
    assert "--continue missing.json: cannot read it" in capsys.readouterr().err


# -- completion ----------------------------------------------------------------------------


def _bash_complete(script: str, words: list[str]) -> list[str]:
    program = (
        f"{script}\nCOMP_WORDS=({' '.join(words)}); COMP_CWORD={len(words) - 1}; "
        '_infermux; echo "${COMPREPLY[@]}"'
    )
    result = subprocess.run(  # noqa: S603
        [shutil.which("bash") or "bash", "-c", program], capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_bash_completion_completes_commands_actions_and_options():
    script = completion_script("bash")
    assert _bash_complete(script, ["infermux", "mo"]) == ["models"]
    assert _bash_complete(script, ["infermux", "models", "l"]) == ["list"]
    assert _bash_complete(script, ["infermux", "models", "list", "--pro"]) == ["--provider"]
    actions = _bash_complete(script, ["infermux", "keys", ""])
    assert [word for word in actions if not word.startswith("-")] == [
        "list",
        "path",
        "remove",
        "set",
    ]
    assert "--param" in _bash_complete(script, ["infermux", "chat", "m", "--"])


def test_zsh_and_fish_scripts_cover_every_command():
    zsh, fish = completion_script("zsh"), completion_script("fish")
    assert zsh.startswith("#compdef infermux\n")
    assert "bashcompinit" in zsh
    for command in ("chat", "run", "models", "keys", "config", "completion"):
        assert command in fish.split("__fish_use_subcommand' -a '")[1].split("'")[0].split()
    assert "complete -c infermux -n '__fish_seen_subcommand_from models && " in fish
    for shell, script in (("zsh", zsh), ("fish", fish)):
        binary = shutil.which(shell)
        if binary is not None:  # a syntax check where the shell is installed
            subprocess.run([binary, "-n"], input=script, text=True, check=True)  # noqa: S603


# -- -v never shows a signed URL's signature -----------------------------------------------


def test_verbose_logs_drop_signed_url_signatures():
    stream = io.StringIO()
    url = (
        "https://bucket.s3.amazonaws.com/out.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAEXAMPLE%2F20240101&X-Amz-Signature=0123abcd&X-Amz-Expires=3600"
    )
    with verbose_logging(1, Redactor(), stream):
        logging.getLogger("httpx2").info('HTTP Request: GET %s "HTTP/1.1 200 OK"', url)
        logging.getLogger("infermux").info("downloading https://cdn.example/a.png?sig=s3cr3t&w=1")
    text = stream.getvalue()
    assert "0123abcd" not in text
    assert "AKIAEXAMPLE" not in text
    assert "s3cr3t" not in text
    assert "X-Amz-Signature=<redacted>&X-Amz-Expires=3600" in text
    assert "https://cdn.example/a.png?sig=<redacted>&w=1" in text


def test_verbose_logs_drop_a_key_echoed_upper_cased_or_in_base64():
    import base64

    key = "tgp_v1_AbCdEf0123456789xyz"
    basic = base64.b64encode(f"{key}:".encode()).decode()
    bearer = base64.urlsafe_b64encode(f"Bearer {key}".encode()).decode().rstrip("=")
    stream = io.StringIO()
    with verbose_logging(1, Redactor([key]), stream):
        log = logging.getLogger("infermux")
        log.info("401 body: {'AUTHORIZATION': 'BEARER %s'}", key.upper())
        log.info("echoed: Basic %s", basic)
        log.info("echoed: %s", bearer)
        log.info("plain: %s", key)
    text = stream.getvalue()
    for spelling in (key, key.upper(), basic, basic.rstrip("="), bearer):
        assert spelling not in text
    assert text.count("<redacted>") == 4


# -- start-up ------------------------------------------------------------------------------


def test_help_imports_neither_rich_nor_a_plugin():
    code = (
        "import sys\nfrom infermux.cli import main\n"
        "assert main(['--help']) == 0\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('rich', 'infermux_together')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # noqa: S603


# -- colour and tables on a terminal, plain when piped -------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_tables_are_drawn_on_a_terminal_and_plain_when_piped(monkeypatch, capsys):
    assert main(["aliases", "--provider", "together"]) == 0
    plain = capsys.readouterr().out
    assert plain.splitlines()[0].split() == ["PROVIDER", "TASK", "ALIAS", "MODEL"]
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert main(["aliases", "--provider", "together"]) == 0
    drawn = terminal.getvalue()
    assert drawn.startswith("┏━")  # a rich table with borders
    assert "\x1b[1;36mPROVIDER" in drawn  # and a coloured header
    assert "together" in drawn
    monkeypatch.setenv("NO_COLOR", "1")
    terminal.truncate(0)
    terminal.seek(0)
    assert main(["aliases", "--provider", "together"]) == 0
    assert terminal.getvalue() == plain


def test_errors_are_red_on_a_terminal_only(monkeypatch, capsys):
    assert main(["chat", "m", "--provider", "togther", "Hi"]) == 2
    assert capsys.readouterr().err.startswith("error: Unknown provider")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["chat", "m", "--provider", "togther", "Hi"]) == 2
    assert terminal.getvalue().startswith("\x1b[1;31merror:\x1b[0m Unknown provider")


def test_responses_refuses_options_it_would_drop(capsys):
    argv = ["chat", "m", "--provider", "together", "--responses"]
    assert main([*argv, "--json", "Hi"]) == 2
    assert "--json do not apply to --responses" in capsys.readouterr().err
    assert main([*argv, "-p", "seed=1", "Hi"]) == 2
    assert "--param do not apply to --responses" in capsys.readouterr().err
