"""Reading command input: stdin and input files, with errors that name the path."""

from __future__ import annotations

import sys
from pathlib import Path

from infermux.cli.errors import CLIError

__all__ = ["read_file", "read_stdin", "stdin_is_terminal"]


def stdin_is_terminal() -> bool:
    isatty = getattr(sys.stdin, "isatty", None)
    return bool(isatty and isatty())


def read_stdin(*, binary: bool = False) -> str | bytes:
    """All of stdin, as text or bytes."""
    if binary:
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is not None:
            data: bytes = buffer.read()
            return data
        return sys.stdin.read().encode()
    return sys.stdin.read()


def read_file(path: str, *, binary: bool = False) -> str | bytes:
    """The content of ``path`` (``-`` is stdin); a clear error if it cannot be read."""
    if path == "-":
        return read_stdin(binary=binary)
    target = Path(path).expanduser()
    try:
        return target.read_bytes() if binary else target.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CLIError(f"cannot read input file {path}: no such file") from None
    except IsADirectoryError:
        raise CLIError(f"cannot read input file {path}: it is a directory") from None
    except UnicodeDecodeError:
        raise CLIError(f"cannot read input file {path}: it is not UTF-8 text") from None
    except OSError as exc:
        raise CLIError(f"cannot read input file {path}: {exc.strerror or exc}") from None
