"""Input rows (both formats) and their translation to the engine's requests: pure."""

from __future__ import annotations

import pytest

from infermux.batch.build import build_task_request, estimate_tokens
from infermux.batch.rows import BatchInputError, parse_line, parse_row
from infermux.errors import InvalidInputError
from tests.batch.conftest import chat_row


def test_openai_url_picks_the_task() -> None:
    cases = {
        "/v1/chat/completions": (
            "conversational",
            {"messages": [{"role": "user", "content": "x"}]},
        ),
        "/v1/embeddings": ("feature-extraction", {"input": "x"}),
        "/v1/completions": ("text-generation", {"prompt": "x"}),
        "/v1/images/generations": ("text-to-image", {"prompt": "x"}),
    }
    for url, (task, body) in cases.items():
        request = parse_row({"custom_id": "a", "method": "POST", "url": url, "body": body})
        assert request.task == task
        assert request.url == url


def test_native_line_names_any_task_provider_and_model() -> None:
    request = parse_row(
        {
            "custom_id": "n1",
            "task": "text-classification",
            "inputs": "I love it",
            "parameters": {"top_k": 2},
            "provider": "hf-inference",
            "model": "distilbert/x",
        },
        provider="together",
        model="default-model",
    )
    assert (request.task, request.provider, request.model) == (
        "text-classification",
        "hf-inference",
        "distilbert/x",
    )
    task_request = build_task_request(request)
    assert task_request.task == "text-classification"
    assert task_request.provider == "hf-inference"
    assert task_request.parameters == {"top_k": 2}


def test_request_hash_ignores_custom_id_and_follows_content() -> None:
    a = parse_row(chat_row(1))
    b = parse_row({**chat_row(1), "custom_id": "other"})
    c = parse_row(chat_row(2))
    assert a.request_hash == b.request_hash != c.request_hash
    # Defaults are part of what is sent, so part of the hash.
    assert parse_row(chat_row(1), provider="p").request_hash != a.request_hash


def test_missing_custom_id_is_derived_from_content() -> None:
    row = chat_row(3)
    del row["custom_id"]
    first, second = parse_row(row), parse_row(dict(row))
    assert first.custom_id == second.custom_id
    assert first.custom_id.startswith("req-")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"custom_id": "a"}', "needs either"),
        ('{"custom_id": 5, "task": "x", "inputs": 1}', "custom_id must be"),
        ('{"url": "/v1/audio/speech", "body": {}}', "not one infermux maps"),
        ('{"url": "/v1/chat/completions", "body": {"model": "m"}}', "needs 'messages'"),
        ('{"url": "/v1/chat/completions", "method": "GET", "body": {}}', "method must be POST"),
        (
            '{"url": "/v1/chat/completions", "body": {"messages": [], "stream": true}}',
            "stream=true",
        ),
        ('{"task": "conversational", "inputs": [], "extra": 1}', "unknown keys"),
        ('{"task": "conversational"}', "needs 'inputs'"),
    ],
)
def test_malformed_lines_are_named(line: str, message: str) -> None:
    with pytest.raises(BatchInputError, match=message) as info:
        parse_line(line, line=7)
    assert "line 7" in str(info.value)
    assert isinstance(info.value, InvalidInputError)


def test_blank_line_is_skipped() -> None:
    assert parse_line("  \n") is None


def test_openai_bodies_map_to_task_parameters_and_extra_body() -> None:
    chat = build_task_request(
        parse_row(chat_row(1, max_tokens=5, temperature=0.2, user="u1", metadata={"k": "v"}))
    )
    assert chat.parameters == {"max_tokens": 5, "temperature": 0.2}
    assert chat.extra_body == {"user": "u1", "metadata": {"k": "v"}}
    assert chat.model == "m"
    completion = build_task_request(
        parse_row(
            {
                "url": "/v1/completions",
                "body": {"model": "m", "prompt": "p", "max_tokens": 9, "stop": "\n"},
            }
        )
    )
    assert completion.parameters == {"max_new_tokens": 9, "stop": ["\n"]}
    image = build_task_request(
        parse_row(
            {
                "url": "/v1/images/generations",
                "body": {"model": "m", "prompt": "cat", "size": "512x256", "n": 1},
            }
        )
    )
    assert (image.parameters["width"], image.parameters["height"]) == (512, 256)
    assert image.extra_body == {"n": 1}
    embeddings = build_task_request(
        parse_row(
            {
                "url": "/v1/embeddings",
                "body": {"model": "m", "input": ["a", "b"], "encoding_format": "float"},
            }
        )
    )
    assert embeddings.inputs == ["a", "b"]
    assert embeddings.extra_body == {}


def test_native_unknown_parameter_is_refused_naming_the_known_ones() -> None:
    request = parse_row(
        {
            "task": "conversational",
            "inputs": [{"role": "user", "content": "x"}],
            "parameters": {"temprature": 1},
        }
    )
    with pytest.raises(InvalidInputError, match=r"temprature.*temperature"):
        build_task_request(request)


def test_invalid_inputs_are_refused_by_the_clients_own_checks() -> None:
    request = parse_row({"task": "conversational", "inputs": "not messages"})
    with pytest.raises(InvalidInputError):
        build_task_request(request)
    with pytest.raises(InvalidInputError, match="no client method"):
        build_task_request(parse_row({"task": "no-such-task", "inputs": "x"}))


def test_token_estimate_counts_prompt_and_completion_budget() -> None:
    short = parse_row(chat_row(1, "x" * 40))
    budget = parse_row(chat_row(1, "x" * 40, max_tokens=100, n=2))
    assert estimate_tokens(budget) - estimate_tokens(short) == 200
    assert estimate_tokens(short) >= 10  # 40 characters ~ 10 tokens, plus the role
