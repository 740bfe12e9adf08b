"""infermux: one client for every hosted inference provider.

    from infermux import InferenceClient

    client = InferenceClient(provider="together")
    out = client.chat_completion([{"role": "user", "content": "Hi"}], model="...")
    print(out.choices[0].message.content)

``import infermux`` is light: names load on first use, and no plugin is discovered until a
client (or the registry) needs one.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from infermux.client.async_client import AsyncInferenceClient
    from infermux.client.sync_client import InferenceClient
    from infermux.clock import Clock
    from infermux.endpoints import register_openai_compatible, register_provider
    from infermux.engine import CancelToken, JobProgress
    from infermux.errors import (
        InfermuxError,
        InvalidInputError,
        ProviderHTTPError,
    )
    from infermux.helpers.base import TaskProviderHelper
    from infermux.hookspecs import hookimpl
    from infermux.media import AudioOutput, ImageOutput, VideoOutput
    from infermux.provenance import ResponseInfo, response_info
    from infermux.provider import Provider
    from infermux.streaming import AsyncStream, Stream
    from infermux.transport.retry import RetryPolicy

# Public name -> module defining it. Resolved lazily by __getattr__.
_EXPORTS: dict[str, str] = {
    "AsyncInferenceClient": "infermux.client.async_client",
    "AsyncStream": "infermux.streaming",
    "AudioOutput": "infermux.media",
    "CancelToken": "infermux.engine",
    "Clock": "infermux.clock",
    "ImageOutput": "infermux.media",
    "InferenceClient": "infermux.client.sync_client",
    "InfermuxError": "infermux.errors",
    "InvalidInputError": "infermux.errors",
    "JobProgress": "infermux.engine",
    "Provider": "infermux.provider",
    "ProviderHTTPError": "infermux.errors",
    "ResponseInfo": "infermux.provenance",
    "RetryPolicy": "infermux.transport.retry",
    "Stream": "infermux.streaming",
    "TaskProviderHelper": "infermux.helpers.base",
    "VideoOutput": "infermux.media",
    "hookimpl": "infermux.hookspecs",
    "register_openai_compatible": "infermux.endpoints",
    "register_provider": "infermux.endpoints",
    "response_info": "infermux.provenance",
}

__all__ = [
    "AsyncInferenceClient",
    "AsyncStream",
    "AudioOutput",
    "CancelToken",
    "Clock",
    "ImageOutput",
    "InferenceClient",
    "InfermuxError",
    "InvalidInputError",
    "JobProgress",
    "Provider",
    "ProviderHTTPError",
    "ResponseInfo",
    "RetryPolicy",
    "Stream",
    "TaskProviderHelper",
    "VideoOutput",
    "__version__",
    "hookimpl",
    "register_openai_compatible",
    "register_provider",
    "response_info",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'infermux' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # cache: later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
