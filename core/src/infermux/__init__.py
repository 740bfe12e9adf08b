"""infermux: one client for every hosted inference provider.

    from infermux import InferenceClient

    client = InferenceClient(provider="together")
    out = client.chat_completion([{"role": "user", "content": "Hi"}], model="...")
    print(out.choices[0].message.content)

``import infermux`` is light: names load on first use, and no plugin is discovered until a
client (or the registry) needs one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # `X as X`: re-exported names (what type checkers see)
    from infermux.client.async_client import AsyncInferenceClient as AsyncInferenceClient
    from infermux.client.sync_client import InferenceClient as InferenceClient
    from infermux.clock import Clock as Clock
    from infermux.endpoints import register_openai_compatible as register_openai_compatible
    from infermux.endpoints import register_provider as register_provider
    from infermux.engine import CancelToken as CancelToken
    from infermux.engine import JobProgress as JobProgress
    from infermux.errors import InfermuxError as InfermuxError
    from infermux.errors import InvalidInputError as InvalidInputError
    from infermux.errors import ProviderHTTPError as ProviderHTTPError
    from infermux.helpers.base import TaskProviderHelper as TaskProviderHelper
    from infermux.hookspecs import hookimpl as hookimpl
    from infermux.media import AudioOutput as AudioOutput
    from infermux.media import DepthMap as DepthMap
    from infermux.media import ImageOutput as ImageOutput
    from infermux.media import VideoOutput as VideoOutput
    from infermux.provenance import ResponseInfo as ResponseInfo
    from infermux.provenance import response_info as response_info
    from infermux.provider import Provider as Provider
    from infermux.streaming import AsyncStream as AsyncStream
    from infermux.streaming import Stream as Stream
    from infermux.transport.retry import RetryPolicy as RetryPolicy

# Public name -> module defining it. Resolved lazily by __getattr__.
_EXPORTS: dict[str, str] = {
    "AsyncInferenceClient": "infermux.client.async_client",
    "AsyncStream": "infermux.streaming",
    "AudioOutput": "infermux.media",
    "CancelToken": "infermux.engine",
    "DepthMap": "infermux.media",
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

#: The public names: the export table's, plus the version (derived, so the two cannot drift;
#: tests/test_exports.py checks the table against the TYPE_CHECKING imports above).
__all__ = sorted([*_EXPORTS, "__version__"])


def _lazy_exports(
    module: str, exports: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The one lazy-import idiom of infermux's packages: ``__getattr__, __dir__ =
    _lazy_exports(__name__, _EXPORTS)``, with ``_EXPORTS`` mapping each public name to the
    module defining it (``__all__`` derived from it). A name is imported on first access
    and cached in the package, so later lookups skip ``__getattr__``."""

    def __getattr__(name: str) -> Any:
        source = exports.get(name)
        if source is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(import_module(source), name)
        vars(sys.modules[module])[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[module])) | set(exports))

    return __getattr__, __dir__


__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS)
