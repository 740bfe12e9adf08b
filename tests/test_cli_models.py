"""``infermux models`` and ``infermux aliases`` against synthetic Hub cassettes."""

from __future__ import annotations

import json

from infermux.cli import main
from tests.conftest import FAKE_HF_TOKEN


def test_models_list(replay, capsys):
    with replay("huggingface-hub/list_models_synthetic.yaml"):
        code = main(
            [
                "models",
                "list",
                "--provider",
                "together",
                "--task",
                "text-generation",
                "--limit",
                "2",
                "--api-key",
                FAKE_HF_TOKEN,
            ]
        )
    out = capsys.readouterr().out
    assert code == 0
    assert "meta-llama/Meta-Llama-3-8B-Instruct  text-generation  together, hf-inference" in out
    assert FAKE_HF_TOKEN not in out


def test_models_status_and_mapping_json(replay, capsys):
    with replay("huggingface-hub/model_status_synthetic.yaml"):
        assert (
            main(
                [
                    "models",
                    "status",
                    "meta-llama/Meta-Llama-3-8B-Instruct",
                    "--api-key",
                    FAKE_HF_TOKEN,
                ]
            )
            == 0
        )
    out = capsys.readouterr().out
    assert out.startswith("meta-llama/Meta-Llama-3-8B-Instruct: warm")
    assert "meta-llama/Meta-Llama-3-8B-Instruct-Turbo" in out
    with replay("huggingface-hub/model_status_synthetic.yaml"):
        assert (
            main(
                [
                    "models",
                    "mapping",
                    "meta-llama/Meta-Llama-3-8B-Instruct",
                    "--json",
                    "--api-key",
                    FAKE_HF_TOKEN,
                ]
            )
            == 0
        )
    data = json.loads(capsys.readouterr().out)
    assert {p["provider"] for p in data["providers"]} == {"fireworks-ai", "together"}


def test_models_router(replay, capsys):
    with replay("huggingface-hub/router_models_synthetic.yaml"):
        assert main(["models", "router", "--api-key", FAKE_HF_TOKEN]) == 0
    assert "meta-llama/Llama-3.1-8B-Instruct  together, nebius" in capsys.readouterr().out


def test_models_status_needs_a_model(capsys):
    assert main(["models", "status"]) == 2
    assert "the following arguments are required: MODEL" in capsys.readouterr().err


def test_models_actions_have_their_own_help(capsys):
    for action in ("list", "status", "mapping", "router"):
        assert main(["models", action, "--help"]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: infermux models {action}")
        assert f"examples:\n  infermux models {action}" in out
    assert main(["models", "list", "--help"]) == 0
    assert "--provider P" in capsys.readouterr().out


def test_aliases_table_with_config_override(tmp_path, capsys):
    (tmp_path / "infermux.toml").write_text(
        '[aliases.together.conversational]\nsmall = "meta-llama/Llama-3.2-3B-Instruct-Turbo"\n',
        encoding="utf-8",
    )
    assert main(["aliases", "--provider", "together", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {
        "provider": "together",
        "task": "conversational",
        "alias": "small",
        "model": "meta-llama/Llama-3.2-3B-Instruct-Turbo",
    } in rows


def _mock_client_factory(monkeypatch, handler):
    """Make the CLI's client go through a mock transport (no network, no cassette)."""
    import httpx2

    from infermux import InferenceClient

    def make(args):
        return InferenceClient(
            provider=args.provider,
            api_key=args.api_key,
            routing=args.routing,
            http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
        )

    monkeypatch.setattr("infermux.cli.services.make_client", make)


def test_embed_chunks_prints_one_line_per_chunk(monkeypatch, capsys):
    import httpx2

    def handler(request):
        n = len(json.loads(request.content)["input"])
        return httpx2.Response(
            200, json={"data": [{"index": i, "embedding": [0.1, 0.2, 0.3]} for i in range(n)]}
        )

    _mock_client_factory(monkeypatch, handler)
    words = " ".join(f"w{i}" for i in range(25))
    code = main(
        [
            "embed-chunks",
            "--provider",
            "together",
            "--api-key",
            "tg-key",
            "-m",
            "m",
            "--strategy",
            "word",
            "--max-chunk-size",
            "10",
            "--overlap",
            "0",
            words,
        ]
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert [(c["start"], c["embedding"]) for c in lines] == [(0, 3), (30, 3), (70, 3)]
    assert lines[0]["text"] == "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9"


def test_embed_chunks_bad_setting_is_a_usage_error(capsys):
    assert (
        main(
            [
                "embed-chunks",
                "-m",
                "m",
                "--provider",
                "together",
                "--api-key",
                "k",
                "--strategy",
                "sentence",
                "--max-chunk-size",
                "5",
                "text",
            ]
        )
        == 2
    )
    assert "between 20 and 300" in capsys.readouterr().err


def test_request_prints_the_json_answer(monkeypatch, capsys):
    import httpx2

    seen = []

    def handler(request):
        seen.append(request)
        return httpx2.Response(200, json={"results": [{"index": 0, "relevance_score": 0.9}]})

    _mock_client_factory(monkeypatch, handler)
    code = main(
        [
            "request",
            "/v1/rerank",
            "--provider",
            "together",
            "--api-key",
            "tg-key",
            "--json-body",
            '{"model": "m", "query": "q", "documents": ["a"]}',
        ]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["relevance_score"] == 0.9
    assert str(seen[0].url) == "https://api.together.xyz/v1/rerank"
    assert json.loads(seen[0].content)["query"] == "q"


def test_request_bad_json_body(capsys):
    assert main(["request", "/v1/x", "--provider", "together", "--json-body", "{nope"]) == 2
    assert "--json-body is not valid JSON" in capsys.readouterr().err
