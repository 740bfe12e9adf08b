"""A sync httpcore2 network backend whose every socket operation ends by a deadline.

httpx2's timeouts bound each read, not an exchange: a server dripping one byte every
quarter second holds a call for ever, in the headers as in the body. The sync client
cannot cancel a blocked read from outside, so the bound goes where the waiting happens:
this backend wraps httpcore2's own and caps the timeout of every connect, read and write
at the time left before :data:`ATTEMPT_DEADLINE` (a ``time.monotonic()`` instant, set by
``SyncHTTP`` around each attempt and by a stream around each read). With no deadline set
it is httpcore2's backend unchanged. The async transports bound an attempt with
``asyncio.timeout`` instead.
"""

from __future__ import annotations

import contextvars
import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpcore2
from httpcore2 import NetworkBackend, NetworkStream

__all__ = ["ATTEMPT_DEADLINE", "DeadlineBackend", "capped", "use_deadline_backend"]

#: When the current attempt (or stream event) must be over, on ``time.monotonic()``.
ATTEMPT_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "infermux_attempt_deadline", default=None
)


def capped(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` capped at the time left before the deadline; ``error`` if none is left."""
    deadline = ATTEMPT_DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the attempt's time ran out")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(NetworkStream):
    """A connection whose reads and writes end by the deadline."""

    def __init__(self, stream: NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, capped(timeout, httpcore2.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, capped(timeout, httpcore2.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> NetworkStream:
        stream = self._stream.start_tls(
            ssl_context, server_hostname, capped(timeout, httpcore2.ConnectTimeout)
        )
        return DeadlineStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(NetworkBackend):
    """Wraps a sync backend (httpcore2's by default) so connections honour the deadline."""

    def __init__(self, backend: NetworkBackend | None = None) -> None:
        self._backend = backend if backend is not None else httpcore2.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, capped(timeout, httpcore2.ConnectTimeout), local_address, socket_options
        )
        return DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> NetworkStream:
        stream = self._backend.connect_unix_socket(
            path, capped(timeout, httpcore2.ConnectTimeout), socket_options
        )
        return DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def use_deadline_backend(client: Any) -> bool:
    """Put a :class:`DeadlineBackend` under every connection pool of an ``httpx2.Client``
    infermux created (as ``asyncio_network.use_asyncio_backend`` does for async clients).
    Returns whether it could (httpx2 keeps the pool on a private attribute)."""
    transports = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    switched = False
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is not None and not isinstance(backend, DeadlineBackend):
            pool._network_backend = DeadlineBackend(backend)  # type: ignore[union-attr]
            switched = True
    return switched
