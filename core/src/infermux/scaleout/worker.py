"""One worker's share of a distributed batch: a client, the batch engine's row runner, and
at most ``max_in_flight`` rows in flight at once.

What travels to a worker (pickled by Ray or Dask) is a :class:`WorkerSpec`: names and
numbers, never a key. The key is read in the worker, when its client is made, from the
environment variable the spec *names* (set on the workers through Ray's ``runtime_env`` or
the Dask workers' environment), so no pickled object, task graph or log holds it.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infermux.batch.limiter import LimiterSet, RateLimiter
from infermux.batch.runner import RowRunner
from infermux.errors import InvalidInputError, MissingAPIKeyError

__all__ = ["RowWorker", "WorkerSpec"]

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ENDPOINT_KEYS = frozenset({"name", "base_url", "api_key_env", "tasks", "routes", "models"})


def _check_endpoint(endpoint: Any) -> dict[str, Any]:
    if not isinstance(endpoint, Mapping) or "name" not in endpoint or "base_url" not in endpoint:
        raise InvalidInputError(
            "an endpoint is a dict like register_openai_compatible's arguments: "
            "{'name': ..., 'base_url': ..., 'api_key_env': ..., 'tasks': [...]}, got "
            f"{endpoint!r}"
        )
    unknown = sorted(set(endpoint) - _ENDPOINT_KEYS)
    if unknown:
        raise InvalidInputError(
            f"unknown endpoint keys {unknown}; an endpoint takes "
            f"{', '.join(sorted(_ENDPOINT_KEYS))} (headers are not sent to workers: a "
            "header may hold a secret)"
        )
    return dict(endpoint)


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a worker needs to make its client; safe to pickle (no key inside).

    Args:
        provider, model: the defaults of rows that do not name their own.
        api_key_env: the NAME of the environment variable holding the key on the workers
            (default: the provider's conventional variable, as the client reads it).
        base_url, routing, timeout, max_retries: the client's settings.
        endpoints: OpenAI-compatible in-house endpoints to register in each worker
            (``register_openai_compatible``'s arguments as dicts).
        max_in_flight: rows in flight at once in one worker, across all its batches.
        media_dir: where binary outputs are written (a path every worker can reach).
    """

    provider: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    base_url: str | None = None
    routing: str = "auto"
    timeout: float | None = 120.0
    max_retries: int = 2
    endpoints: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)
    max_in_flight: int = 8
    media_dir: str | None = None

    def __post_init__(self) -> None:
        if self.api_key_env is not None and (
            not isinstance(self.api_key_env, str) or not _ENV_NAME.match(self.api_key_env)
        ):
            raise InvalidInputError(
                "api_key_env is the NAME of an environment variable (like 'OPENAI_API_KEY'), "
                "set on the workers through runtime_env or their environment; got something "
                "else (keys are never passed as values to a distributed worker)"
            )
        n = self.max_in_flight
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InvalidInputError(f"max_in_flight must be an int >= 1, got {n!r}")
        object.__setattr__(self, "endpoints", tuple(_check_endpoint(e) for e in self.endpoints))

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, Any]) -> WorkerSpec:
        """A spec from a callable's keyword arguments; refuses a key given as a value."""
        for name in ("api_key", "token"):
            if name in kwargs:
                raise InvalidInputError(
                    f"{name}= would be pickled into every worker; pass api_key_env='VARIABLE' "
                    "(the variable's name) and set the variable on the workers, e.g. "
                    "runtime_env={'env_vars': {'VARIABLE': ...}} with Ray"
                )
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise InvalidInputError(
                f"unknown arguments {unknown}; the client settings are {', '.join(sorted(known))}"
            )
        spec = dict(kwargs)
        spec["endpoints"] = tuple(spec.get("endpoints") or ())
        return cls(**spec)

    def read_key(self) -> str | None:
        """The key from the named variable, in the worker; None when no name was given."""
        if self.api_key_env is None:
            return None
        value = os.environ.get(self.api_key_env)
        if not value:
            raise MissingAPIKeyError(
                self.provider or "",
                f"environment variable {self.api_key_env} is not set on this worker; set it "
                "through Ray's runtime_env={'env_vars': {...}} or the Dask workers' "
                "environment",
            )
        return value


class RowWorker:
    """One worker's client and row runner; made in the worker, never pickled.

    ``limiter_factory`` makes each provider's limiter (a shared one's proxy); without it the
    worker limits itself, unlimited until a 429 says otherwise.
    """

    def __init__(
        self, spec: WorkerSpec, limiter_factory: Callable[[str], RateLimiter] | None = None
    ) -> None:
        self.spec = spec
        self._key = spec.read_key()  # fails here, in the worker's constructor, when unset
        self._limiter_factory = limiter_factory
        self._register_endpoints()
        self._client: Any = None
        self._runner: RowRunner | None = None
        self._slots: asyncio.Semaphore | None = None

    def _register_endpoints(self) -> None:
        from infermux.endpoints import register_openai_compatible

        for endpoint in self.spec.endpoints:
            register_openai_compatible(**endpoint, replace=True)

    def _ensure(self) -> RowRunner:
        # Made on first use, on the loop that runs the rows (the HTTP client binds to it).
        if self._runner is None:
            from infermux.client.async_client import AsyncInferenceClient

            spec = self.spec
            self._client = AsyncInferenceClient(
                provider=spec.provider,
                model=spec.model,
                api_key=self._key,
                base_url=spec.base_url,
                routing=spec.routing,
                timeout=spec.timeout,
                max_retries=spec.max_retries,
            )
            self._key = None  # the client holds it now; nothing else here should
            limiters = LimiterSet(factory=self._limiter_factory) if self._limiter_factory else None
            self._runner = RowRunner(
                self._client,
                limiters=limiters,
                provider=spec.provider,
                model=spec.model,
                media_dir=Path(spec.media_dir) if spec.media_dir else None,
            )
            self._slots = asyncio.Semaphore(spec.max_in_flight)
        return self._runner

    async def run(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Output rows for ``rows``, in order; at most ``max_in_flight`` in flight for this
        worker (however many batches run at once). A row's failure is its error row."""
        runner = self._ensure()
        slots = self._slots
        assert slots is not None

        async def one(row: Mapping[str, Any]) -> dict[str, Any]:
            async with slots:
                return await runner.run_row(row)

        return list(await asyncio.gather(*(one(r) for r in rows)))

    @property
    def stats(self) -> Any:
        """This worker's :class:`~infermux.batch.BatchStats` (None before the first row)."""
        return None if self._runner is None else self._runner.stats

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        self._client, self._runner, self._slots = None, None, None
