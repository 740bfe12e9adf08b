"""A hostile HTTP server on 127.0.0.1 for the bounds tests: it writes raw bytes, slowly,
endlessly or compressed, as a scripted ``behaviour(connection, request)`` decides.

Every behaviour is bounded: it stops at the first write that fails (the client hung up),
when the server stops, or after :data:`MAX_SECONDS`. Tests assert their calls end far
sooner than that, so a bound that does not hold fails the test instead of hanging it.
"""

from __future__ import annotations

import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

#: The longest any behaviour goes on; every test's bound is far shorter.
MAX_SECONDS = 30.0


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Behaviour = Callable[["Writer", Request], None]


@dataclass
class Writer:
    """Writes to one connection; every method returns False once the client is gone."""

    conn: socket.socket
    stopping: threading.Event
    started: float = field(default_factory=time.monotonic)

    def alive(self) -> bool:
        return not self.stopping.is_set() and time.monotonic() - self.started < MAX_SECONDS

    def send(self, data: bytes) -> bool:
        if not self.alive():
            return False
        try:
            self.conn.sendall(data)
        except OSError:
            return False
        return True

    def drip(self, data: bytes, every: float = 0.25) -> bool:
        """One byte every ``every`` seconds (a stop or a hang-up ends it at once)."""
        for index in range(len(data)):
            if not self.send(data[index : index + 1]) or self.stopping.wait(every):
                return False
        return True

    def forever(self, chunks: Iterator[bytes]) -> None:
        for chunk in chunks:
            if not self.send(chunk):
                return


def head(status: int = 200, **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status} X"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def gzip_bomb(decompressed: int) -> bytes:
    """Gzip of ``decompressed`` zero bytes (about a thousandth of that on the wire)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(decompressed // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


class HostileServer:
    """``server.behaviour = f``; ``server.url``; ``server.requests`` lists what came."""

    def __init__(self) -> None:
        self.behaviour: Behaviour = lambda writer, request: None
        self.requests: list[Request] = []
        self._stopping = threading.Event()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(256)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            request = _read_request(conn)
            if request is None:
                return
            self.requests.append(request)
            self.behaviour(Writer(conn, self._stopping), request)

    def stop(self) -> None:
        self._stopping.set()
        self._accepting.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()


def _read_request(conn: socket.socket) -> Request | None:
    conn.settimeout(5)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            piece = conn.recv(65536)
            if not piece:
                return None
            data += piece
        header_block, _, body = data.partition(b"\r\n\r\n")
        lines = header_block.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        while len(body) < length:
            piece = conn.recv(65536)
            if not piece:
                break
            body += piece
    except (OSError, ValueError):
        return None
    conn.settimeout(5)  # a client that stops reading ends a write within 5 s
    return Request(method, path, headers, body)
