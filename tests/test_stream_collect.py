"""Streams fold back into one output: text joined, tool-call fragments assembled."""

from __future__ import annotations

import json

import httpx2

from infermux import AsyncInferenceClient, InferenceClient
from infermux.types import ChatCompletionOutput, TextGenerationOutput
from tests.conftest import FAKE_HF_TOKEN

MESSAGES = [{"role": "user", "content": "Weather in Paris and Rome?"}]


def _chunk(delta, finish=None, usage=None):
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        "usage": usage,
    }


TOOL_STREAM = [
    _chunk({"role": "assistant", "content": None}),
    _chunk(
        {
            "tool_calls": [
                {
                    "index": 0,
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": ""},
                }
            ]
        }
    ),
    _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]}),
    _chunk(
        {
            "tool_calls": [
                {
                    "index": 1,
                    "id": "call_b",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city"'},
                }
            ]
        }
    ),
    _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}),
    _chunk({"tool_calls": [{"index": 1, "function": {"arguments": ': "Rome"}'}}]}),
    _chunk(
        {},
        finish="tool_calls",
        usage={"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
    ),
]


def _sse(events):
    return "".join(f"data: {json.dumps(e)}\n\n" for e in events).encode() + b"data: [DONE]\n\n"


def _handler(request):
    return httpx2.Response(
        200, content=_sse(TOOL_STREAM), headers={"content-type": "text/event-stream"}
    )


def _check(out):
    assert isinstance(out, ChatCompletionOutput)
    message = out.choices[0].message
    assert out.choices[0].finish_reason == "tool_calls"
    assert message.content is None
    assert [
        (c.id, c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls
    ] == [
        ("call_a", "get_weather", {"city": "Paris"}),
        ("call_b", "get_weather", {"city": "Rome"}),
    ]
    assert out.usage.total_tokens == 30


def test_collect_assembles_streamed_tool_calls():
    client = InferenceClient(
        provider="together",
        api_key="tg-key",
        http_client=httpx2.Client(transport=httpx2.MockTransport(_handler)),
    )
    tools = [
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    ]
    _check(client.chat_completion(MESSAGES, model="m", tools=tools, stream=True).collect())


async def test_async_collect_assembles_streamed_tool_calls():
    http_client = httpx2.AsyncClient(transport=httpx2.MockTransport(_handler))
    async with AsyncInferenceClient(
        provider="together", api_key="tg-key", http_client=http_client
    ) as client:
        stream = await client.chat_completion(MESSAGES, model="m", stream=True)
        _check(await stream.collect())


def test_collect_joins_a_recorded_chat_stream(replay):
    client = InferenceClient(provider="together", api_key=FAKE_HF_TOKEN)
    with replay("together/chat_completion_stream.yaml"):
        stream = client.chat_completion(
            [
                {"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "What is deep learning?"},
            ],
            model="meta-llama/Meta-Llama-3-8B-Instruct",
            max_tokens=20,
            stream=True,
        )
        first = next(stream)
        rest = stream.collect()
    assert first.choices[0].delta.content == "Deep"
    assert rest.choices[0].message.content.startswith(" learning")
    assert rest.choices[0].finish_reason == "length"


def test_collect_text_generation_stream():
    from infermux.assemble import assemble
    from infermux.types import TextGenerationStreamOutput

    chunks = [
        TextGenerationStreamOutput.model_validate(
            {"index": i, "token": {"id": i, "text": t, "logprob": 0, "special": False}}
        )
        for i, t in enumerate(["Hello", " world"])
    ]
    out = assemble(chunks)
    assert isinstance(out, TextGenerationOutput)
    assert out.generated_text == "Hello world"
