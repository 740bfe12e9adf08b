"""Structured output you can use: answers validated into the caller's pydantic model.

Names load lazily (:mod:`infermux.structured._parse` builds pydantic models), so the
clients can name these types in their annotations without importing them at start-up.
Streams too: :mod:`infermux.structured._stream` gives a stream whose ``collect()`` parses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infermux import _lazy_exports

if TYPE_CHECKING:
    from infermux.structured._parse import (
        ParsedChatCompletionOutput,
        ParsedChatCompletionOutputComplete,
        ParsedChatCompletionOutputMessage,
        parse_chat,
        parse_model,
        parse_response,
        parsed_value,
    )
    from infermux.structured._stream import (
        AsyncParsedChatStream,
        AsyncParsedResponseStream,
        AsyncParsedStream,
        ParsedChatStream,
        ParsedResponseStream,
        ParsedStream,
        parse_chat_stream,
        parse_response_stream,
    )

__all__ = [
    "AsyncParsedChatStream",
    "AsyncParsedResponseStream",
    "AsyncParsedStream",
    "ParsedChatCompletionOutput",
    "ParsedChatCompletionOutputComplete",
    "ParsedChatCompletionOutputMessage",
    "ParsedChatStream",
    "ParsedResponseStream",
    "ParsedStream",
    "parse_chat",
    "parse_chat_stream",
    "parse_model",
    "parse_response",
    "parse_response_stream",
    "parsed_value",
]

_STREAMS = (
    "AsyncParsedChatStream",
    "AsyncParsedResponseStream",
    "AsyncParsedStream",
    "ParsedChatStream",
    "ParsedResponseStream",
    "ParsedStream",
    "parse_chat_stream",
    "parse_response_stream",
)
_EXPORTS = {
    name: "infermux.structured._stream" if name in _STREAMS else "infermux.structured._parse"
    for name in __all__
}
__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS)
