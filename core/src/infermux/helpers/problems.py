"""One way to say that a provider's successful answer has an unexpected shape.

Every helper needs the same error when a 2xx body lacks what the task reads from it: a
:class:`~infermux.errors.ResponseFormatError` that names the provider, the task and what was
missing, and shows the start of the body so the defect is plain. Written by hand in each
plugin, that excerpt was ``str(body)[:200]``: it could cut a multi-byte character in the
middle, dump a whole megabyte into ``str()`` first, and carry a key a provider echoed back
(some echo the request's headers in an error-shaped 200). :func:`unexpected_answer` builds
the error once, for every helper (``TaskProviderHelper.unexpected`` calls it)::

    raise self.unexpected(body, missing="choices[0].text")
    # ResponseFormatError: together text-generation: answer without choices[0].text:
    #   {'object': 'error'}

The excerpt is redacted with the project's one definition of a credential
(:mod:`infermux.secret_patterns`) before it is cut, so a key that straddles the cut is
still found whole.
"""

from __future__ import annotations

from typing import Any

from infermux.errors import ResponseFormatError

__all__ = ["EXCERPT_CHARS", "redact", "safe_excerpt", "unexpected_answer"]

#: How much of a body an unexpected-shape error shows.
EXCERPT_CHARS = 200
#: Read this much more than is shown before redacting, so a credential cut by the
#: excerpt's end is still recognised (and replaced) whole.
_LOOKAHEAD = 256
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with every credential-shaped run (:mod:`infermux.secret_patterns`)
    replaced by ``[redacted]``."""
    # Imported here: the patterns compile on first use, not when a plugin is discovered.
    from infermux.secret_patterns import KEY_SHAPED, SECRET_PATTERNS

    for pattern in (*SECRET_PATTERNS.values(), KEY_SHAPED):
        text = pattern.sub(REDACTED, text)
    return text


def safe_excerpt(body: Any, limit: int = EXCERPT_CHARS) -> str:
    """The start of ``body`` for an error message: at most ``limit`` characters (plus an
    ellipsis when cut), credentials replaced by ``[redacted]``.

    Text and bytes are shown quoted (``repr``), so an empty or blank body is visible;
    decoded JSON (dicts, lists) as Python shows them. Bytes are decoded leniently.
    """
    window = limit + _LOOKAHEAD
    quoted = isinstance(body, str | bytes | bytearray)
    if isinstance(body, bytes | bytearray):
        text = bytes(body[: window * 4]).decode("utf-8", errors="replace")
    elif isinstance(body, str):
        text = body[:window]
    else:
        text = str(body)[:window]
    text = redact(text)
    cut = len(text) > limit
    text = text[:limit]
    shown = repr(text) if quoted else text
    return shown + "..." if cut else shown


def unexpected_answer(
    provider: str,
    task: str,
    body: Any = None,
    *,
    missing: str | None = None,
    problem: str | None = None,
    show_body: bool = True,
) -> ResponseFormatError:
    """The :class:`ResponseFormatError` for a 2xx answer of the wrong shape (return it; the
    caller raises, so type checkers see the raise).

    Name either what is ``missing`` (``"choices[0].text"``; set as the error's ``field``)
    or the ``problem`` in a few words (``"job with an unknown status 'weird'"``). The
    body's start follows, redacted (:func:`safe_excerpt`); ``show_body=False`` leaves it
    out where the problem already says everything.
    """
    if (missing is None) == (problem is None):
        raise TypeError("unexpected_answer() takes exactly one of missing= or problem=")
    detail = f"answer without {missing}" if missing is not None else str(problem)
    message = f"{provider} {task}: {detail}"
    if show_body:
        message += f": {safe_excerpt(body)}"
    return ResponseFormatError(message, provider=provider, task=task, field=missing)
