"""infermux inside Ray Data: callable classes for ``Dataset.map_batches`` (``infermux[ray]``).

::

    import ray
    import infermux.ray

    ds = ray.data.read_parquet("prompts.parquet")          # columns: custom_id, prompt
    ds = ds.map_batches(
        infermux.ray.Chat,
        fn_constructor_kwargs={
            "provider": "together", "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "api_key_env": "TOGETHER_API_KEY", "max_in_flight": 16,
            "rate_limit": infermux.ray.SharedRateLimit(requests_per_minute=600),
        },
        concurrency=4,                                     # four workers
        runtime_env={"env_vars": {"TOGETHER_API_KEY": os.environ["TOGETHER_API_KEY"]}},
    )
    ds.write_parquet("answers/")                           # + response, error_code, error_message

Each worker runs its rows on the batch engine (:class:`~infermux.batch.RowRunner`): up to
``max_in_flight`` requests in flight per worker, the client's routing, retries and job
polling for each row, and a failed row becomes a row with ``error_code`` and
``error_message`` set: the dataset never aborts on a row. Keys travel by the *name* of an
environment variable; :class:`SharedRateLimit` is one named actor that every worker draws
leases from, so a limit (and a 429) holds across the cluster. Importing this module
imports Ray; ``import infermux`` does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ray

from infermux.batch.limiter import Grant, LimiterSet
from infermux.errors import InvalidInputError
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
    """The Ray actor holding a :class:`LimiterService`. Every method is async, so all of
    them run on the actor's one event loop (the limiters are not thread-safe)."""

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
    """A rate limit for the whole cluster, held by one named Ray actor.

    Pass it to a callable (``rate_limit=``); the first worker to need it starts the actor
    (``get_if_exists``: every other worker finds the same one by name). The actor is
    detached so that it outlives the worker that started it; :meth:`close` ends it.

    Args:
        requests_per_minute, tokens_per_minute: one number for every provider, or
            ``{provider: number}``; None: unlimited until a 429 says otherwise.
        name: limits with different names are independent.
        namespace: the Ray namespace of the actor.
    """

    def __init__(
        self,
        requests_per_minute: Rate = None,
        tokens_per_minute: Rate = None,
        *,
        name: str = "default",
        namespace: str = "infermux",
    ) -> None:
        LimiterSet(requests_per_minute, tokens_per_minute)  # a bad limit fails here, not later
        if not isinstance(name, str) or not name:
            raise InvalidInputError(f"name must be a non-empty string, got {name!r}")
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.name = name
        self.namespace = namespace

    @property
    def actor_name(self) -> str:
        return f"infermux-rate-limit-{self.name}"

    def actor(self) -> Any:
        """The actor's handle (started on first use)."""
        cls = ray.remote(num_cpus=0, max_restarts=-1)(_LimiterActor)
        return cls.options(
            name=self.actor_name,
            namespace=self.namespace,
            get_if_exists=True,
            lifetime="detached",
        ).remote(self.requests_per_minute, self.tokens_per_minute)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Per provider: leases handed out, 429s reported, the rates in force now."""
        return dict(ray.get(self.actor().snapshot.remote()))

    def close(self) -> None:
        """End the actor (a later use starts a fresh one)."""
        try:
            handle = ray.get_actor(self.actor_name, namespace=self.namespace)
        except ValueError:
            return
        ray.kill(handle)

    def __repr__(self) -> str:
        return (
            f"SharedRateLimit(requests_per_minute={self.requests_per_minute!r}, "
            f"tokens_per_minute={self.tokens_per_minute!r}, name={self.name!r})"
        )


class _RayTransport:
    """How a worker reaches the limit actor: an awaited acquire, reports not waited for."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    async def acquire(self, provider: str, tokens: int) -> Grant:
        grant: Grant = await self._handle.acquire.remote(provider, tokens)
        return grant

    def report(self, method: str, *args: Any) -> None:
        getattr(self._handle, method).remote(*args)


class InferenceBatch(ShapedCallable):
    """For ``map_batches``: rows in the batch runner's format (columns ``custom_id``,
    ``method``, ``url``, ``body`` or ``custom_id``, ``task``, ``inputs``, ``parameters``,
    ``provider``, ``model``); adds ``response`` (the answer's body as JSON),
    ``status_code``, ``infermux`` (provider, model, attempts, latency, usage as JSON),
    ``error_code`` and ``error_message``.

    Keyword arguments: the client settings of :class:`~infermux.scaleout.worker.WorkerSpec`
    (``provider``, ``model``, ``api_key_env``, ``base_url``, ``routing``, ``timeout``,
    ``max_retries``, ``endpoints``, ``max_in_flight``, ``media_dir``), plus
    ``rate_limit`` (a :class:`SharedRateLimit`) and ``id_column`` (default ``custom_id``).
    """

    limit_type = SharedRateLimit

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._worker: RowWorker | None = None

    def _ensure(self) -> RowWorker:
        if self._worker is None:
            factory = None
            if self.rate_limit is not None:
                factory = remote_limiters(_RayTransport(self.rate_limit.actor()))
            self._worker = RowWorker(self.spec, factory)
        return self._worker

    async def __call__(self, batch: Batch) -> Batch:
        """The batch with the answers' columns added; a failed row has its error columns set."""
        worker = self._ensure()
        outputs = await worker.run(self.shape.rows(records(batch)))
        return add_columns(batch, self.shape.columns(outputs))

    def __getstate__(self) -> dict[str, Any]:
        # The client and its key stay in the worker that made them.
        return {**self.__dict__, "_worker": None}


class Chat(ChatColumns, InferenceBatch):
    __doc__ = ChatColumns.__doc__


class Embeddings(EmbeddingsColumns, InferenceBatch):
    __doc__ = EmbeddingsColumns.__doc__


class TextToImage(TextToImageColumns, InferenceBatch):
    __doc__ = TextToImageColumns.__doc__
