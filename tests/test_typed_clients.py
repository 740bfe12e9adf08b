"""Types a user's checker trusts, structured output you can use, and OpenAI's whole chat
completions spelling (issue 17 B, C, D).

``tests/typing/user_code.py`` is checked by ``mypy --strict`` and pyright in ``make lint``; here the
runtime side: resolvable annotations, ``with`` giving the client back, ``message.parsed``,
and each OpenAI parameter either sent under the provider's name or refused before sending.
"""

from __future__ import annotations

import inspect
import json
import typing

import httpx2
import pytest
from pydantic import BaseModel

from infermux import AsyncInferenceClient, AsyncStream, InferenceClient, Stream
from infermux.errors import InvalidInputError, StructuredOutputError
from infermux.structured import (
    AsyncParsedChatStream,
    ParsedChatCompletionOutput,
    ParsedChatStream,
    ParsedResponseStream,
)
from infermux.types import ChatCompletionOutput, ChatCompletionStreamOutput
from tests.conftest import FAKE_HF_TOKEN

MESSAGES = [{"role": "user", "content": "Describe Paris."}]
GROQ_KEY = "groq_fake_test_key_0123456789"


class CityInfo(BaseModel):
    name: str
    country: str
    population: int


def _answer(content: str) -> dict[str, typing.Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1754000000,
        "model": "llama-3.3-70b-versatile",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
    }


class Canned:
    """An in-process transport answering every request with one chat answer, keeping
    the JSON bodies it got."""

    def __init__(self, content: str = "Paris is the capital of France.") -> None:
        self.bodies: list[dict[str, typing.Any]] = []
        self.headers: list[dict[str, str]] = []
        self.content = content

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        if request.method == "GET":  # a Hub lookup: unknown there, so a native id
            return httpx2.Response(404, json={"error": "Repository not found"})
        self.bodies.append(json.loads(request.content))
        self.headers.append(dict(request.headers))
        return httpx2.Response(200, json=_answer(self.content))

    def client(self, provider: str = "groq", api_key: str = GROQ_KEY) -> InferenceClient:
        http = httpx2.Client(transport=httpx2.MockTransport(self.handler))
        return InferenceClient(provider=provider, api_key=api_key, http_client=http)


# -- B: annotations and context managers ----------------------------------------------------


def _public_methods(cls: type) -> list[str]:
    return [
        name
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") or name in ("__enter__", "__aenter__")
    ]


@pytest.mark.parametrize("cls", [InferenceClient, AsyncInferenceClient])
def test_every_annotation_resolves(cls):
    for name in _public_methods(cls):
        typing.get_type_hints(getattr(cls, name))  # NameError before issue 17
    typing.get_type_hints(cls.__init__)


def test_chat_completion_hints_name_the_real_types():
    hints = typing.get_type_hints(InferenceClient.chat_completion)
    assert hints["return"] == (
        ChatCompletionOutput | Stream[ChatCompletionStreamOutput] | ParsedChatStream[typing.Any]
    )
    async_hints = typing.get_type_hints(AsyncInferenceClient.chat_completion)
    assert async_hints["return"] == (
        ChatCompletionOutput
        | AsyncStream[ChatCompletionStreamOutput]
        | AsyncParsedChatStream[typing.Any]
    )
    overloads = typing.get_overloads(InferenceClient.chat_completion)
    # stream True / False / decided at run time, each with and without a pydantic model
    assert len(overloads) == 6
    returns = [typing.get_type_hints(overload)["return"] for overload in overloads]
    assert returns[1] == Stream[ChatCompletionStreamOutput]
    assert returns[0].__origin__ is ParsedChatStream  # ParsedChatStream[M]


def test_with_gives_the_client_itself():
    client = InferenceClient()
    with client as entered:
        assert entered is client


async def test_async_with_gives_the_client_itself():
    client = AsyncInferenceClient()
    async with client as entered:
        assert entered is client


# -- C: structured output ----------------------------------------------------------------


def test_response_format_model_gives_message_parsed(replay):
    client = InferenceClient(provider="groq", api_key=FAKE_HF_TOKEN)
    with replay("groq/chat_completion_json_schema_synthetic.yaml"):
        out = client.chat_completion(MESSAGES, model="openai/gpt-oss-20b", response_format=CityInfo)
    assert isinstance(out, ParsedChatCompletionOutput)
    assert isinstance(out, ChatCompletionOutput)  # still the chat output, fields and all
    assert out.choices[0].message.parsed == CityInfo(
        name="Paris", country="France", population=2102650
    )
    assert out.response_info.provider == "groq"


async def test_async_response_format_model_gives_message_parsed(replay):
    async with AsyncInferenceClient(provider="groq", api_key=FAKE_HF_TOKEN) as client:
        with replay("groq/chat_completion_json_schema_synthetic.yaml"):
            out = await client.chat_completion(
                MESSAGES, model="openai/gpt-oss-20b", response_format=CityInfo
            )
    assert out.choices[0].message.parsed.country == "France"


def test_an_answer_that_does_not_validate_names_the_fields():
    canned = Canned('{"name": "Paris", "population": "many"}')
    with pytest.raises(StructuredOutputError) as caught:
        canned.client().chat_completion(
            MESSAGES, model="llama-3.3-70b-versatile", response_format=CityInfo
        )
    assert [where for where, _ in caught.value.errors] == ["country", "population"]
    assert "country: Field required" in str(caught.value)
    assert caught.value.text == '{"name": "Paris", "population": "many"}'


def test_a_dict_response_format_is_not_parsed():
    out = (
        Canned('{"a": 1}')
        .client()
        .chat_completion(
            MESSAGES, model="llama-3.3-70b-versatile", response_format={"type": "json_object"}
        )
    )
    assert not isinstance(out, ParsedChatCompletionOutput)


# -- D: OpenAI's whole chat completions spelling ------------------------------------------


def test_max_completion_tokens_is_sent_under_the_providers_name():
    canned = Canned()
    canned.client().chat.completions.create(
        model="llama-3.3-70b-versatile", messages=MESSAGES, max_completion_tokens=64
    )
    assert canned.bodies[0]["max_completion_tokens"] == 64  # Groq's name
    canned = Canned()
    canned.client("together", "tgp_fake_provider_key_0123456789").chat.completions.create(
        model="meta-llama/Llama-3.3-70B-Instruct-Turbo", messages=MESSAGES, max_completion_tokens=64
    )
    assert canned.bodies[-1]["max_tokens"] == 64  # Together's


def test_openai_parameters_a_provider_documents_are_sent():
    canned = Canned()
    canned.client().chat.completions.create(
        model="llama-3.3-70b-versatile",
        messages=MESSAGES,
        user="user-42",
        parallel_tool_calls=False,
        reasoning_effort="low",
        extra_headers={"x-trace": "abc"},
    )
    body = canned.bodies[0]
    assert body["user"] == "user-42"
    assert body["parallel_tool_calls"] is False
    assert body["reasoning_effort"] == "low"
    assert canned.headers[0]["x-trace"] == "abc"


def test_openai_parameters_a_provider_cannot_honour_are_refused_before_sending():
    canned = Canned()
    client = canned.client("together", "tgp_fake_provider_key_0123456789")
    with pytest.raises(InvalidInputError, match=r"together cannot honour 'store', 'user'"):
        client.chat.completions.create(
            model="meta-llama/Llama-3.3-70B-Instruct-Turbo", messages=MESSAGES, user="u", store=True
        )
    assert canned.bodies == []


def test_every_openai_chat_parameter_is_accepted_by_openai_itself():
    canned = Canned()
    client = canned.client("openai", "sk-" + "x" * 20)
    client.chat.completions.create(
        model="gpt-4o-mini",
        messages=MESSAGES,
        audio={"voice": "alloy", "format": "wav"},
        frequency_penalty=0.1,
        logit_bias={"50256": -100},
        logprobs=True,
        max_completion_tokens=32,
        metadata={"run": "1"},
        modalities=["text"],
        n=1,
        parallel_tool_calls=True,
        prediction={"type": "content", "content": "Paris"},
        presence_penalty=0.1,
        prompt_cache_key="k",
        reasoning_effort="low",
        safety_identifier="s",
        seed=1,
        service_tier="auto",
        stop=["\n"],
        store=False,
        stream_options=None,
        temperature=0.2,
        top_logprobs=2,
        top_p=0.9,
        user="u",
        verbosity="low",
        web_search_options={},
    )
    body = canned.bodies[0]
    assert body["max_completion_tokens"] == 32  # OpenAI's name for it
    assert body["modalities"] == ["text"]
    assert body["web_search_options"] == {}
    assert body["verbosity"] == "low"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"functions": [{"name": "f"}]}, "deprecated spelling"),
        ({"function_call": "auto"}, "deprecated spelling"),
        ({"max_tokens": 10, "max_completion_tokens": 20}, "same limit"),
        ({"user": 5}, "'user' must be a string"),
        ({"parallel_tool_calls": "yes"}, "'parallel_tool_calls' must be a bool"),
    ],
)
def test_bad_openai_arguments_are_refused(kwargs, message):
    canned = Canned()
    with pytest.raises(InvalidInputError, match=message):
        canned.client().chat.completions.create(
            model="llama-3.3-70b-versatile", messages=MESSAGES, **kwargs
        )
    assert canned.bodies == []


def test_openai_spelling_parses_a_response_format_model():
    canned = Canned('{"name": "Paris", "country": "France", "population": 2}')
    out = canned.client().chat.completions.create(
        model="llama-3.3-70b-versatile", messages=MESSAGES, response_format=CityInfo
    )
    assert out.choices[0].message.parsed == CityInfo(name="Paris", country="France", population=2)


async def test_async_openai_spelling():
    canned = Canned()
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(canned.handler))
    async with AsyncInferenceClient(provider="groq", api_key=GROQ_KEY, http_client=http) as client:
        out = await client.chat.completions.create(
            model="llama-3.3-70b-versatile", messages=MESSAGES, max_completion_tokens=8, user="u"
        )
    await http.aclose()
    assert out.choices[0].message.content.startswith("Paris")
    assert canned.bodies[0]["user"] == "u"


def test_alias_and_responses_annotations_resolve():
    client = InferenceClient()
    alias = typing.get_type_hints(client.chat.completions.create)["return"]
    assert alias == (
        ChatCompletionOutput | Stream[ChatCompletionStreamOutput] | ParsedChatStream[typing.Any]
    )
    from infermux.responses import Response, ResponseStreamEvent

    created = typing.get_type_hints(client.responses.create)["return"]
    assert created == Response | Stream[ResponseStreamEvent] | ParsedResponseStream


@pytest.mark.slow  # a fresh interpreter
def test_resolvable_annotations_cost_no_pydantic_at_import():
    import subprocess
    import sys

    code = (
        "import sys, infermux.client.sync_client, infermux.client.async_client\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]"
