"""Every place infermux relies on a private API of Python or httpx2, in one module.

Each is a speed trick with a plain fallback, and each has a canary in
``tests/core/test_upstream.py`` that fails when an upstream release changes what it relies
on (so the trick is noticed and revisited, rather than silently falling back):

- :func:`environ_data`: the dict under ``os.environ`` (CPython's ``_Environ._data``) and its
  key encoder. ``os.environ.get`` of an unset name raises and catches a ``KeyError`` inside;
  the routing code asks for several unset names per call, and reading the dict is ~10x
  cheaper. Fallback: ``os.environ.get``.
- :func:`transport_router`: httpx2's ``Client._transport_for_url`` (the pool or proxy mount
  for a URL), so a client infermux owns can send straight through its transport instead of
  ``Client.send``'s auth, redirect and hook layers (a tenth of a request's CPU). Fallback:
  ``Client.send``.
- :func:`set_network_backend`: the ``_network_backend`` of httpcore2's connection pools
  under an ``httpx2.AsyncClient`` (``_transport._pool``, and each proxy mount's), where the
  async client puts its asyncio network backend. Fallback: httpcore2's own anyio backend.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

__all__ = ["environ_data", "set_network_backend", "transport_router"]


def environ_data() -> tuple[dict[Any, Any], Callable[[str], Any]] | None:
    """The dict holding ``os.environ``'s (encoded) entries and the function encoding a name
    as its keys are, or None where the interpreter keeps them otherwise."""
    data = getattr(os.environ, "_data", None)
    encode = getattr(os.environ, "encodekey", None)
    if not isinstance(data, dict) or not callable(encode):
        return None
    return data, encode


def transport_router(client: Any) -> Callable[[Any], Any] | None:
    """``client._transport_for_url`` (URL -> the transport that would send it), or None."""
    router = getattr(client, "_transport_for_url", None)
    return router if callable(router) else None


def set_network_backend(client: Any, backend: Any) -> bool:
    """Put ``backend`` under every connection pool of an ``httpx2.AsyncClient`` (its own
    transport and any proxy mounts). Returns whether any pool took it."""
    transports = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    switched = False
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if pool is not None and hasattr(pool, "_network_backend"):
            pool._network_backend = backend
            switched = True
    return switched
