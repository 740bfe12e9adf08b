"""``client.responses.create()``: OpenAI's Responses API on both clients, against the
synthetic cassettes written by scripts/write_responses_cassettes.py (no recording of
Responses traffic exists): direct to Groq and Together, through the Hugging Face router
(``model="org/id:provider"``, a provider with or without a Responses API of its own), and
to an in-house OpenAI-compatible endpoint."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from infermux import AsyncInferenceClient, InferenceClient
from infermux.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidInputError,
    StreamError,
    StructuredOutputError,
)
from infermux.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseCreatedEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseStreamEvent,
    ResponseTextDeltaEvent,
)
from infermux.responses.assemble import assemble_response
from tests.conftest import FAKE_HF_TOKEN

GROQ_KEY = "groq_fake_test_key_0123456789"
TOGETHER_KEY = "tgp_fake_provider_key_0123456789"
GPT_OSS = "openai/gpt-oss-120b"
QWEN = "Qwen/Qwen3-235B-A22B-Instruct-2507-tput"
STORY = "Luna the unicorn found a silver star. She kept it safe all night. Then she slept."
ASK = {
    "instructions": "You are a helpful assistant.",
    "input": "Tell me a three sentence bedtime story about a unicorn.",
}
WEATHER_TOOL = {
    "type": "function",
    "name": "get_current_weather",
    "description": "Get the current weather in a given location",
    "parameters": {
        "type": "object",
        "properties": {
            "location": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location", "unit"],
    },
}


class CalendarEvent(BaseModel):
    name: str
    date: str
    participants: list[str]


def groq(sent=None, **options):
    return InferenceClient(
        provider="groq", api_key=GROQ_KEY, http_client=sent.client() if sent else None, **options
    )


def together(**options):
    return InferenceClient(provider="together", api_key=TOGETHER_KEY, **options)


# -- plain --------------------------------------------------------------------------------


def test_direct_to_groq_gives_a_typed_response_with_output_text(replay, sent):
    with replay("groq/responses_direct_synthetic.yaml") as tape:
        out = groq(sent).responses.create(model=GPT_OSS, **ASK)
    assert isinstance(out, Response)
    assert out.output_text == STORY
    assert out.status == "completed"
    assert out.usage is not None
    assert out.usage.total_tokens == 42
    assert out.output is not None
    assert out.output[0].type == "message"
    assert out.response_info.provider == "groq"
    assert out.response_info.routing == "direct"
    assert out.response_info.request_id == "req_01jz8k2m3n"
    assert tape.all_played
    assert sent.urls == [
        "https://huggingface.co/api/models/openai/gpt-oss-120b?expand=inferenceProviderMapping",
        "https://api.groq.com/openai/v1/responses",
    ]
    assert sent.requests[-1].headers["authorization"] == f"Bearer {GROQ_KEY}"
    assert "authorization" not in sent.requests[0].headers  # no HF token: anonymous lookup


def test_routed_goes_to_the_routers_v1_responses_as_model_colon_provider(replay, sent):
    client = InferenceClient(api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with replay("groq/responses_routed_synthetic.yaml") as tape:
        out = client.responses.create(model=f"{GPT_OSS}:groq", max_output_tokens=200, **ASK)
    assert out.output_text == STORY
    assert out.response_info.routing == "router"
    assert tape.all_played
    assert sent.urls[-1] == "https://router.huggingface.co/v1/responses"
    assert json.loads(sent.requests[-1].content)["model"] == "openai/gpt-oss-120b:groq"
    assert all(r.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}" for r in sent.requests)


def test_a_provider_without_a_responses_api_is_served_through_the_router(replay):
    client = InferenceClient(provider="cerebras", api_key=FAKE_HF_TOKEN)
    with replay("cerebras/responses_routed_synthetic.yaml") as tape:
        out = client.responses.create(
            model="meta-llama/Llama-3.3-70B-Instruct", input="What is deep learning?"
        )
    assert out.output_text.startswith("Deep learning is")
    assert out.response_info.provider == "cerebras"
    assert tape.all_played


def test_a_provider_key_cannot_reach_a_responses_api_the_provider_lacks(sent):
    client = InferenceClient(
        provider="cerebras", api_key="csk-fake-key-0123456789", http_client=sent.client()
    )
    with pytest.raises(ConfigurationError, match="through the Hugging Face router only"):
        client.responses.create(model="llama-3.3-70b", input="Hi")
    assert sent.requests == []


def test_router_refuses_parameters_it_would_drop(sent):
    client = InferenceClient(provider="groq", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with pytest.raises(InvalidInputError, match="router's Responses API ignores 'user'"):
        client.responses.create(model="llama-3.3-70b-versatile", input="Hi", user="u1")
    assert sent.requests == []


def test_provider_refuses_what_it_cannot_honour_before_sending(sent):
    with pytest.raises(InvalidInputError, match="'previous_response_id'"):
        groq(sent).responses.create(model=GPT_OSS, input="Hi", previous_response_id="resp_1")
    assert sent.requests == []


def test_in_house_endpoint_by_base_url(replay, sent):
    client = InferenceClient(
        base_url="https://llm.internal.example.com/v1",
        api_key="internal-key",
        http_client=sent.client(),
    )
    with replay("openai-compatible/responses_endpoint_synthetic.yaml") as tape:
        out = client.responses.create(model="gateway-llm", input="Ping?")
    assert out.output_text == "Pong."
    assert tape.all_played
    assert sent.urls == ["https://llm.internal.example.com/v1/responses"]


def test_in_house_endpoint_from_a_config_file(replay, tmp_path, monkeypatch):
    config = tmp_path / "infermux.toml"
    config.write_text(
        '[providers.gateway]\nbase_url = "https://llm.internal.example.com/v1"\n'
        'tasks = ["conversational", "responses"]\n'
    )
    monkeypatch.setenv("INFERMUX_CONFIG", str(config))
    with replay("openai-compatible/responses_endpoint_synthetic.yaml") as tape:
        out = InferenceClient(provider="gateway").responses.create(
            model="gateway-llm", input="Ping?"
        )
    assert out.output_text == "Pong."
    assert tape.all_played


def test_errors_are_the_same_typed_errors_as_chat(replay):
    with (
        replay("groq/responses_unauthorized_synthetic.yaml"),
        pytest.raises(AuthenticationError, match="Invalid API Key"),
    ):
        groq().responses.create(model=GPT_OSS, input="Hi")


# -- streaming ---------------------------------------------------------------------------


def test_stream_gives_typed_semantic_events_and_collect_folds_them(replay):
    with replay("groq/responses_stream_synthetic.yaml"):
        stream = groq().responses.create(
            model=GPT_OSS, input="Say 'double bubble bath' twice.", stream=True
        )
        events = list(stream)
    assert all(isinstance(e, ResponseStreamEvent) for e in events)
    assert isinstance(events[0], ResponseCreatedEvent)
    assert isinstance(events[-1], ResponseCompletedEvent)
    deltas = [e.delta for e in events if isinstance(e, ResponseTextDeltaEvent)]
    assert deltas == ["Double bubble bath,", " double bubble bath!"]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    folded = assemble_response(events)
    assert folded.output_text == "Double bubble bath, double bubble bath!"
    assert folded.status == "completed"


def test_collect_returns_the_response_with_its_response_info(replay):
    with replay("groq/responses_stream_synthetic.yaml"):
        out = (
            groq()
            .responses.create(model=GPT_OSS, input="Say 'double bubble bath' twice.", stream=True)
            .collect()
        )
    assert isinstance(out, Response)
    assert out.output_text == "Double bubble bath, double bubble bath!"
    assert out.response_info is not None
    assert out.response_info.provider == "groq"


def test_streamed_tool_call_is_rebuilt_without_a_completed_event(replay):
    with replay("together/responses_tools_stream_synthetic.yaml"):
        stream = together().responses.create(
            model=QWEN,
            input="What is the weather like in Boston today?",
            tools=[WEATHER_TOOL],
            tool_choice="auto",
            stream=True,
        )
        events = list(stream)
    pieces = [e.delta for e in events if isinstance(e, ResponseFunctionCallArgumentsDeltaEvent)]
    assert "".join(pieces) == '{"location":"Boston, MA","unit":"celsius"}'
    out = assemble_response(events)
    (call,) = out.function_calls
    assert call.name == "get_current_weather"
    assert call.call_id == "call_7Xb2"
    assert call.parsed_arguments() == {"location": "Boston, MA", "unit": "celsius"}
    assert out.status == "incomplete"  # no terminal event came: not reported as in progress


def test_response_failed_in_a_stream_raises_stream_error(replay):
    client = InferenceClient(provider="cerebras", api_key=FAKE_HF_TOKEN)
    with replay("cerebras/responses_stream_failed_synthetic.yaml"):
        stream = client.responses.create(
            model="meta-llama/Llama-3.3-70B-Instruct", input="What is deep learning?", stream=True
        )
        first = next(iter(stream))
        assert isinstance(first, ResponseCreatedEvent)
        with pytest.raises(StreamError, match="upstream provider overloaded"):
            next(iter(stream))


# -- tools, structured output, reasoning -----------------------------------------------


def test_function_call_items(replay):
    with replay("together/responses_tools_synthetic.yaml"):
        out = together().responses.create(
            model=QWEN,
            input="What is the weather like in Boston today?",
            tools=[WEATHER_TOOL],
            tool_choice="auto",
        )
    assert out.output_text == ""
    (call,) = out.function_calls
    assert call.parsed_arguments() == {"location": "Boston, MA", "unit": "celsius"}


def test_chat_shaped_function_tools_are_flattened(replay, sent):
    chat_tool = {
        "type": "function",
        "function": {k: v for k, v in WEATHER_TOOL.items() if k != "type"},
    }
    client = InferenceClient(provider="together", api_key=TOGETHER_KEY, http_client=sent.client())
    with replay("together/responses_tools_synthetic.yaml"):
        client.responses.create(
            model=QWEN,
            input="What is the weather like in Boston today?",
            tools=[chat_tool],
            tool_choice="auto",
        )
    assert json.loads(sent.requests[-1].content)["tools"] == [WEATHER_TOOL]


def test_text_format_gives_output_parsed(replay):
    with replay("groq/responses_structured_synthetic.yaml"):
        out = groq().responses.create(
            model=GPT_OSS,
            input=[
                {"role": "system", "content": "Extract the event information."},
                {"role": "user", "content": "Alice and Bob are going to a science fair on Friday."},
            ],
            text_format=CalendarEvent,
        )
    assert out.output_parsed == CalendarEvent(
        name="Science fair", date="Friday", participants=["Alice", "Bob"]
    )
    assert "output_parsed" not in out.model_dump()  # not a wire field


def test_text_format_names_the_fields_that_failed(replay):
    class Strict(BaseModel):
        name: int
        venue: str

    # Same request as the cassette's, but validated against another model.
    from infermux.structured import parse_model

    with pytest.raises(StructuredOutputError) as caught:
        parse_model(Strict, '{"name":"Science fair","date":"Friday"}', "groq", "responses")
    fields = [where for where, _ in caught.value.errors]
    assert fields == ["name", "venue"]
    assert "name:" in str(caught.value)
    assert "venue: Field required" in str(caught.value)


def test_reasoning_effort_and_reasoning_items(replay, sent):
    client = InferenceClient(provider="together", api_key=TOGETHER_KEY, http_client=sent.client())
    with replay("together/responses_reasoning_synthetic.yaml"):
        out = client.responses.create(
            model="openai/gpt-oss-20b", input="Say hello to the world.", reasoning={"effort": "low"}
        )
    assert out.output_text == "Hello, world!"
    assert out.output is not None
    assert out.output[0].type == "reasoning"
    assert out.output[0].content is not None
    assert out.output[0].content[0].text == "The user wants a short greeting."
    assert json.loads(sent.requests[-1].content)["reasoning"] == {"effort": "low"}


# -- input checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input": ""}, "input must not be empty"),
        ({"input": 3}, "input must be a string or a list"),
        ({"input": []}, "at least one item"),
        ({"input": [{"role": "robot", "content": "x"}]}, "input\\[0\\]\\['role'\\]"),
        ({"input": [{"type": "teleport"}]}, "input\\[0\\]\\['type'\\]"),
        ({"input": [{"type": "function_call_output", "call_id": "c"}]}, "call_id' and 'output'"),
        ({"input": "x", "tools": [{"name": "f"}]}, "tools\\[0\\] must be a dict with a 'type'"),
        ({"input": "x", "text_format": dict}, "text_format must be a pydantic model"),
        ({"input": "x", "temperature": "hot"}, "'temperature' must be a number"),
    ],
)
def test_bad_input_is_refused_before_any_request(kwargs, message, sent):
    with pytest.raises(InvalidInputError, match=message):
        groq(sent).responses.create(model=GPT_OSS, **kwargs)
    assert sent.requests == []


def test_image_bytes_in_input_become_a_data_url(sent):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    from infermux.responses.inputs import check_input

    (item,) = check_input(
        [
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "what is this?"},
                    {"type": "input_image", "image_url": png},
                ],
            }
        ]
    )
    assert item["content"][1]["image_url"].startswith("data:image/png;base64,")


# -- async --------------------------------------------------------------------------------


async def test_async_direct(replay):
    async with AsyncInferenceClient(provider="groq", api_key=GROQ_KEY) as client:
        with replay("groq/responses_direct_synthetic.yaml"):
            out = await client.responses.create(model=GPT_OSS, **ASK)
    assert out.output_text == STORY


async def test_async_stream_and_collect(replay):
    async with AsyncInferenceClient(provider="groq", api_key=GROQ_KEY) as client:
        with replay("groq/responses_stream_synthetic.yaml"):
            stream = await client.responses.create(
                model=GPT_OSS, input="Say 'double bubble bath' twice.", stream=True
            )
            out = await stream.collect()
    assert out.output_text == "Double bubble bath, double bubble bath!"
    assert out.response_info.provider == "groq"


async def test_async_text_format(replay):
    async with AsyncInferenceClient(provider="groq", api_key=GROQ_KEY) as client:
        with replay("groq/responses_structured_synthetic.yaml"):
            out = await client.responses.create(
                model=GPT_OSS,
                input=[
                    {"role": "system", "content": "Extract the event information."},
                    {
                        "role": "user",
                        "content": "Alice and Bob are going to a science fair on Friday.",
                    },
                ],
                text_format=CalendarEvent,
            )
    assert isinstance(out.output_parsed, CalendarEvent)


def test_auto_provider_finds_a_chat_provider_and_goes_through_the_router(replay, sent):
    client = InferenceClient(api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with replay("cerebras/responses_routed_synthetic.yaml") as tape:
        out = client.responses.create(
            model="meta-llama/Llama-3.3-70B-Instruct", input="What is deep learning?"
        )
    assert out.response_info.provider == "cerebras"
    assert tape.all_played
    assert json.loads(sent.requests[-1].content)["model"] == (
        "meta-llama/Llama-3.3-70B-Instruct:cerebras"
    )


def test_router_policy_suffix_lets_the_router_choose():
    import httpx2

    seen = []

    def router(request):
        seen.append(request)
        body = {"object": "response", "status": "completed", "output": []}
        return httpx2.Response(200, json=body)

    client = InferenceClient(
        api_key=FAKE_HF_TOKEN, http_client=httpx2.Client(transport=httpx2.MockTransport(router))
    )
    out = client.responses.create(model="openai/gpt-oss-120b:fastest", input="Hi")
    assert out.output_text == ""
    assert str(seen[0].url) == "https://router.huggingface.co/v1/responses"
    assert json.loads(seen[0].content)["model"] == "openai/gpt-oss-120b:fastest"


def test_an_in_house_chat_endpoint_without_responses_is_not_sent_to_the_router(
    tmp_path, monkeypatch
):
    from infermux.errors import UnsupportedTaskError

    config = tmp_path / "infermux.toml"
    config.write_text(
        '[providers.gateway]\nbase_url = "https://llm.internal.example.com/v1"\n'
        'tasks = ["conversational"]\n'
    )
    monkeypatch.setenv("INFERMUX_CONFIG", str(config))
    client = InferenceClient(provider="gateway", api_key=FAKE_HF_TOKEN)
    with pytest.raises(UnsupportedTaskError, match="responses"):
        client.responses.create(model="gateway-llm", input="Ping?")
