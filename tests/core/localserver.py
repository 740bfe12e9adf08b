"""A scripted HTTP server on 127.0.0.1 for fault-injection tests.

Each request gets the next queued :class:`Reply` (or what ``responder`` returns). The
server records every request it saw and, for replies that stay open, whether the client
hung up. Every wait is bounded, and ``stop()`` releases any handler still waiting.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: The longest any handler waits for anything; the tests' own timeouts are far shorter.
MAX_WAIT = 60.0


@dataclass
class Reply:
    """What the server answers.

    ``json`` (encoded) or ``body`` is sent with a Content-Length; ``chunks`` are written one
    by one with no length, the end of the body being the end of the connection.
    ``hold_open`` keeps the connection open after the chunks until the client hangs up;
    ``hang`` never answers at all.
    """

    status: int = 200
    json: Any = None
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)
    hold_open: bool = False
    hang: bool = False


@dataclass
class Seen:
    """A request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    client_hung_up: threading.Event = field(default_factory=threading.Event)

    def json(self) -> Any:
        return json.loads(self.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LocalServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-reply is what several tests do on purpose


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: a hang-up is unambiguous

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.owner._handle(self)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET


class LocalServer:
    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.replies: deque[Reply] = deque()
        self.responder: Callable[[Seen], Reply] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=MAX_WAIT)

    def reset(self) -> None:
        with self._lock:
            self.requests = []
            self.replies.clear()
            self.responder = None

    def queue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    # -- request handling (server threads) ---------------------------------------------------

    def _next_reply(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            if self.replies:
                return self.replies.popleft()
        if self.responder is not None:
            return self.responder(seen)
        return Reply(500, json={"error": {"message": f"unexpected request {seen.path}"}})

    def _handle(self, handler: _Handler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length else b""
        seen = Seen(
            handler.command,
            handler.path,
            {k.lower(): v for k, v in handler.headers.items()},
            body,
        )
        reply = self._next_reply(seen)
        connection = handler.connection
        if reply.hang:
            self._wait_for_hang_up(connection, seen)
            return
        try:
            self._write(handler, reply)
        except OSError:
            seen.client_hung_up.set()
            return
        if reply.hold_open:
            self._wait_for_hang_up(connection, seen)

    @staticmethod
    def _write(handler: _Handler, reply: Reply) -> None:
        headers = dict(reply.headers)
        if reply.json is not None:
            content = json.dumps(reply.json).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            content = reply.body.encode() if isinstance(reply.body, str) else reply.body
        handler.send_response(reply.status)
        if reply.chunks:
            headers.setdefault("Content-Type", "text/event-stream")
        else:
            headers["Content-Length"] = str(len(content))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        if reply.chunks:
            for chunk in reply.chunks:
                handler.wfile.write(chunk)
                handler.wfile.flush()
        else:
            handler.wfile.write(content)

    def _wait_for_hang_up(self, connection: socket.socket, seen: Seen) -> None:
        deadline = time.monotonic() + MAX_WAIT
        while not self._stopping.is_set() and time.monotonic() < deadline:
            readable, _, _ = select.select([connection], [], [], 0.02)
            if not readable:
                continue
            try:
                data = connection.recv(4096)
            except OSError:
                data = b""
            if not data:
                seen.client_hung_up.set()
                return


def free_port() -> int:
    """A port on 127.0.0.1 with nothing listening on it (for connection-refused tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
