"""Typed iterators over server-sent event streams, sync and async.

Both drive the same :class:`~infermux.transport.sse.SSEDecoder` and the helper's
``parse_stream_event``. The connection is closed when the stream ends, on ``close()`` /
``aclose()``, on leaving a ``with`` block, or when an abandoned stream is collected.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from infermux.helpers.base import SSEEvent
from infermux.provenance import ResponseInfo
from infermux.transport.sse import SSEDecoder

if TYPE_CHECKING:
    import asyncio

__all__ = ["AsyncStream", "Stream"]

T = TypeVar("T")

_DONE = "[DONE]"

_PENDING_CLOSES: set[asyncio.Task[None]] = set()  # asyncio: imported only by async callers


class Stream(Generic[T]):
    """Iterate typed chunks: ``for chunk in client.chat_completion(..., stream=True)``."""

    def __init__(
        self, handle: Any, parse: Callable[[SSEEvent], T | None], info: ResponseInfo
    ) -> None:
        self._handle = handle
        self._parse = parse
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
        try:
            for chunk in self._handle.iter_bytes():
                for event in decoder.feed(chunk):
                    if event.data == _DONE:
                        return
                    item = parse(event)
                    if item is not None:
                        yield item
            for event in decoder.finish():
                if event.data == _DONE:
                    return
                item = parse(event)
                if item is not None:
                    yield item
        finally:
            self.close()

    def collect(self) -> Any:
        """Consume the rest of the stream and return it as one output: a chat stream gives
        a ``ChatCompletionOutput`` (tool-call fragments joined), a text-generation stream a
        ``TextGenerationOutput``, any other stream the list of its items."""
        from infermux.assemble import assemble

        return assemble(list(self))

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
        self, handle: Any, parse: Callable[[SSEEvent], T | None], info: ResponseInfo
    ) -> None:
        self._handle = handle
        self._parse = parse
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
        try:
            async for chunk in self._handle.aiter_bytes():
                for event in decoder.feed(chunk):
                    if event.data == _DONE:
                        return
                    item = parse(event)
                    if item is not None:
                        yield item
            for event in decoder.finish():
                if event.data == _DONE:
                    return
                item = parse(event)
                if item is not None:
                    yield item
        finally:
            await self.aclose()

    async def collect(self) -> Any:
        """Consume the rest of the stream and return it as one output (see ``Stream.collect``)."""
        from infermux.assemble import assemble

        return assemble([item async for item in self])

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
