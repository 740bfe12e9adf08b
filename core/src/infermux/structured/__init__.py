"""Structured output you can use: answers validated into the caller's pydantic model.

Names load lazily (:mod:`infermux.structured._parse` builds pydantic models), so the
clients can name these types in their annotations without importing them at start-up.
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

__all__ = [
    "ParsedChatCompletionOutput",
    "ParsedChatCompletionOutputComplete",
    "ParsedChatCompletionOutputMessage",
    "parse_chat",
    "parse_model",
    "parse_response",
    "parsed_value",
]


_EXPORTS = dict.fromkeys(__all__, "infermux.structured._parse")
__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS)
