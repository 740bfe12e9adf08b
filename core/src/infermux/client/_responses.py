"""``client.responses.create(...)``: OpenAI's Responses API on both clients.

Written out for the sync and the async client (as ``_chat_alias.py`` is): the request is
built and checked once, in :func:`build_request`, and runs on the same engine as every
task (routing, keys, retries, errors), as the ``responses`` task.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from infermux import responses, structured
from infermux.client import _inputs
from infermux.errors import InvalidInputError
from infermux.responses import inputs as _checks
from infermux.streaming import AsyncStream, Stream

if TYPE_CHECKING:  # pydantic loads with the first answer, not with the client
    from infermux.engine import TaskRequest

__all__ = ["AsyncResponses", "Responses", "build_request", "finish"]


def build_request(
    input: Any,
    *,
    model: str | None,
    stream: bool,
    text_format: Any,
    extra_body: Any,
    parameters: dict[str, Any],
) -> tuple[TaskRequest, Any]:
    """Validate ``responses.create()`` arguments into the engine's request."""
    if text_format is not None:
        if parameters.get("text") is not None:
            raise InvalidInputError("pass text_format= or text=, not both")
        parameters["text"] = _checks.text_format(text_format)
    for name in ("text", "reasoning", "metadata", "tool_choice"):
        parameters[name] = _inputs.as_dict(parameters[name])
    parameters["tools"] = _checks.check_tools(parameters["tools"])
    if parameters["include"] is not None:
        parameters["include"] = list(parameters["include"])
    request = _inputs.task_request(
        "responses",
        _checks.check_input(input),
        model=model,
        parameters=parameters,
        extra_body=extra_body,
        stream=stream,
    )
    return request, text_format


def finish(result: Any, parse_as: Any) -> Any:
    """The result with ``output_parsed`` set when ``text_format=`` was given: at once for a
    response, in what ``collect()`` returns for a stream (its events stream as usual)."""
    if parse_as is None:
        return result
    from infermux.structured import parse_response, parse_response_stream

    if isinstance(result, Stream | AsyncStream):
        return parse_response_stream(result, parse_as)
    return parse_response(result, parse_as)


class Responses:
    """``client.responses``: OpenAI's Responses API (``POST /v1/responses``)."""

    __slots__ = ("_client",)

    def __init__(self, client: Any) -> None:
        self._client = client

    @overload
    def create(
        self,
        *,
        input: str | Sequence[Mapping[str, Any] | Any],
        stream: Literal[True],
        text_format: type,
        model: str | None = None,
        instructions: str | None = None,
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        max_tool_calls: int | None = None,
        text: Mapping[str, Any] | None = None,
        reasoning: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        previous_response_id: str | None = None,
        store: bool | None = None,
        background: bool | None = None,
        include: Sequence[str] | None = None,
        truncation: str | None = None,
        top_logprobs: int | None = None,
        user: str | None = None,
        service_tier: str | None = None,
        prompt_cache_key: str | None = None,
        safety_identifier: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> structured.ParsedResponseStream: ...

    @overload
    def create(
        self,
        *,
        input: str | Sequence[Mapping[str, Any] | Any],
        stream: Literal[True],
        text_format: None = None,
        model: str | None = None,
        instructions: str | None = None,
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        max_tool_calls: int | None = None,
        text: Mapping[str, Any] | None = None,
        reasoning: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        previous_response_id: str | None = None,
        store: bool | None = None,
        background: bool | None = None,
        include: Sequence[str] | None = None,
        truncation: str | None = None,
        top_logprobs: int | None = None,
        user: str | None = None,
        service_tier: str | None = None,
        prompt_cache_key: str | None = None,
        safety_identifier: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Stream[responses.ResponseStreamEvent]: ...

    @overload
    def create(
        self,
        *,
        input: str | Sequence[Mapping[str, Any] | Any],
        stream: Literal[False] = False,
        text_format: type | None = None,
        model: str | None = None,
        instructions: str | None = None,
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        max_tool_calls: int | None = None,
        text: Mapping[str, Any] | None = None,
        reasoning: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        previous_response_id: str | None = None,
        store: bool | None = None,
        background: bool | None = None,
        include: Sequence[str] | None = None,
        truncation: str | None = None,
        top_logprobs: int | None = None,
        user: str | None = None,
        service_tier: str | None = None,
        prompt_cache_key: str | None = None,
        safety_identifier: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> responses.Response: ...

    @overload
    def create(
        self,
        *,
        input: str | Sequence[Mapping[str, Any] | Any],
        stream: bool = False,
        text_format: type,
        model: str | None = None,
        instructions: str | None = None,
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        max_tool_calls: int | None = None,
        text: Mapping[str, Any] | None = None,
        reasoning: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        previous_response_id: str | None = None,
        store: bool | None = None,
        background: bool | None = None,
        include: Sequence[str] | None = None,
        truncation: str | None = None,
        top_logprobs: int | None = None,
        user: str | None = None,
        service_tier: str | None = None,
        prompt_cache_key: str | None = None,
        safety_identifier: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> responses.Response | structured.ParsedResponseStream: ...

    @overload
    def create(
        self,
        *,
        input: str | Sequence[Mapping[str, Any] | Any],
        stream: bool = False,
        text_format: None = None,
        model: str | None = None,
        instructions: str | None = None,
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        max_tool_calls: int | None = None,
        text: Mapping[str, Any] | None = None,
        reasoning: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        previous_response_id: str | None = None,
        store: bool | None = None,
        background: bool | None = None,
        include: Sequence[str] | None = None,
        truncation: str | None = None,
        top_logprobs: int | None = None,
        user: str | None = None,
        service_tier: str | None = None,
        prompt_cache_key: str | None = None,
        safety_identifier: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> responses.Response | Stream[responses.ResponseStreamEvent]: ...

    def create(
        self,
        *,
        input: str | Sequence[Mapping[str, Any] | Any],
        stream: bool = False,
        text_format: type | None = None,
        model: str | None = None,
        instructions: str | None = None,
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        max_tool_calls: int | None = None,
        text: Mapping[str, Any] | None = None,
        reasoning: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        previous_response_id: str | None = None,
        store: bool | None = None,
        background: bool | None = None,
        include: Sequence[str] | None = None,
        truncation: str | None = None,
        top_logprobs: int | None = None,
        user: str | None = None,
        service_tier: str | None = None,
        prompt_cache_key: str | None = None,
        safety_identifier: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> (
        responses.Response | Stream[responses.ResponseStreamEvent] | structured.ParsedResponseStream
    ):
        """Create a model response; ``stream=True`` gives typed events
        (:class:`~infermux.responses.ResponseStreamEvent`) whose ``collect()`` folds them
        into the :class:`~infermux.responses.Response` a plain call returns.

        ``input`` is a string or a list of items (messages, function call outputs, items
        of a previous response); ``text_format=`` a pydantic model asks for JSON matching
        it and sets ``output_parsed`` (streamed: on what ``collect()`` returns). The other
        arguments are OpenAI's; a provider that cannot honour one refuses it before
        sending. ``model="org/id:provider"`` picks a provider through the Hugging Face
        router.
        """
        request, parse_as = build_request(
            input,
            model=model,
            stream=stream,
            text_format=text_format,
            extra_body=extra_body,
            parameters={
                "instructions": instructions,
                "max_output_tokens": max_output_tokens,
                "temperature": temperature,
                "top_p": top_p,
                "tools": tools,
                "tool_choice": tool_choice,
                "parallel_tool_calls": parallel_tool_calls,
                "max_tool_calls": max_tool_calls,
                "text": text,
                "reasoning": reasoning,
                "metadata": metadata,
                "previous_response_id": previous_response_id,
                "store": store,
                "background": background,
                "include": include,
                "truncation": truncation,
                "top_logprobs": top_logprobs,
                "user": user,
                "service_tier": service_tier,
                "prompt_cache_key": prompt_cache_key,
                "safety_identifier": safety_identifier,
            },
        )
        result = self._client._run(request)
        return finish(result, parse_as)


class AsyncResponses:
    """``client.responses``: OpenAI's Responses API (``POST /v1/responses``)."""

    __slots__ = ("_client",)

    def __init__(self, client: Any) -> None:
        self._client = client

    @overload
    async def create(
        self,
        *,
        input: str | Sequence[Mapping[str, Any] | Any],
        stream: Literal[True],
        text_format: type,
        model: str | None = None,
        instructions: str | None = None,
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        max_tool_calls: int | None = None,
        text: Mapping[str, Any] | None = None,
        reasoning: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        previous_response_id: str | None = None,
        store: bool | None = None,
        background: bool | None = None,
        include: Sequence[str] | None = None,
        truncation: str | None = None,
        top_logprobs: int | None = None,
        user: str | None = None,
        service_tier: str | None = None,
        prompt_cache_key: str | None = None,
        safety_identifier: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> structured.AsyncParsedResponseStream: ...

    @overload
    async def create(
        self,
        *,
        input: str | Sequence[Mapping[str, Any] | Any],
        stream: Literal[True],
        text_format: None = None,
        model: str | None = None,
        instructions: str | None = None,
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        max_tool_calls: int | None = None,
        text: Mapping[str, Any] | None = None,
        reasoning: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        previous_response_id: str | None = None,
        store: bool | None = None,
        background: bool | None = None,
        include: Sequence[str] | None = None,
        truncation: str | None = None,
        top_logprobs: int | None = None,
        user: str | None = None,
        service_tier: str | None = None,
        prompt_cache_key: str | None = None,
        safety_identifier: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncStream[responses.ResponseStreamEvent]: ...

    @overload
    async def create(
        self,
        *,
        input: str | Sequence[Mapping[str, Any] | Any],
        stream: Literal[False] = False,
        text_format: type | None = None,
        model: str | None = None,
        instructions: str | None = None,
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        max_tool_calls: int | None = None,
        text: Mapping[str, Any] | None = None,
        reasoning: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        previous_response_id: str | None = None,
        store: bool | None = None,
        background: bool | None = None,
        include: Sequence[str] | None = None,
        truncation: str | None = None,
        top_logprobs: int | None = None,
        user: str | None = None,
        service_tier: str | None = None,
        prompt_cache_key: str | None = None,
        safety_identifier: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> responses.Response: ...

    @overload
    async def create(
        self,
        *,
        input: str | Sequence[Mapping[str, Any] | Any],
        stream: bool = False,
        text_format: type,
        model: str | None = None,
        instructions: str | None = None,
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        max_tool_calls: int | None = None,
        text: Mapping[str, Any] | None = None,
        reasoning: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        previous_response_id: str | None = None,
        store: bool | None = None,
        background: bool | None = None,
        include: Sequence[str] | None = None,
        truncation: str | None = None,
        top_logprobs: int | None = None,
        user: str | None = None,
        service_tier: str | None = None,
        prompt_cache_key: str | None = None,
        safety_identifier: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> responses.Response | structured.AsyncParsedResponseStream: ...

    @overload
    async def create(
        self,
        *,
        input: str | Sequence[Mapping[str, Any] | Any],
        stream: bool = False,
        text_format: None = None,
        model: str | None = None,
        instructions: str | None = None,
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        max_tool_calls: int | None = None,
        text: Mapping[str, Any] | None = None,
        reasoning: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        previous_response_id: str | None = None,
        store: bool | None = None,
        background: bool | None = None,
        include: Sequence[str] | None = None,
        truncation: str | None = None,
        top_logprobs: int | None = None,
        user: str | None = None,
        service_tier: str | None = None,
        prompt_cache_key: str | None = None,
        safety_identifier: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> responses.Response | AsyncStream[responses.ResponseStreamEvent]: ...

    async def create(
        self,
        *,
        input: str | Sequence[Mapping[str, Any] | Any],
        stream: bool = False,
        text_format: type | None = None,
        model: str | None = None,
        instructions: str | None = None,
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        max_tool_calls: int | None = None,
        text: Mapping[str, Any] | None = None,
        reasoning: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
        previous_response_id: str | None = None,
        store: bool | None = None,
        background: bool | None = None,
        include: Sequence[str] | None = None,
        truncation: str | None = None,
        top_logprobs: int | None = None,
        user: str | None = None,
        service_tier: str | None = None,
        prompt_cache_key: str | None = None,
        safety_identifier: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> (
        responses.Response
        | AsyncStream[responses.ResponseStreamEvent]
        | structured.AsyncParsedResponseStream
    ):
        """Create a model response; ``stream=True`` gives typed events
        (:class:`~infermux.responses.ResponseStreamEvent`) whose ``collect()`` folds them
        into the :class:`~infermux.responses.Response` a plain call returns.

        ``input`` is a string or a list of items (messages, function call outputs, items
        of a previous response); ``text_format=`` a pydantic model asks for JSON matching
        it and sets ``output_parsed`` (streamed: on what ``collect()`` returns). The other
        arguments are OpenAI's; a provider that cannot honour one refuses it before
        sending. ``model="org/id:provider"`` picks a provider through the Hugging Face
        router.
        """
        request, parse_as = build_request(
            input,
            model=model,
            stream=stream,
            text_format=text_format,
            extra_body=extra_body,
            parameters={
                "instructions": instructions,
                "max_output_tokens": max_output_tokens,
                "temperature": temperature,
                "top_p": top_p,
                "tools": tools,
                "tool_choice": tool_choice,
                "parallel_tool_calls": parallel_tool_calls,
                "max_tool_calls": max_tool_calls,
                "text": text,
                "reasoning": reasoning,
                "metadata": metadata,
                "previous_response_id": previous_response_id,
                "store": store,
                "background": background,
                "include": include,
                "truncation": truncation,
                "top_logprobs": top_logprobs,
                "user": user,
                "service_tier": service_tier,
                "prompt_cache_key": prompt_cache_key,
                "safety_identifier": safety_identifier,
            },
        )
        result = await self._client._run(request)
        return finish(result, parse_as)
