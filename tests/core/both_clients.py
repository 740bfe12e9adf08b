"""Drive the sync and the async client with one test body.

A test takes the ``kind`` fixture (``"sync"`` or ``"async"``), opens a client with
:func:`open_client` and calls it through :func:`invoke` / :func:`collect`, which await
only what needs awaiting. Sync calls block the event loop, which is fine: the servers
they talk to run in threads of their own.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from infermux import AsyncInferenceClient, InferenceClient

KINDS = ("sync", "async")


@asynccontextmanager
async def open_client(kind: str, **kwargs: Any) -> AsyncIterator[Any]:
    if kind == "sync":
        with InferenceClient(**kwargs) as client:
            yield client
    else:
        async with AsyncInferenceClient(**kwargs) as client:
            yield client


async def run(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a sync or async function the same way."""
    result = function(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


async def invoke(client: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    return await run(getattr(client, method), *args, **kwargs)


async def collect(stream: Any) -> list[Any]:
    if hasattr(stream, "__aiter__"):
        return [item async for item in stream]
    return list(stream)


async def next_item(stream: Any) -> Any:
    if hasattr(stream, "__anext__"):
        return await stream.__anext__()
    return next(stream)


async def close(stream: Any) -> None:
    await run(stream.aclose if hasattr(stream, "aclose") else stream.close)
