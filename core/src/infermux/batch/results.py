"""What ``client.batch()`` returns: an iterator of output rows (async or sync).

The async client's batch runs on its own event loop and session. The sync client's batch
is a thin wrapper that runs the *same* async runner in a background thread, on an async
client sharing the sync client's engine (settings, registry, model-mapping cache), and
hands rows over through a bounded queue. Why not drive rows with the sync client itself:
a batch is worth running only with many requests in flight, and the sync driver blocks
one request per thread; a thread per in-flight row would duplicate what the event loop
already does well (hundreds of rows in flight on one thread), and the rate limiter, the
429 pause shared by every row and the resume logic would need a second, threaded
implementation. One engine, one runner, two thin fronts.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Iterable,
    Iterator,
    Sequence,
)
from typing import TYPE_CHECKING, Any

from infermux.batch.job import BatchOptions, check_rows, iterate, preflight
from infermux.batch.summary import BatchStats

if TYPE_CHECKING:
    from infermux.client._base import AsyncClientBase

__all__ = ["AsyncBatchResults", "BatchResults"]

_DONE = object()


def _check_now(client: AsyncClientBase | Any, rows: Any, options: BatchOptions) -> bool:
    """A list is checked when ``batch()`` is called: bad rows, duplicate ids and set-up
    errors raise there, before anything is sent."""
    if isinstance(rows, Sequence):
        preflight(client.engine, check_rows(rows, options))
        return True
    return False


class AsyncBatchResults:
    """``async for row in await client.batch(rows)``: output rows as they finish.

    ``stats`` accumulates counts, latencies and tokens (``stats.summary()``).
    """

    def __init__(
        self,
        client: AsyncClientBase,
        rows: Iterable[Any] | AsyncIterable[Any],
        options: BatchOptions,
    ) -> None:
        self.stats = BatchStats(prices=options.prices)
        checked = _check_now(client, rows, options)
        self._rows: AsyncGenerator[dict[str, Any], None] = iterate(
            client, rows, options, stats=self.stats, checked=checked
        )

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self._rows

    async def aclose(self) -> None:
        """Stop: rows in flight are cancelled (call it when leaving the loop early)."""
        await self._rows.aclose()

    async def __aenter__(self) -> AsyncBatchResults:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class BatchResults:
    """``for row in client.batch(rows)``: output rows as they finish (sync client).

    Runs the async runner in a background thread (see the module docstring); ``close()``
    (or leaving a ``with`` block) stops it. ``stats`` as for :class:`AsyncBatchResults`.
    """

    def __init__(self, sync_client: Any, rows: Iterable[Any], options: BatchOptions) -> None:
        self.stats = BatchStats(prices=options.prices)
        self._options = options
        self._engine = sync_client.engine
        self._checked = _check_now(sync_client, rows, options)
        self._rows = rows
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(2, 2 * options.concurrency))
        self._stop = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        self._finished = False

    async def _produce(self) -> None:
        from infermux.client._base import AsyncClientBase

        client = AsyncClientBase(self._engine)
        rows = iterate(client, self._rows, self._options, stats=self.stats, checked=self._checked)
        try:
            # `aclosing`: when close() cancels us while we wait for room in the queue, the
            # rows in flight are cancelled and their connections closed *before* the client
            # closes; left to the loop's shutdown, they would outlive it and leak sockets.
            async with contextlib.aclosing(rows):
                async for row in rows:
                    await self._put(row)
                    if self._stop.is_set():
                        return
        finally:
            await client.aclose()

    async def _put(self, item: Any) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put_nowait(item)
                return
            except queue.Full:
                pass
            # The reader is slower: wait for room in a thread, not on the event loop, a
            # bounded while at a time so a stop is seen. (Not `with queue.not_full` plus
            # `queue.full()`: full() takes the same, non-reentrant lock: a deadlock.)
            with contextlib.suppress(queue.Full):
                await asyncio.to_thread(self._queue.put, item, True, 0.2)
                return

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._task = asyncio.current_task()
            try:
                await self._produce()
            except BaseException as exc:  # handed to the reader, raised there
                self._queue.put(exc)
                return
            self._queue.put(_DONE)

        asyncio.run(main())

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self

    def __next__(self) -> dict[str, Any]:
        if self._finished:
            raise StopIteration
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="infermux-batch", daemon=True)
            self._thread.start()
        item = self._queue.get()
        if item is _DONE:
            self._finish()
            raise StopIteration
        if isinstance(item, BaseException):
            self._finish()
            raise item
        return item  # type: ignore[no-any-return]

    def _finish(self) -> None:
        self._finished = True
        if self._thread is not None:
            self._thread.join()

    def close(self) -> None:
        """Stop the batch: rows in flight are cancelled and the thread ends."""
        if self._finished or self._thread is None:
            self._finished = True
            return
        self._stop.set()
        loop, task = self._loop, self._task
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(task.cancel)
        while self._thread.is_alive():
            # Unblock a producer waiting for room, and swallow what it sent.
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=0.1)
        self._finish()

    def __enter__(self) -> BatchResults:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
