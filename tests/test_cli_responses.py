"""``infermux chat --responses``: the chat command through the Responses API (synthetic
cassettes of scripts/write_responses_cassettes.py)."""

from __future__ import annotations

import sys

from infermux.cli import main

GROQ_KEY = "groq_fake_test_key_0123456789"


def test_chat_responses_streams_output_text_deltas(replay, capsys, monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", GROQ_KEY)
    args = ["chat", "openai/gpt-oss-120b", "--provider", "groq", "--responses"]
    with replay("groq/responses_stream_synthetic.yaml") as tape:
        assert main([*args, "Say 'double bubble bath' twice."]) == 0
    assert capsys.readouterr().out == "Double bubble bath, double bubble bath!\n"
    assert tape.all_played


def test_chat_responses_without_streaming_sends_system_as_instructions(replay, capsys, monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", GROQ_KEY)
    sent: list[dict[str, object]] = []
    from infermux.client import _responses

    original = _responses.build_request

    def spy(input, **kwargs):  # records what the CLI asked for
        sent.append({"input": input, **kwargs["parameters"]})
        return original(input, **kwargs)

    monkeypatch.setattr(_responses, "build_request", spy)
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO("ignored"))
    args = [
        "chat",
        "openai/gpt-oss-120b",
        "--provider",
        "groq",
        "--responses",
        "--no-stream",
        "--system",
        "You are a helpful assistant.",
        "Tell me a three sentence bedtime story about a unicorn.",
    ]
    with replay("groq/responses_direct_synthetic.yaml"):
        assert main(args) == 0
    assert capsys.readouterr().out.startswith("Luna the unicorn found a silver star.")
    assert sent[0]["instructions"] == "You are a helpful assistant."
    assert sent[0]["input"] == "Tell me a three sentence bedtime story about a unicorn."
