"""``infermux keys`` and ``infermux config show``: keys saved owner-only, used after the
argument and the environment, and never printed."""

from __future__ import annotations

import io
import json
import stat
import sys

import httpx2
import pytest

from infermux import InferenceClient, keystore
from infermux.auth import choose_route
from infermux.cli import main
from infermux.errors import ConfigFileError, MissingAPIKeyError
from infermux.registry.loader import get_registry

SAVED = "tg-saved-key-0123456789abcdef"


def _set(monkeypatch, provider: str, key: str, *extra: str) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(key + "\n"))
    return main(["keys", "set", provider, *extra])


def _together():
    return get_registry().get("together", "conversational").helper


def test_set_writes_an_owner_only_file_and_list_never_shows_the_key(monkeypatch, capsys):
    assert _set(monkeypatch, "together", SAVED) == 0
    path = keystore.keys_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text()) == {"together": SAVED}
    assert main(["keys", "list"]) == 0
    assert main(["keys", "list", "--json"]) == 0
    assert main(["keys", "path"]) == 0
    out = capsys.readouterr().out
    assert "together" in out
    assert str(path) in out
    assert SAVED not in out


def test_saved_key_comes_after_the_argument_and_the_environment(monkeypatch):
    assert _set(monkeypatch, "together", SAVED) == 0
    helper = _together()
    route = choose_route(helper, api_key=None)
    assert (route.routing, route.credential.source) == ("direct", "saved key (infermux keys)")
    assert route.credential.key == SAVED
    monkeypatch.setenv("TOGETHER_API_KEY", "tg-from-the-environment-0123")
    assert choose_route(helper, api_key=None).credential.source == "$TOGETHER_API_KEY"
    assert choose_route(helper, api_key="tg-argument").credential.source == "api_key argument"


def test_a_call_sends_the_saved_key(monkeypatch):
    assert _set(monkeypatch, "together", SAVED) == 0
    seen = []

    def handler(request):
        seen.append(request.headers["authorization"])
        return httpx2.Response(200, json={"data": [{"index": 0, "embedding": [0.5]}]})

    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    with InferenceClient(provider="together", http_client=http) as client:
        assert client.feature_extraction("Hi", model="m") == [[0.5]]
        assert seen == [f"Bearer {SAVED}"]
        # Removed: the same client no longer finds it (the file is read again when it changes).
        assert main(["keys", "remove", "together"]) == 0
        with pytest.raises(MissingAPIKeyError):
            client.feature_extraction("Hi", model="m")
    assert keystore.stored_key("together") is None


def test_unknown_provider_is_refused_with_the_nearest_name(monkeypatch, capsys):
    assert _set(monkeypatch, "togther", SAVED) == 2
    err = capsys.readouterr().err
    assert "Did you mean 'together'?" in err
    assert "--force" in err
    assert not keystore.keys_path().exists()
    assert _set(monkeypatch, "in-house", SAVED, "--force") == 0
    assert keystore.stored_key("in-house") == SAVED


def test_remove_without_a_saved_key_is_an_error(capsys):
    assert main(["keys", "remove", "together"]) == 2
    assert "no saved key for 'together'" in capsys.readouterr().err


def test_an_empty_key_is_refused(monkeypatch, capsys):
    assert _set(monkeypatch, "together", "") == 2
    assert "a key is one word" in capsys.readouterr().err


def test_a_broken_keys_file_names_itself():
    path = keystore.keys_path()
    path.parent.mkdir(parents=True)
    path.write_text("not json")
    with pytest.raises(ConfigFileError, match=r"keys\.json.*not a JSON object"):
        keystore.read_keys()


def test_config_show_says_where_keys_come_from_without_them(monkeypatch, capsys, tmp_path):
    assert _set(monkeypatch, "together", SAVED) == 0
    monkeypatch.setenv("GROQ_API_KEY", "groq-env-key-0123456789abcdef")
    (tmp_path / "infermux.toml").write_text("")
    capsys.readouterr()
    assert main(["config", "show"]) == 0
    text = capsys.readouterr().out
    assert f"{tmp_path / 'infermux.toml'}  (read)" in text
    assert "Saved keys: " in text
    assert "(read)" in text
    assert main(["config", "show", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["providers"]["together"] == {
        "source": "saved key (infermux keys)",
        "routing": "direct",
    }
    assert report["providers"]["groq"]["source"] == "$GROQ_API_KEY"
    assert report["providers"]["cerebras"]["source"] == "none"
    assert SAVED not in text + json.dumps(report)
    assert "groq-env-key" not in text + json.dumps(report)
