"""A text stream wrapper that redacts secrets from everything written through it."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TextIO

__all__ = ["RedactingStream"]


class RedactingStream(io.TextIOBase):
    """Writes to ``target`` with ``redact`` applied; the rest is the target's."""

    def __init__(self, target: TextIO, redact: Callable[[str], str]) -> None:
        super().__init__()
        self._target = target
        self._redact = redact

    def write(self, text: str) -> int:
        self._target.write(self._redact(text))
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        return self._target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", None) or "utf-8"

    def writable(self) -> bool:
        return True
