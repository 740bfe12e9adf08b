"""Streamed structured output: the chunks stream as usual, and the collected answer is
parsed into the caller's pydantic model, as openai-python's ``stream(...)`` helpers give
``get_final_completion().choices[0].message.parsed`` and ``get_final_response().output_parsed``.

A :class:`ParsedStream` wraps the client's stream: iterating it yields the same typed
chunks (or events), and it keeps them; ``collect()`` reads the rest, folds every chunk,
the ones already iterated included (as openai-python's ``get_final_completion()`` does),
and validates the answer, so ``message.parsed`` / ``output_parsed`` hold a model instance,
or :class:`~infermux.errors.StructuredOutputError` names every field that failed. A stream
that breaks off raises its :class:`~infermux.errors.StreamError` as ``collect()`` always
does (``exc.chunks`` and ``exc.partial`` keep what came, unparsed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from pydantic import BaseModel

from infermux.assemble import assemble
from infermux.errors import StreamError
from infermux.provenance import attach_response_info
from infermux.responses.types import Response, ResponseStreamEvent
from infermux.streaming import AsyncStream, Stream, _keep_partial
from infermux.structured._parse import ParsedChatCompletionOutput, parse_chat, parse_response
from infermux.types import ChatCompletionStreamOutput

if TYPE_CHECKING:
    from typing import Self

    from infermux.provenance import ResponseInfo

__all__ = [
    "AsyncParsedChatStream",
    "AsyncParsedResponseStream",
    "AsyncParsedStream",
    "ParsedChatStream",
    "ParsedResponseStream",
    "ParsedStream",
    "parse_chat_stream",
    "parse_response_stream",
]

T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)


class ParsedStream(Generic[T, R]):
    """Chunks of type ``T`` as they come; ``collect()`` returns the parsed answer ``R``.

    Example::

        stream = client.chat_completion(messages, model=..., stream=True,
                                        response_format=CalendarEvent)
        for chunk in stream:
            print(chunk.choices[0].delta.content or "", end="")
        event = stream.collect().choices[0].message.parsed  # a CalendarEvent
    """

    def __init__(self, stream: Stream[T], finish: Callable[[Any], R]) -> None:
        self._stream = stream
        self._finish = finish
        self._seen: list[T] = []  # every chunk so far: collect() folds them all

    @property
    def response_info(self) -> ResponseInfo:
        """Which provider answered, the model id sent and the request id."""
        return self._stream.response_info

    @property
    def provider(self) -> str:
        return self._stream.provider

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        item = next(self._stream)
        self._seen.append(item)
        return item

    def collect(self) -> R:
        """Read the rest of the stream, fold every chunk (those already iterated too) and
        parse the answer into the model."""
        try:
            for item in self._stream:
                self._seen.append(item)
        except StreamError as exc:
            _keep_partial(exc, self._seen)
            raise
        folded = attach_response_info(assemble(self._seen), self.response_info)
        return self._finish(folded)

    def close(self) -> None:
        """Close the connection; safe to call more than once."""
        self._stream.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncParsedStream(Generic[T, R]):
    """The async twin of :class:`ParsedStream`: ``async for``, ``await stream.collect()``."""

    def __init__(self, stream: AsyncStream[T], finish: Callable[[Any], R]) -> None:
        self._stream = stream
        self._finish = finish
        self._seen: list[T] = []  # every chunk so far: collect() folds them all

    @property
    def response_info(self) -> ResponseInfo:
        """Which provider answered, the model id sent and the request id."""
        return self._stream.response_info

    @property
    def provider(self) -> str:
        return self._stream.provider

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        item = await self._stream.__anext__()
        self._seen.append(item)
        return item

    async def collect(self) -> R:
        """Read the rest of the stream, fold every chunk (those already iterated too) and
        parse the answer into the model."""
        try:
            async for item in self._stream:
                self._seen.append(item)
        except StreamError as exc:
            _keep_partial(exc, self._seen)
            raise
        folded = attach_response_info(assemble(self._seen), self.response_info)
        return self._finish(folded)

    async def aclose(self) -> None:
        """Close the connection; safe to call more than once."""
        await self._stream.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class ParsedChatStream(
    ParsedStream[ChatCompletionStreamOutput, ParsedChatCompletionOutput[M]], Generic[M]
):
    """A chat stream whose ``collect()`` gives each choice's ``message.parsed`` as an ``M``."""


class AsyncParsedChatStream(
    AsyncParsedStream[ChatCompletionStreamOutput, ParsedChatCompletionOutput[M]], Generic[M]
):
    """The async twin of :class:`ParsedChatStream`."""


class ParsedResponseStream(ParsedStream[ResponseStreamEvent, Response]):
    """A Responses stream whose ``collect()`` gives a ``Response`` with ``output_parsed``."""


class AsyncParsedResponseStream(AsyncParsedStream[ResponseStreamEvent, Response]):
    """The async twin of :class:`ParsedResponseStream`."""


@overload
def parse_chat_stream(
    stream: Stream[ChatCompletionStreamOutput], model: type[M]
) -> ParsedChatStream[M]: ...
@overload
def parse_chat_stream(
    stream: AsyncStream[ChatCompletionStreamOutput], model: type[M]
) -> AsyncParsedChatStream[M]: ...


def parse_chat_stream(stream: Any, model: type[M]) -> Any:
    """A chat stream whose ``collect()`` parses each choice's message into ``model``."""
    finish = partial(parse_chat, model=model)
    if isinstance(stream, AsyncStream):
        return AsyncParsedChatStream(stream, finish)
    return ParsedChatStream(stream, finish)


@overload
def parse_response_stream(
    stream: Stream[ResponseStreamEvent], model: type[BaseModel]
) -> ParsedResponseStream: ...
@overload
def parse_response_stream(
    stream: AsyncStream[ResponseStreamEvent], model: type[BaseModel]
) -> AsyncParsedResponseStream: ...


def parse_response_stream(stream: Any, model: type[BaseModel]) -> Any:
    """A Responses stream whose ``collect()`` sets ``output_parsed`` from ``model``."""
    finish = partial(parse_response, model=model)
    if isinstance(stream, AsyncStream):
        return AsyncParsedResponseStream(stream, finish)
    return ParsedResponseStream(stream, finish)
