"""Typed iterators over server-sent event streams, sync and async.

Both drive the same :class:`~infermux.transport.sse.SSEDecoder` and the helper's
``parse_stream_event``. The connection is closed when the stream ends, on ``close()`` /
``aclose()``, on leaving a ``with`` block, or when an abandoned stream is collected.

Bounds (see docs/guide/limits.md): the wait for the next event, from the moment the
caller asks for it, is at most ``event_timeout`` (bytes that complete no event, such as
comment lines, do not reset it); the whole stream ends by the call's ``total_timeout``
deadline; one event may hold at most ``max_event_bytes``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from infermux.errors import ResponseTooLargeError, StreamError, StreamTruncatedError
from infermux.helpers.base import SSEEvent
from infermux.provenance import ResponseInfo, attach_response_info
from infermux.transport.sse import SSEDecoder

if TYPE_CHECKING:
    import asyncio

    from infermux.responses.types import Response, ResponseStreamEvent
    from infermux.types import (
        ChatCompletionOutput,
        ChatCompletionStreamOutput,
        TextGenerationOutput,
        TextGenerationStreamOutput,
    )

__all__ = ["AsyncStream", "Stream"]

T = TypeVar("T")

_DONE = "[DONE]"

_PENDING_CLOSES: set[asyncio.Task[None]] = set()  # asyncio: imported only by async callers


def _check_end(
    marker: str | None, discarded: str | None, delivered: int, info: ResponseInfo
) -> None:
    """Raise :class:`StreamTruncatedError` for a stream that ended (the connection closed)
    without the end marker its provider always sends. The chunks that came were delivered
    already; this says the answer may be cut short rather than letting it pass as whole."""
    if marker is None or (discarded is not None and discarded.strip() == marker):
        return  # no marker to expect, or the marker came without its blank line
    half = " (an incomplete final event was discarded)" if discarded is not None else ""
    raise StreamTruncatedError(
        f"the stream ended without {marker!r} after {delivered} chunk(s){half}: the "
        f"connection closed early, so the answer may be incomplete (model {info.model!r})",
        provider=info.provider,
    )


def _keep_partial(exc: StreamError, items: list[Any]) -> None:
    """Nothing received is lost when ``collect()`` fails: the error keeps the chunks
    (``exc.chunks``) and, where they assemble, the output so far (``exc.partial``)."""
    from infermux.assemble import assemble

    exc.chunks = items
    try:
        exc.partial = assemble(items) if items else None
    except Exception:  # chunks of a shape assemble() does not know: the list is kept
        exc.partial = None


class _EventBounds:
    """The time and size bounds of one stream's events (shared by both stream classes)."""

    __slots__ = ("_deadline", "_event_timeout", "_handle", "_max_bytes", "_since_event")

    def __init__(
        self,
        handle: Any,
        event_timeout: float | None,
        deadline: float | None,
        max_bytes: int | None,
    ) -> None:
        self._handle = handle
        self._event_timeout = event_timeout
        self._deadline = deadline
        self._max_bytes = max_bytes
        self._since_event = 0

    def arm(self) -> None:
        """The next event is due within ``event_timeout`` from now (and by the deadline):
        called when the caller asks for the next item and after each event."""
        due = self._deadline
        if self._event_timeout is not None:
            next_due = time.monotonic() + self._event_timeout
            due = next_due if due is None else min(due, next_due)
        if hasattr(self._handle, "deadline"):
            self._handle.deadline = due

    def fed(self, size: int) -> None:
        self._since_event += size
        if self._max_bytes is not None and self._since_event > self._max_bytes:
            head = getattr(self._handle, "head", None)
            url = getattr(head, "url", "") or ""
            raise ResponseTooLargeError(
                f"A stream event from {url[:200] or 'the provider'} is larger than "
                f"max_event_bytes={self._max_bytes:,} bytes; reading stopped there. Raise "
                "max_event_bytes on the client if events are expected to be this large.",
                limit=self._max_bytes,
                what="stream event",
                url=url or None,
            )

    def event(self) -> None:
        self._since_event = 0
        self.arm()


def _with_info(
    parse: Callable[[SSEEvent], T | None], info: ResponseInfo
) -> Callable[[SSEEvent], T | None]:
    """``parse`` whose typed chunks carry the stream's ``response_info``, as every other
    result does (chunks that cannot hold it, plain dicts, pass unchanged)."""

    def parse_with_info(event: SSEEvent) -> T | None:
        item = parse(event)
        setter = getattr(item, "_set_response_info", None)
        if setter is not None:
            setter(info)
        return item

    return parse_with_info


class Stream(Generic[T]):
    """Iterate typed chunks: ``for chunk in client.chat_completion(..., stream=True)``."""

    def __init__(
        self,
        handle: Any,
        parse: Callable[[SSEEvent], T | None],
        info: ResponseInfo,
        *,
        event_timeout: float | None = None,
        deadline: float | None = None,
        max_event_bytes: int | None = None,
        end_marker: str | None = None,
    ) -> None:
        self._handle = handle
        self._bounds = _EventBounds(handle, event_timeout, deadline, max_event_bytes)
        self._parse = _with_info(parse, info)
        #: The data of the event the provider always ends with (``[DONE]``), if it has one.
        self._end_marker = end_marker
        #: Which provider answered, the model id sent and the request id.
        self.response_info = info
        self.provider = info.provider
        self._closed = False
        self._iterator = self._events()

    def __iter__(self) -> Iterator[T]:
        return self._iterator

    def __next__(self) -> T:
        return next(self._iterator)

    def _events(self) -> Iterator[T]:
        decoder = SSEDecoder()
        parse = self._parse
        bounds = self._bounds
        delivered = 0
        try:
            bounds.arm()
            for chunk in self._handle.iter_bytes():
                bounds.fed(len(chunk))
                for event in decoder.feed(chunk):
                    bounds.event()
                    if event.data == _DONE:
                        return
                    item = parse(event)
                    if item is not None:
                        delivered += 1
                        yield item
                        bounds.arm()  # the caller asks for the next one now
            for event in decoder.finish():
                if event.data == _DONE:
                    return
                item = parse(event)
                if item is not None:
                    delivered += 1
                    yield item
            _check_end(self._end_marker, decoder.discarded, delivered, self.response_info)
        finally:
            self.close()

    # What collect() folds each kind of stream into, for type checkers (one body below).
    @overload
    def collect(self: Stream[ChatCompletionStreamOutput]) -> ChatCompletionOutput: ...
    @overload
    def collect(self: Stream[TextGenerationStreamOutput]) -> TextGenerationOutput: ...
    @overload
    def collect(self: Stream[ResponseStreamEvent]) -> Response: ...
    @overload
    def collect(self) -> Any: ...

    def collect(self) -> Any:
        """Consume the rest of the stream and return it as one output: a chat stream gives
        a ``ChatCompletionOutput`` (tool-call fragments joined), a text-generation stream a
        ``TextGenerationOutput``, a Responses stream a ``Response``, any other stream the
        list of its items. The result carries the stream's ``response_info``. If the stream
        fails (:class:`~infermux.errors.StreamError`, e.g. truncated), the error carries
        what came: ``exc.chunks`` and ``exc.partial`` (the assembled output so far)."""
        from infermux.assemble import assemble

        items: list[T] = []
        try:
            for item in self:
                items.append(item)
        except StreamError as exc:
            _keep_partial(exc, items)
            raise
        return attach_response_info(assemble(items), self.response_info)

    def close(self) -> None:
        """Close the connection; safe to call more than once."""
        if not self._closed:
            self._closed = True
            self._handle.close()

    def __enter__(self) -> Stream[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            self.close()


class AsyncStream(Generic[T]):
    """Iterate typed chunks: ``async for chunk in await client.chat_completion(...)``."""

    def __init__(
        self,
        handle: Any,
        parse: Callable[[SSEEvent], T | None],
        info: ResponseInfo,
        *,
        event_timeout: float | None = None,
        deadline: float | None = None,
        max_event_bytes: int | None = None,
        end_marker: str | None = None,
    ) -> None:
        self._handle = handle
        self._bounds = _EventBounds(handle, event_timeout, deadline, max_event_bytes)
        self._parse = _with_info(parse, info)
        #: The data of the event the provider always ends with (``[DONE]``), if it has one.
        self._end_marker = end_marker
        #: Which provider answered, the model id sent and the request id.
        self.response_info = info
        self.provider = info.provider
        self._closed = False
        self._iterator = self._events()

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterator

    async def __anext__(self) -> T:
        return await self._iterator.__anext__()

    async def _events(self) -> AsyncIterator[T]:
        decoder = SSEDecoder()
        parse = self._parse
        bounds = self._bounds
        delivered = 0
        try:
            bounds.arm()
            async for chunk in self._handle.aiter_bytes():
                bounds.fed(len(chunk))
                for event in decoder.feed(chunk):
                    bounds.event()
                    if event.data == _DONE:
                        return
                    item = parse(event)
                    if item is not None:
                        delivered += 1
                        yield item
                        bounds.arm()  # the caller asks for the next one now
            for event in decoder.finish():
                if event.data == _DONE:
                    return
                item = parse(event)
                if item is not None:
                    delivered += 1
                    yield item
            _check_end(self._end_marker, decoder.discarded, delivered, self.response_info)
        finally:
            await self.aclose()

    @overload
    async def collect(self: AsyncStream[ChatCompletionStreamOutput]) -> ChatCompletionOutput: ...
    @overload
    async def collect(self: AsyncStream[TextGenerationStreamOutput]) -> TextGenerationOutput: ...
    @overload
    async def collect(self: AsyncStream[ResponseStreamEvent]) -> Response: ...
    @overload
    async def collect(self) -> Any: ...

    async def collect(self) -> Any:
        """Consume the rest of the stream and return it as one output (see ``Stream.collect``)."""
        from infermux.assemble import assemble

        items: list[T] = []
        try:
            async for item in self:
                items.append(item)
        except StreamError as exc:
            _keep_partial(exc, items)
            raise
        return attach_response_info(assemble(items), self.response_info)

    async def aclose(self) -> None:
        """Close the connection; safe to call more than once."""
        if not self._closed:
            self._closed = True
            await self._handle.aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # An abandoned async stream cannot await its own close: schedule it on the loop.
        if getattr(self, "_closed", True):
            return
        # Not imported at the top (the sync client never needs asyncio); an async stream
        # only ever exists where asyncio is loaded already.
        asyncio = sys.modules.get("asyncio")
        if asyncio is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self.aclose())
        _PENDING_CLOSES.add(task)  # keep it alive until done (the loop holds weak refs only)
        task.add_done_callback(_PENDING_CLOSES.discard)
