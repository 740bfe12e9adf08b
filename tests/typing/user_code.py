"""Code as a user writes it, checked by ``mypy --strict`` and by pyright in strict mode
(``make lint``; pyright's settings are ``[tool.pyright]`` in pyproject.toml): what the README
and the guides show must type-check without casts, ``Any`` leaks or ``# type: ignore``.

Never run (the functions are only defined); ``typing.assert_type`` states what each call
must return, and both checkers fail on any mismatch.
"""

from __future__ import annotations

import typing

from pydantic import BaseModel

from infermux import AsyncInferenceClient, AsyncStream, AudioOutput, InferenceClient, Stream
from infermux.media import DepthMap
from infermux.responses import Response, ResponseStreamEvent, ResponseTextDeltaEvent
from infermux.structured import (
    AsyncParsedChatStream,
    ParsedChatCompletionOutput,
    ParsedChatStream,
    ParsedResponseStream,
)
from infermux.types import (
    ChatCompletionOutput,
    ChatCompletionStreamOutput,
    TextGenerationOutput,
    TextGenerationStreamOutput,
    VideoClassificationOutputElement,
    ZeroShotObjectDetectionOutputElement,
)

MESSAGES = [{"role": "user", "content": "What is deep learning?"}]


class CalendarEvent(BaseModel):
    name: str
    participants: list[str]


def readme_chat() -> str | None:
    with InferenceClient(provider="together") as client:
        out = client.chat_completion(MESSAGES, model="meta-llama/Meta-Llama-3-8B-Instruct")
        typing.assert_type(out, ChatCompletionOutput)
        assert out.choices is not None
        return out.choices[0].message.content if out.choices[0].message else None


def streamed_chat(client: InferenceClient) -> str:
    stream = client.chat_completion(MESSAGES, model="m", stream=True)
    typing.assert_type(stream, Stream[ChatCompletionStreamOutput])
    text = ""
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
    return text


def stream_decided_at_run_time(client: InferenceClient, stream: bool) -> None:
    out = client.chat_completion(MESSAGES, model="m", stream=stream)
    typing.assert_type(out, ChatCompletionOutput | Stream[ChatCompletionStreamOutput])


def structured_chat(client: InferenceClient) -> list[str]:
    out = client.chat_completion(MESSAGES, model="m", response_format=CalendarEvent)
    assert out.choices
    parsed = out.choices[0].message.parsed
    typing.assert_type(parsed, CalendarEvent | None)
    return parsed.participants if parsed else []


def streamed_structured_chat(client: InferenceClient) -> list[str]:
    stream = client.chat_completion(MESSAGES, model="m", stream=True, response_format=CalendarEvent)
    typing.assert_type(stream, ParsedChatStream[CalendarEvent])
    for chunk in stream:
        typing.assert_type(chunk, ChatCompletionStreamOutput)
    out = stream.collect()
    typing.assert_type(out, ParsedChatCompletionOutput[CalendarEvent])
    parsed = out.choices[0].message.parsed
    typing.assert_type(parsed, CalendarEvent | None)
    alias = client.chat.completions.create(
        model="m", messages=MESSAGES, stream=True, response_format=CalendarEvent
    )
    typing.assert_type(alias, ParsedChatStream[CalendarEvent])
    return parsed.participants if parsed else []


def streamed_structured_response(client: InferenceClient) -> object:
    stream = client.responses.create(
        model="m", input="Hello", stream=True, text_format=CalendarEvent
    )
    typing.assert_type(stream, ParsedResponseStream)
    collected = stream.collect()
    typing.assert_type(collected, Response)
    return collected.output_parsed


def openai_spelling(client: InferenceClient) -> ChatCompletionOutput:
    out = client.chat.completions.create(model="m", messages=MESSAGES, max_completion_tokens=64)
    typing.assert_type(out, ChatCompletionOutput)
    chunks = client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    typing.assert_type(chunks, Stream[ChatCompletionStreamOutput])
    return out


def text_generation(client: InferenceClient) -> str | None:
    out = client.text_generation("Once upon a time", model="m")
    typing.assert_type(out, TextGenerationOutput)
    tokens = client.text_generation("Once upon a time", model="m", stream=True)
    typing.assert_type(tokens, Stream[TextGenerationStreamOutput])
    return out.generated_text


def vision_and_audio_tasks(client: InferenceClient) -> float:
    found = client.zero_shot_object_detection("photo.png", ["cat"], model="m")
    typing.assert_type(found, list[ZeroShotObjectDetectionOutputElement])
    depth = client.depth_estimation(b"...", model="m")
    typing.assert_type(depth, DepthMap)
    typing.assert_type(depth.predicted_depth, list[list[float]] | None)
    depth.save("depth" + depth.extension)
    labels = client.video_classification("clip.mp4", model="m", top_k=3)
    typing.assert_type(labels, list[VideoClassificationOutputElement])
    audio = client.text_to_audio("rain on a tin roof", model="m")
    typing.assert_type(audio, AudioOutput)
    rows = depth.predicted_depth or [[0.0]]
    return found[0].box.xmax + labels[0].score + rows[0][0]


async def async_vision_and_audio_tasks(client: AsyncInferenceClient) -> None:
    depth = await client.depth_estimation("room.png", model="m")
    typing.assert_type(depth, DepthMap)
    labels = await client.video_classification("clip.mp4", model="m")
    typing.assert_type(labels, list[VideoClassificationOutputElement])
    audio = await client.text_to_audio("rain", model="m")
    typing.assert_type(audio, AudioOutput)


def responses(client: InferenceClient) -> str:
    response = client.responses.create(model="openai/gpt-oss-120b:groq", input="Hello")
    typing.assert_type(response, Response)
    events = client.responses.create(model="m", input="Hello", stream=True)
    typing.assert_type(events, Stream[ResponseStreamEvent])
    for event in events:
        if isinstance(event, ResponseTextDeltaEvent):
            print(event.delta)
    collected = events.collect()
    typing.assert_type(collected, Response)
    parsed = client.responses.create(model="m", input="Hello", text_format=CalendarEvent)
    print(collected, parsed.output_parsed)
    return response.output_text


async def async_code() -> str:
    async with AsyncInferenceClient(provider="together") as client:
        typing.assert_type(client, AsyncInferenceClient)
        out = await client.chat_completion(MESSAGES, model="m")
        typing.assert_type(out, ChatCompletionOutput)
        stream = await client.chat_completion(MESSAGES, model="m", stream=True)
        typing.assert_type(stream, AsyncStream[ChatCompletionStreamOutput])
        async for chunk in stream:
            print(chunk.choices)
        alias = await client.chat.completions.create(model="m", messages=MESSAGES)
        typing.assert_type(alias, ChatCompletionOutput)
        response = await client.responses.create(model="m", input="Hi")
        typing.assert_type(response, Response)
        events = await client.responses.create(model="m", input="Hi", stream=True)
        typing.assert_type(events, AsyncStream[ResponseStreamEvent])
        typing.assert_type(await events.collect(), Response)
        parsed_stream = await client.chat_completion(
            MESSAGES, model="m", stream=True, response_format=CalendarEvent
        )
        typing.assert_type(parsed_stream, AsyncParsedChatStream[CalendarEvent])
        async for chunk in parsed_stream:
            typing.assert_type(chunk, ChatCompletionStreamOutput)
        folded = await parsed_stream.collect()
        typing.assert_type(folded, ParsedChatCompletionOutput[CalendarEvent])
        return response.output_text


def context_manager_keeps_the_type() -> None:
    with InferenceClient() as client:
        typing.assert_type(client, InferenceClient)


def annotations_resolve() -> None:
    hints = typing.get_type_hints(InferenceClient.chat_completion)
    print(hints["return"])
