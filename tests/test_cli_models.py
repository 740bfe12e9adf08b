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
                "--provider-filter",
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
    assert "needs a MODEL" in capsys.readouterr().err


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
