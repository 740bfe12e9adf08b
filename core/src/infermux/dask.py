"""infermux inside Dask: callables for ``DataFrame.map_partitions`` and
``Bag.map_partitions`` (``infermux[dask]``).

::

    from dask.distributed import Client
    import dask.dataframe as dd
    import infermux.dask

    client = Client()                                     # or your cluster's address
    limit = infermux.dask.SharedRateLimit.start(client, requests_per_minute=600)
    chat = infermux.dask.Chat(provider="together", model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
                              api_key_env="TOGETHER_API_KEY", rate_limit=limit)
    ddf = dd.read_parquet("prompts.parquet")              # columns: custom_id, prompt
    answers = ddf.map_partitions(chat, meta=chat.meta(ddf))  # + response, error_code, error_message
    answers.to_parquet("answers/")

A partition runs on the batch engine (:class:`~infermux.batch.RowRunner`) with up to
``max_in_flight`` requests in flight, and a failed row becomes a row with ``error_code`` and
``error_message`` set. The key is read on the worker from the environment variable named by
``api_key_env`` (set it in the workers' environment); :class:`SharedRateLimit` is a Dask
actor every partition draws leases from. For a Bag of dicts, ``bag.map_partitions(chat)``
gives dicts with the same keys added. Always pass ``meta=`` to a DataFrame's
``map_partitions``: without it Dask would call the callable on made-up rows to guess the
output, and those would be sent. Importing this module imports Dask; ``import infermux``
does not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from infermux.batch.limiter import Grant, LimiterSet
from infermux.scaleout.callables import (
    ChatColumns,
    EmbeddingsColumns,
    ShapedCallable,
    TextToImageColumns,
)
from infermux.scaleout.columns import Batch, add_columns, records
from infermux.scaleout.shared_limit import LimiterService, remote_limiters
from infermux.scaleout.worker import RowWorker

__all__ = ["Chat", "Embeddings", "InferenceBatch", "SharedRateLimit", "TextToImage"]

Rate = float | Mapping[str, float] | None


class _LimiterActor:
    """The Dask actor holding a :class:`LimiterService`. Every method is a coroutine, so
    Dask runs them all on the hosting worker's event loop (the limiters are not
    thread-safe)."""

    def __init__(self, requests_per_minute: Rate, tokens_per_minute: Rate) -> None:
        self.service = LimiterService(requests_per_minute, tokens_per_minute)

    async def acquire(self, provider: str, tokens: int) -> Grant:
        return await self.service.acquire(provider, tokens)

    async def on_rate_limited(self, provider: str, grant: Grant, retry_after: float | None) -> None:
        self.service.on_rate_limited(provider, grant, retry_after)

    async def on_success(self, provider: str, grant: Grant, headers: Any) -> None:
        self.service.on_success(provider, grant, headers)

    async def correct_tokens(self, provider: str, grant: Grant, used: int) -> None:
        self.service.correct_tokens(provider, grant, used)

    async def snapshot(self) -> dict[str, dict[str, Any]]:
        return self.service.snapshot()


class SharedRateLimit:
    """A rate limit for the whole Dask cluster, held by one actor on one worker.

    Start it from the client (:meth:`start`) and pass it to a callable (``rate_limit=``);
    what travels to the tasks is the actor's handle (its address), never its state.
    """

    def __init__(self, actor: Any) -> None:
        self.actor = actor

    @classmethod
    def start(
        cls,
        client: Any,
        requests_per_minute: Rate = None,
        tokens_per_minute: Rate = None,
    ) -> SharedRateLimit:
        """Start the actor on ``client``'s cluster (a ``dask.distributed.Client``)."""
        LimiterSet(requests_per_minute, tokens_per_minute)  # a bad limit fails here
        future = client.submit(
            _LimiterActor, requests_per_minute, tokens_per_minute, actor=True, pure=False
        )
        return cls(future.result())

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Per provider: leases handed out, 429s reported, the rates in force now."""
        return dict(self.actor.snapshot().result())

    def __repr__(self) -> str:
        return f"SharedRateLimit({self.actor!r})"


class _DaskTransport:
    """A partition's way to the actor. Dask's actor futures are waited on in threads of
    the partition's own pool, so waiting for a lease never blocks the partition's loop."""

    def __init__(self, actor: Any, pool: ThreadPoolExecutor) -> None:
        self._actor = actor
        self._pool = pool

    async def acquire(self, provider: str, tokens: int) -> Grant:
        future = self._actor.acquire(provider, tokens)
        grant: Grant = await asyncio.get_running_loop().run_in_executor(self._pool, future.result)
        return grant

    def report(self, method: str, *args: Any) -> None:
        getattr(self._actor, method)(*args)  # sent now; its answer is not waited for


class InferenceBatch(ShapedCallable):
    """For ``map_partitions``: rows in the batch runner's format (columns ``custom_id``,
    ``method``, ``url``, ``body`` or ``custom_id``, ``task``, ``inputs``, ``parameters``,
    ``provider``, ``model``); adds ``response`` (the answer's body as JSON),
    ``status_code``, ``infermux`` (as JSON), ``error_code`` and ``error_message``.

    Keyword arguments: the client settings of :class:`~infermux.scaleout.worker.WorkerSpec`
    (``provider``, ``model``, ``api_key_env``, ``base_url``, ``routing``, ``timeout``,
    ``max_retries``, ``endpoints``, ``max_in_flight``, ``media_dir``), plus
    ``rate_limit`` (a :class:`SharedRateLimit`) and ``id_column`` (default ``custom_id``).
    """

    limit_type = SharedRateLimit

    def meta(self, frame: Any) -> Any:
        """The (empty) output frame for ``frame`` (a Dask DataFrame or its ``_meta``): pass
        it as ``map_partitions(..., meta=...)``."""
        empty = getattr(frame, "_meta", frame)
        return add_columns(empty, {name: [] for name in self.shape.output_columns})

    def __call__(self, partition: Batch) -> Batch:
        """The partition with the answers' columns added; failed rows have their error set."""
        rows = self.shape.rows(records(partition))
        outputs = asyncio.run(self._run(rows)) if rows else []
        return add_columns(partition, self.shape.columns(outputs))

    async def _run(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # One client per partition: a task runs in a worker thread with no loop of its own.
        with ThreadPoolExecutor(max_workers=self.spec.max_in_flight + 1) as pool:
            factory = None
            if self.rate_limit is not None:
                factory = remote_limiters(_DaskTransport(self.rate_limit.actor, pool))
            worker = RowWorker(self.spec, factory)
            try:
                return await worker.run(rows)
            finally:
                await worker.aclose()


class Chat(ChatColumns, InferenceBatch):
    __doc__ = ChatColumns.__doc__


class Embeddings(EmbeddingsColumns, InferenceBatch):
    __doc__ = EmbeddingsColumns.__doc__


class TextToImage(TextToImageColumns, InferenceBatch):
    __doc__ = TextToImageColumns.__doc__
