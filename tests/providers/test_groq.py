"""groq end to end, sync and async, against synthetic cassettes (no recording of Groq
exists; see cassettes/groq/PROVENANCE.md), direct (a Groq key to api.groq.com) and routed
(a Hugging Face token through router.huggingface.co/groq)."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from infermux import AsyncInferenceClient, InferenceClient
from infermux.errors import (
    AuthenticationError,
    BadRequestError,
    InvalidInputError,
    RateLimitError,
    ResponseFormatError,
)
from infermux.testing.conformance import ProviderConformance
from infermux.testing.samples import Sample, json_response
from infermux.types import (
    ChatCompletionOutput,
    ChatCompletionStreamOutput,
    TextGenerationOutput,
    TextGenerationStreamOutput,
)
from tests.conftest import FAKE_HF_TOKEN

FAKE_GROQ_KEY = "groq_fake_test_key_0123456789"
MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is deep learning?"},
]
LLAMA = "meta-llama/Llama-3.3-70B-Instruct"  # Hub id, mapped to llama-3.3-70b-versatile
GROQ_LLAMA = "llama-3.3-70b-versatile"  # Groq's own id
ROUTED_CHAT = "https://router.huggingface.co/groq/openai/v1/chat/completions"
DIRECT_CHAT = "https://api.groq.com/openai/v1/chat/completions"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather of a city",
            "parameters": {
                "type": "object",
                "properties": {"location": {"type": "string"}},
                "required": ["location"],
            },
        },
    }
]
ASK_WEATHER = [{"role": "user", "content": "What is the weather in Paris?"}]


@pytest.fixture(autouse=True)
def no_groq_key(monkeypatch):
    monkeypatch.delenv("GROQ_API_KEY", raising=False)


def direct(sent=None, **options):
    return InferenceClient(
        provider="groq",
        api_key=FAKE_GROQ_KEY,
        http_client=sent.client() if sent else None,
        **options,
    )


def routed(sent=None, **options):
    return InferenceClient(
        provider="groq",
        api_key=FAKE_HF_TOKEN,
        http_client=sent.client() if sent else None,
        **options,
    )


# -- conversational ------------------------------------------------------------------------


def test_chat_completion_routed(replay, sent):
    with replay("groq/chat_completion_synthetic.yaml") as tape:
        out = routed(sent).chat_completion(MESSAGES, model=LLAMA, max_tokens=64)
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content.startswith("Deep learning is a subfield")
    assert out.model == GROQ_LLAMA
    assert out.usage.total_tokens == 70
    assert out.x_groq == {"id": "req_01k1f9x2abcdefghjkmnpqrstv"}  # Groq's extras are kept
    assert tape.all_played
    # The router serves Groq's whole host: the /openai prefix stays in the routed path.
    assert sent.urls == [
        "https://huggingface.co/api/models/meta-llama/Llama-3.3-70B-Instruct?expand=inferenceProviderMapping",
        ROUTED_CHAT,
    ]
    assert all(r.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}" for r in sent.requests)


def test_chat_completion_direct(replay, sent):
    with replay("groq/chat_completion_direct_synthetic.yaml"):
        out = direct(sent).chat_completion(MESSAGES, model=GROQ_LLAMA, temperature=0.5, seed=1)
    assert out.choices[0].finish_reason == "stop"
    # A Groq id has no "/": no Hub lookup, and the Groq key goes only to api.groq.com.
    assert sent.urls == [DIRECT_CHAT]
    assert sent.requests[0].headers["authorization"] == f"Bearer {FAKE_GROQ_KEY}"


def test_chat_completion_direct_from_environment(replay, monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", FAKE_GROQ_KEY)
    with replay("groq/chat_completion_direct_synthetic.yaml"):
        out = InferenceClient(provider="groq").chat_completion(
            MESSAGES, model=GROQ_LLAMA, temperature=0.5, seed=1
        )
    assert out.choices[0].message.role == "assistant"


def test_chat_completion_stream(replay):
    with replay("groq/chat_completion_stream_synthetic.yaml"):
        chunks = list(
            direct().chat_completion(MESSAGES, model=GROQ_LLAMA, max_tokens=6, stream=True)
        )
    assert all(isinstance(c, ChatCompletionStreamOutput) for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == "Deep learning is a subfield of"
    assert chunks[-1].choices[0].finish_reason == "length"
    assert chunks[-1].x_groq["usage"]["completion_tokens"] == 6


async def test_async_chat_completion_routed(replay):
    async with AsyncInferenceClient(provider="groq", api_key=FAKE_HF_TOKEN) as client:
        with replay("groq/chat_completion_synthetic.yaml"):
            out = await client.chat_completion(MESSAGES, model=LLAMA, max_tokens=64)
    assert out.choices[0].message.content.startswith("Deep learning")


async def test_async_chat_completion_stream(replay):
    async with AsyncInferenceClient(provider="groq", api_key=FAKE_GROQ_KEY) as client:
        with replay("groq/chat_completion_stream_synthetic.yaml"):
            stream = await client.chat_completion(
                MESSAGES, model=GROQ_LLAMA, max_tokens=6, stream=True
            )
            text = "".join([c.choices[0].delta.content or "" async for c in stream])
    assert text == "Deep learning is a subfield of"


def test_openai_style_alias(replay):
    with replay("groq/chat_completion_direct_synthetic.yaml"):
        out = direct().chat.completions.create(
            model=GROQ_LLAMA, messages=MESSAGES, temperature=0.5, seed=1
        )
    assert out.choices[0].message.content.startswith("Deep learning")


# -- tools ---------------------------------------------------------------------------------


def test_tools_with_forced_tool_choice(replay):
    with replay("groq/chat_completion_tools_synthetic.yaml"):
        out = direct().chat_completion(
            ASK_WEATHER,
            model=GROQ_LLAMA,
            tools=TOOLS,
            tool_choice={"type": "function", "function": {"name": "get_weather"}},
        )
    choice = out.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call.id == "call_d5wg"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"location": "Paris"}


def test_tool_result_turn_drops_tool_calls_from_tool_messages(replay, sent):
    assistant_turn = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_d5wg",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"location":"Paris"}'},
            }
        ],
    }
    # Some frameworks echo tool_calls on the tool message; Groq answers 400 to that.
    tool_turn = {
        "role": "tool",
        "tool_call_id": "call_d5wg",
        "content": '{"temperature_c": 18, "sky": "cloudy"}',
        "tool_calls": [],
    }
    messages = [*ASK_WEATHER, assistant_turn, tool_turn]
    with replay("groq/chat_completion_tool_result_synthetic.yaml"):
        out = direct(sent).chat_completion(messages, model=GROQ_LLAMA, tools=TOOLS)
    assert out.choices[0].message.content == "It is 18 °C and cloudy in Paris."
    sent_messages = json.loads(sent.requests[0].content)["messages"]
    assert "tool_calls" not in sent_messages[2]
    assert sent_messages[1]["tool_calls"][0]["id"] == "call_d5wg"  # the assistant's stay
    assert "tool_calls" in tool_turn  # the caller's messages are not mutated


def test_streamed_tool_call_deltas(replay, sent):
    with replay("groq/chat_completion_tools_stream_synthetic.yaml"):
        chunks = list(
            routed(sent).chat_completion(
                ASK_WEATHER, model=LLAMA, tools=TOOLS, tool_choice="required", stream=True
            )
        )
    assert all(isinstance(c, ChatCompletionStreamOutput) for c in chunks)
    deltas = [c.choices[0].delta for c in chunks]
    calls = [call for delta in deltas for call in delta.tool_calls or []]
    assert len(calls) == 1
    assert (calls[0].index, calls[0].id, calls[0].type) == (0, "call_d5wg", "function")
    assert calls[0].function.name == "get_weather"
    arguments = "".join(call.function.arguments or "" for call in calls)
    assert json.loads(arguments) == {"location": "Paris"}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert sent.urls[-1] == ROUTED_CHAT


async def test_async_streamed_tool_call_deltas(replay):
    async with AsyncInferenceClient(provider="groq", api_key=FAKE_HF_TOKEN) as client:
        with replay("groq/chat_completion_tools_stream_synthetic.yaml"):
            stream = await client.chat_completion(
                ASK_WEATHER, model=LLAMA, tools=TOOLS, tool_choice="required", stream=True
            )
            calls = [
                call async for chunk in stream for call in chunk.choices[0].delta.tool_calls or []
            ]
    assert calls[0].function.name == "get_weather"


# -- structured output -----------------------------------------------------------------------


class CityInfo(BaseModel):
    name: str
    country: str
    population: int


def test_structured_output_from_a_pydantic_model(replay, sent):
    with replay("groq/chat_completion_json_schema_synthetic.yaml"):
        out = routed(sent).chat_completion(
            [{"role": "user", "content": "Describe Paris."}],
            model="openai/gpt-oss-20b",
            response_format=CityInfo,
        )
    city = CityInfo.model_validate_json(out.choices[0].message.content)
    assert city == CityInfo(name="Paris", country="France", population=2102650)
    # Passed through unchanged: {"type": "json_schema", "json_schema": {name, schema, strict}}.
    sent_format = json.loads(sent.requests[-1].content)["response_format"]
    assert sent_format == {
        "type": "json_schema",
        "json_schema": {
            "name": "CityInfo",
            "schema": CityInfo.model_json_schema(),
            "strict": True,
        },
    }


async def test_async_structured_output(replay):
    async with AsyncInferenceClient(provider="groq", api_key=FAKE_HF_TOKEN) as client:
        with replay("groq/chat_completion_json_schema_synthetic.yaml"):
            out = await client.chat_completion(
                [{"role": "user", "content": "Describe Paris."}],
                model="openai/gpt-oss-20b",
                response_format=CityInfo,
            )
    assert CityInfo.model_validate_json(out.choices[0].message.content).country == "France"


def test_json_object_mode(replay):
    with replay("groq/chat_completion_json_object_synthetic.yaml"):
        out = direct().chat_completion(
            [{"role": "user", "content": "Describe Paris."}],
            model=GROQ_LLAMA,
            response_format={"type": "json_object"},
        )
    assert json.loads(out.choices[0].message.content) == {"name": "Paris", "country": "France"}


def test_json_validation_failure_is_a_bad_request_with_the_failed_generation(replay):
    with (
        replay("groq/chat_completion_json_validate_failed_synthetic.yaml"),
        pytest.raises(BadRequestError) as info,
    ):
        direct().chat_completion(
            [{"role": "user", "content": "Describe Paris."}],
            model="llama-3.1-8b-instant",
            response_format={"type": "json_object"},
        )
    error = info.value
    assert error.status_code == 400
    assert error.provider_message.startswith("Failed to generate JSON")
    assert error.body["error"]["code"] == "json_validate_failed"
    assert error.body["error"]["failed_generation"] == "Paris is the capital of France."
    assert error.request_id == "req_01k1fb1c4defghjkmnpqrstvwx"


# -- errors and refused parameters -----------------------------------------------------------


def test_unauthorized(replay):
    with (
        replay("groq/chat_completion_unauthorized_synthetic.yaml"),
        pytest.raises(AuthenticationError) as info,
    ):
        direct().chat_completion([{"role": "user", "content": "Hello"}], model=GROQ_LLAMA)
    assert info.value.provider == "groq"
    assert info.value.provider_message == "Invalid API Key"
    assert FAKE_GROQ_KEY not in str(info.value)


def test_rate_limited(replay):
    with (
        replay("groq/chat_completion_rate_limited_synthetic.yaml"),
        pytest.raises(RateLimitError) as info,
    ):
        direct(max_retries=0).chat_completion(
            [{"role": "user", "content": "Hello"}], model=GROQ_LLAMA
        )
    assert info.value.status_code == 429
    assert "tokens per minute" in info.value.provider_message
    assert info.value.request_id == "req_01k1fb3e6fghjkmnpqrstvwxyz"


@pytest.mark.parametrize(
    "parameter", [{"logprobs": True}, {"top_logprobs": 2}, {"logit_bias": {"1": 1.0}}]
)
def test_parameters_groq_rejects_are_refused_before_sending(parameter, sent):
    with pytest.raises(InvalidInputError, match=next(iter(parameter))):
        direct(sent).chat_completion(MESSAGES, model=GROQ_LLAMA, **parameter)
    assert sent.requests == []


def test_provider_key_is_never_sent_to_the_router():
    from infermux.errors import MissingAPIKeyError

    with pytest.raises(MissingAPIKeyError):
        direct(routing="router").chat_completion(MESSAGES, model=GROQ_LLAMA)


# -- text-generation over chat completions ---------------------------------------------------

HAIKU = "Waves fold into foam,\nsalt wind carries the gull's cry,\nthe tide keeps its time."


def test_text_generation_sends_the_prompt_as_one_user_message(replay, sent):
    with replay("groq/text_generation_synthetic.yaml"):
        out = direct(sent).text_generation(
            "Write a haiku about the sea.",
            model="llama-3.1-8b-instant",
            max_new_tokens=40,
            temperature=0.5,
            details=True,
        )
    assert isinstance(out, TextGenerationOutput)
    assert out.generated_text == HAIKU
    assert out.details.finish_reason == "stop"
    assert out.details.generated_tokens == 21
    body = json.loads(sent.requests[0].content)
    assert body["messages"] == [{"role": "user", "content": "Write a haiku about the sea."}]
    assert body["max_completion_tokens"] == 40
    assert "details" not in body
    assert sent.urls == [DIRECT_CHAT]


def test_text_generation_without_details(replay):
    with replay("groq/text_generation_synthetic.yaml"):
        out = direct().text_generation(
            "Write a haiku about the sea.",
            model="llama-3.1-8b-instant",
            max_new_tokens=40,
            temperature=0.5,
        )
    assert out.generated_text == HAIKU
    assert out.details is None


def test_text_generation_stream_routed(replay, sent):
    with replay("groq/text_generation_stream_synthetic.yaml"):
        chunks = list(
            routed(sent).text_generation(
                "Write a haiku about the sea.",
                model="meta-llama/Llama-3.1-8B-Instruct",
                max_new_tokens=5,
                stream=True,
            )
        )
    assert all(isinstance(c, TextGenerationStreamOutput) for c in chunks)
    assert "".join(c.token.text for c in chunks) == "Waves fold into foam,"
    assert chunks[-1].details.finish_reason == "length"
    assert chunks[-1].details.generated_tokens == 5
    assert all(c.details is None for c in chunks[:-1])
    assert sent.urls[-1] == ROUTED_CHAT


async def test_async_text_generation(replay):
    async with AsyncInferenceClient(provider="groq", api_key=FAKE_GROQ_KEY) as client:
        with replay("groq/text_generation_synthetic.yaml"):
            out = await client.text_generation(
                "Write a haiku about the sea.",
                model="llama-3.1-8b-instant",
                max_new_tokens=40,
                temperature=0.5,
            )
    assert out.generated_text == HAIKU


async def test_async_text_generation_stream(replay):
    async with AsyncInferenceClient(provider="groq", api_key=FAKE_HF_TOKEN) as client:
        with replay("groq/text_generation_stream_synthetic.yaml"):
            stream = await client.text_generation(
                "Write a haiku about the sea.",
                model="meta-llama/Llama-3.1-8B-Instruct",
                max_new_tokens=5,
                stream=True,
            )
            text = "".join([c.token.text async for c in stream])
    assert text == "Waves fold into foam,"


def test_text_generation_refuses_tgi_only_parameters(sent):
    with pytest.raises(InvalidInputError, match="grammar"):
        direct(sent).text_generation(
            "Hi", model="llama-3.1-8b-instant", grammar={"type": "json", "value": {}}
        )
    assert sent.requests == []


def test_text_generation_of_a_tool_call_reply_is_a_format_error():
    from infermux.helpers.base import Call, ModelMapping, Response
    from infermux_groq import GroqTextGeneration

    helper = GroqTextGeneration()
    call = Call(
        task="text-generation",
        inputs="Hi",
        model=ModelMapping("llama-3.1-8b-instant"),
        routing="direct",
        base_url=helper.base_url,
    )
    body = {"choices": [{"index": 0, "message": {"role": "assistant", "content": None}}]}
    response = Response(200, {"content-type": "application/json"}, json.dumps(body).encode(), "")
    with pytest.raises(ResponseFormatError):
        helper.parse_response(response, call)


# -- conformance -------------------------------------------------------------------------------


def _chat_body() -> dict:
    return {
        "id": "chatcmpl-0",
        "object": "chat.completion",
        "created": 1754000000,
        "model": "llama-3.1-8b-instant",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Deep learning is..."},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13},
    }


_CHAT_CHUNK = {
    "id": "chatcmpl-0",
    "object": "chat.completion.chunk",
    "created": 1754000000,
    "model": "llama-3.1-8b-instant",
    "choices": [{"index": 0, "delta": {"content": "Deep"}, "finish_reason": None}],
}


class TestGroqConformance(ProviderConformance):
    distribution = "infermux-groq"
    cassette_dir = "../../cassettes/groq"
    # text-generation answers in the chat shape (it is served by chat completions).
    sample_responses = {"groq/text-generation": [Sample("groq_chat", json_response(_chat_body()))]}
    sample_stream_events = {"groq/text-generation": [("groq_chat_chunk", json.dumps(_CHAT_CHUNK))]}
