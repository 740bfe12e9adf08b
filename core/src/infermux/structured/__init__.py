"""Structured output you can use: answers validated into the caller's pydantic model.

Names load lazily (:mod:`infermux.structured._parse` builds pydantic models), so the
clients can name these types in their annotations without importing them at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module("infermux.structured._parse"), name)
    globals()[name] = value
    return value
