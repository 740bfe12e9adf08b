"""A sans-I/O server-sent events decoder (WHATWG event-stream rules).

Feed it bytes as they arrive, in chunks of any size; it yields complete events. The sync
and async streams both drive the same decoder, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterator

from infermux.helpers.base import SSEEvent

__all__ = ["SSEDecoder", "is_event_stream"]


def is_event_stream(status_code: int, content_type: str | None) -> bool:
    """Whether an answer to a streaming request is an event stream to iterate: a 2xx whose
    content type is ``text/event-stream`` (or absent). A JSON error, an HTML page or a
    redirect is read whole instead, so it becomes an error rather than a stream that ends
    with no chunks."""
    if not 200 <= status_code < 300:
        return False
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media in ("", "text/event-stream")


class SSEDecoder:
    """Incremental decoder: ``feed(chunk)`` and ``finish()`` yield :class:`SSEEvent`."""

    __slots__ = (
        "_buffer",
        "_data",
        "_event",
        "_id",
        "_pending",
        "_retry",
        "_started",
        "discarded",
    )

    def __init__(self) -> None:
        self._started = False
        self._buffer = b""
        #: Chunks holding no line end, waiting after ``_buffer`` (see ``feed``).
        self._pending: list[bytes] = []
        self._data: list[str] = []
        self._event = ""
        self._id: str | None = None
        self._retry: int | None = None
        #: The data of an incomplete final event that ``finish`` did not dispatch.
        self.discarded: str | None = None

    def feed(self, chunk: bytes) -> Iterator[SSEEvent]:
        """Decode the complete lines in ``chunk`` (plus what was buffered)."""
        no_line_end = b"\n" not in chunk and b"\r" not in chunk
        if no_line_end and self._started and not self._buffer.endswith(b"\r"):
            # Set the chunk aside rather than copy and rescan the whole partial line on
            # every chunk, which made a long event (a base64 image, or a hostile server's
            # endless line) quadratic: 16 MB in 16 KiB chunks took 7 s.
            self._pending.append(chunk)
            return
        if self._pending:
            self._buffer += b"".join(self._pending)
            self._pending = []
        buffer = self._buffer + chunk
        if not self._started:
            if len(buffer) < 3 and b"\xef\xbb\xbf".startswith(buffer):
                self._buffer = buffer  # could still be a byte-order mark: wait for more
                return
            self._started = True
            if buffer.startswith(b"\xef\xbb\xbf"):  # the spec strips one leading BOM
                buffer = buffer[3:]
        if b"\r" not in buffer:
            # The common case, lines ending in \n only: split in C rather than scan per line
            # (a 2,000-event stream is 4,000 lines).
            lines = buffer.split(b"\n")
            self._buffer = lines.pop()
            for line in lines:
                if line.startswith(b"data: "):  # inlined _line() for nearly every line
                    self._data.append(line[6:].decode("utf-8", "replace"))
                    continue
                event = self._line(line)
                if event is not None:
                    yield event
            return
        start = 0
        length = len(buffer)
        while start < length:
            # Lines end with \n, \r\n or a lone \r (which may be split from its \n).
            nl = buffer.find(b"\n", start)
            cr = buffer.find(b"\r", start, nl if nl != -1 else length)
            if cr != -1:
                if cr + 1 == length:
                    break  # a trailing \r may be the first half of \r\n: wait for more
                end, step = cr, 2 if buffer[cr + 1 : cr + 2] == b"\n" else 1
            elif nl != -1:
                end, step = nl, 1
            else:
                break
            event = self._line(buffer[start:end])
            if event is not None:
                yield event
            start = end + step
        self._buffer = buffer[start:]

    def finish(self) -> Iterator[SSEEvent]:
        """End of stream. Per the specification, an event not terminated by a blank line
        is incomplete and is *not* dispatched (a half-written JSON chunk must not reach a
        parser): its data is kept in ``discarded`` instead, so a caller can still recognise
        an end marker such as ``data: [DONE]`` sent without its blank line."""
        if self._pending:
            self._buffer += b"".join(self._pending)
            self._pending = []
        buffer, self._buffer = self._buffer, b""
        if buffer.endswith(b"\r"):
            # A \r at the very end was held back as a possible \r\n: it ends its line.
            event = self._line(buffer[:-1])
            if event is not None:
                yield event
        elif buffer:
            self._line(buffer)  # an unterminated line: read only to report it as discarded
        self.discarded = "\n".join(self._data) if self._data else None
        self._data = []
        self._event = ""

    def _line(self, raw: bytes) -> SSEEvent | None:
        if not raw:
            return self._dispatch()
        if raw.startswith(b"data: "):  # fast path for the line nearly every event is
            self._data.append(raw[6:].decode("utf-8", errors="replace"))
            return None
        line = raw.decode("utf-8", errors="replace")
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> SSEEvent | None:
        if not self._data:
            # Per the spec, an event without data lines is not dispatched.
            self._event = ""
            return None
        data = self._data
        event = SSEEvent(  # positional: a frozen dataclass's __init__ is per-event cost
            data[0] if len(data) == 1 else "\n".join(data),
            self._event or "message",
            self._id,
            self._retry,
        )
        self._data = []
        self._event = ""
        return event
