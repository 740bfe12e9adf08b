"""``TaskProviderHelper.unexpected`` / ``unexpected_answer``: one ResponseFormatError for a
2xx answer of the wrong shape, naming provider, task and what is missing, with a short,
redacted excerpt of the body."""

from __future__ import annotations

import pytest

from infermux.errors import ResponseFormatError
from infermux.helpers.base import TaskProviderHelper
from infermux.helpers.problems import EXCERPT_CHARS, redact, safe_excerpt, unexpected_answer


class _Acme(TaskProviderHelper):
    provider = "acme"
    task = "text-generation"


def test_names_provider_task_and_the_missing_field():
    error = _Acme().unexpected({"object": "error"}, missing="choices[0].text")
    assert isinstance(error, ResponseFormatError)
    assert str(error) == (
        "acme text-generation: answer without choices[0].text: {'object': 'error'}"
    )
    assert (error.provider, error.task, error.field) == (
        "acme",
        "text-generation",
        "choices[0].text",
    )


def test_a_problem_instead_of_a_missing_field():
    error = _Acme().unexpected("<html>", problem="stream chunk that is not JSON")
    assert str(error) == "acme text-generation: stream chunk that is not JSON: '<html>'"
    assert error.field is None


def test_show_body_false_leaves_the_excerpt_out():
    error = unexpected_answer("acme", "text-to-video", problem="empty download", show_body=False)
    assert str(error) == "acme text-to-video: empty download"


@pytest.mark.parametrize("kwargs", [{}, {"missing": "a", "problem": "b"}], ids=["neither", "both"])
def test_exactly_one_of_missing_and_problem(kwargs):
    with pytest.raises(TypeError, match="exactly one of missing= or problem="):
        unexpected_answer("acme", "t", {}, **kwargs)


def test_a_long_body_is_cut_with_an_ellipsis():
    text = safe_excerpt({"data": "x" * 10_000})
    assert len(text) == EXCERPT_CHARS + 3
    assert text.endswith("...")
    assert safe_excerpt("short") == "'short'"


def test_bytes_are_decoded_leniently_and_quoted():
    assert safe_excerpt(b"\xff{not json") == repr("\ufffd{not json")
    assert safe_excerpt(b"") == "''"


@pytest.mark.parametrize(
    "secret",
    [
        "hf_" + "a1B2c3D4e5" * 4,
        "sk-" + "abcdEFGH1234" * 3,
        "r8_" + "Zz09" * 8,
        "gsk_" + "q1w2e3r4t5" * 3,
    ],
    ids=["hf", "openai", "replicate", "groq"],
)
def test_a_key_in_the_body_is_redacted(secret):
    body = {"echo": {"headers": {"authorization": f"Bearer {secret}"}}, "detail": secret}
    error = _Acme().unexpected(body, missing="choices")
    assert secret not in str(error)
    assert secret[:12] not in str(error)
    assert "[redacted]" in str(error)


def test_a_key_cut_by_the_excerpt_end_is_still_redacted():
    # The key starts just before the cut: redaction runs on a longer window first.
    secret = "hf_" + "Q9w8E7r6T5" * 4
    body = "x" * (EXCERPT_CHARS - 10) + secret + ", " * 500
    text = safe_excerpt(body)
    assert "hf_Q9w8E7" not in text
    assert text.endswith("...")


def test_a_huge_body_is_not_turned_into_a_huge_string():
    # 50 MB of bytes: only a window is decoded (the excerpt stays short either way).
    text = safe_excerpt(b"a" * 50_000_000)
    assert len(text) <= EXCERPT_CHARS + 5


def test_redact_replaces_keys_and_keeps_prose():
    text = "Key characteristics: Bearer realm=api; token hf_" + "x1" * 20
    assert redact(text) == "Key characteristics: Bearer realm=api; token [redacted]"
