"""Size and time bounds on reading an answer. Pure: no I/O, no sleeping.

- :class:`SizeLimits`: the caps a client applies (a whole body, a media download, one
  server-sent event), configurable with ``max_response_bytes``, ``max_media_bytes`` and
  ``max_event_bytes``.
- :class:`BoundedDecoder`: undoes ``Content-Encoding`` (gzip, deflate) a slice at a time
  with ``zlib``'s ``max_length``, so a gzip bomb is stopped at the cap instead of being
  inflated in memory first; the library's own decoders inflate a whole network chunk
  (up to a thousand times its size) at once.
- :func:`too_large` builds the typed error, keeping only a short excerpt of the body.

The transports (``http.py``, ``aiohttp.py``) read raw bytes through these, so every
transport enforces the same bounds.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from infermux.errors import RequestTimeoutError, ResponseFormatError, ResponseTooLargeError

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_LIMITS",
    "ERROR_BODY_BYTES",
    "EXCERPT_BYTES",
    "BodyCollector",
    "BoundedDecoder",
    "SizeLimits",
    "attempt_timed_out",
    "body_decoder",
    "time_left",
    "too_large",
]

MiB = 1024 * 1024

#: What infermux asks servers for: the encodings it can undo with a cap.
ACCEPT_ENCODING = "gzip, deflate"
#: How much of a body an error keeps (the rest is dropped as it is read).
EXCERPT_BYTES = 512
#: Decoded bytes produced per step: the most a bomb can add beyond the cap.
SLICE = 64 * 1024

_MEDIA_TYPES = ("image/", "audio/", "video/", "application/octet-stream")


@dataclass(frozen=True, slots=True)
class SizeLimits:
    """Byte caps on what a client reads. ``body``: any answer read whole (JSON, text,
    an image a provider answers with directly is ``media``); ``media``: an answer whose
    content type is an image, audio, video or octet stream (downloads of outputs);
    ``event``: one server-sent event of a stream."""

    body: int = 64 * MiB
    media: int = 1024 * MiB
    event: int = 16 * MiB

    def for_content_type(self, content_type: str) -> tuple[int, str]:
        """The cap for an answer of ``content_type`` and the name of the setting."""
        if content_type.lower().lstrip().startswith(_MEDIA_TYPES):
            return self.media, "max_media_bytes"
        return self.body, "max_response_bytes"


DEFAULT_LIMITS = SizeLimits()


def too_large(
    what: str, limit: int, url: str, excerpt: bytes, setting: str
) -> ResponseTooLargeError:
    """The error for a body or event over its cap (never retried)."""
    return ResponseTooLargeError(
        f"The answer from {url[:200]} is larger than {setting}={limit:,} bytes ({what}); "
        f"reading stopped there. Raise {setting} on the client if the answer is expected "
        "to be this large.",
        limit=limit,
        what=what,
        url=url,
        excerpt=excerpt[:EXCERPT_BYTES],
    )


class BoundedDecoder:
    """Decodes a body's ``Content-Encoding`` a slice at a time and counts what it yields.

    ``feed(raw)`` yields decoded pieces of at most :data:`SLICE` bytes; once more than
    ``limit`` decoded bytes came out it raises :class:`ResponseTooLargeError` (``limit``
    None: no cap, for streams, whose events are capped one by one instead).
    """

    __slots__ = (
        "_decoder",
        "_encoding",
        "_excerpt",
        "_limit",
        "_raw",
        "_setting",
        "_url",
        "total",
    )

    def __init__(
        self, encoding: str, limit: int | None, url: str, setting: str = "max_response_bytes"
    ) -> None:
        # As httpx2 does, codings it cannot undo are ignored (a server's "chunked" there is a
        # known mistake); infermux only asks for gzip and deflate. More than one is refused.
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c in ("gzip", "x-gzip", "deflate")]
        if len(codings) > 1:
            raise ResponseFormatError(
                f"{url[:200]} answered with Content-Encoding {encoding!r}: infermux decodes "
                f"one of {ACCEPT_ENCODING}, not a stack of them"
            )
        self._encoding = codings[0] if codings else ""
        self._decoder = self._new_decoder()
        self._limit = limit
        self._setting = setting
        self._url = url
        self._excerpt = b""
        self._raw = False
        #: Decoded bytes produced so far.
        self.total = 0

    def _new_decoder(self) -> zlib._Decompress | None:
        if self._encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self._encoding == "deflate":
            return zlib.decompressobj(zlib.MAX_WBITS)
        return None

    def _count(self, piece: bytes) -> bytes:
        self.total += len(piece)
        if len(self._excerpt) < EXCERPT_BYTES:
            self._excerpt += piece[: EXCERPT_BYTES - len(self._excerpt)]
        if self._limit is not None and self.total > self._limit:
            what = "decompressed body" if self._encoding else "body"
            raise too_large(what, self._limit, self._url, self._excerpt, self._setting)
        return piece

    def feed(self, data: bytes) -> Iterator[bytes]:
        decoder = self._decoder
        if decoder is None:
            if data:
                yield self._count(data)
            return
        while True:
            try:
                piece = decoder.decompress(data, SLICE)
            except zlib.error as exc:
                if self._encoding == "deflate" and self.total == 0 and not self._raw:
                    # Servers send raw deflate as "deflate" too (as httpx2 allows).
                    self._raw = True
                    self._decoder = decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise ResponseFormatError(
                    f"{self._url[:200]} sent a body that is not valid {self._encoding}: {exc}"
                ) from None
            if piece:
                yield self._count(piece)
            data = decoder.unconsumed_tail
            if decoder.eof:
                rest = decoder.unused_data
                if not rest or self._encoding == "deflate":
                    return
                self._decoder = decoder = self._new_decoder()
                assert decoder is not None  # another gzip member follows
                data = rest
                continue
            if not data and len(piece) < SLICE:
                return  # all input used and no output held back

    def finish(self) -> Iterator[bytes]:
        decoder = self._decoder
        if decoder is not None:
            piece = decoder.flush()
            if piece:
                yield self._count(piece)


def attempt_timed_out(url: str, timeout: float | None) -> RequestTimeoutError:
    """An attempt (or the wait for a stream's next event) outlived its time in total."""
    return RequestTimeoutError(
        f"Timed out talking to {urlsplit(url).hostname or url[:200]}: no complete answer "
        f"within timeout={timeout:g}s"
        if timeout is not None
        else f"Timed out talking to {urlsplit(url).hostname or url[:200]}",
        url=url,
    )


#: An error answer is read up to this much; the rest is dropped (errors keep excerpts).
ERROR_BODY_BYTES = 16 * 1024


def body_decoder(
    headers: Mapping[str, str],
    status: int,
    limits: SizeLimits,
    url: str,
    encoding: str | None = None,
) -> tuple[BoundedDecoder, int]:
    """The decoder for a body, and how much of it to keep (-1: all, under the cap; an
    error answer: its first ERROR_BODY_BYTES only). ``encoding``: the Content-Encoding
    still to undo (default: the header's)."""
    if encoding is None:
        encoding = headers.get("content-encoding", "")
    limit, setting = limits.for_content_type(headers.get("content-type", ""))
    length = headers.get("content-length", "")
    if status < 400 and length.isdigit() and int(length) > limit and not encoding:
        raise too_large(f"Content-Length {int(length):,}", limit, url, b"", setting)
    if status >= 400:
        return BoundedDecoder(encoding, None, url), ERROR_BODY_BYTES
    return BoundedDecoder(encoding, limit, url, setting), -1


class BodyCollector:
    """Collects decoded pieces; an error answer keeps only its first ERROR_BODY_BYTES."""

    __slots__ = ("keep", "parts", "size")

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, pieces: Iterable[bytes]) -> bool:
        """Add pieces; False once an error's excerpt is complete (stop reading)."""
        for piece in pieces:
            if self.keep >= 0 and self.size + len(piece) >= self.keep:
                self.parts.append(piece[: self.keep - self.size])
                self.size = self.keep
                return False
            self.parts.append(piece)
            self.size += len(piece)
        return True

    def content(self) -> bytes:
        return b"".join(self.parts)


def time_left(deadline: float | None) -> float | None:
    """Seconds left before a ``time.monotonic()`` deadline (None: no deadline)."""
    return None if deadline is None else max(0.0, deadline - time.monotonic())
