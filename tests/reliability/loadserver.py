"""A small, fast asyncio HTTP/1.1 server for the load tests, run as a subprocess.

It serves an OpenAI-compatible ``POST /v1/chat/completions`` and counts what the tests
measure at the server: requests, requests in flight (and their peak), request start
times, open connections and client disconnects. Running in its own process, it shares
neither the GIL, nor the file descriptors, nor the traced memory of the client under test.

The model named in a request chooses the behaviour:

- ``fast``: answer at once; ``slow``: answer after 20 ms;
- ``hold``: never answer (a stream: send its first chunk, then nothing) until the client
  hangs up, which is counted as a disconnect.

A reply echoes the last message's content: ``"echo <content>"`` for a plain call, the
chunks ``<content>``, ``|``, ``done`` for a stream, so every call checks its own answer.

``GET /_stats`` returns the counters as JSON; ``POST /_reset`` zeroes them.

It listens on 127.0.0.1 only, prints ``PORT <n>`` once ready, and stops by itself when its
standard input closes (the test process ended, however it ended) or after
``MAX_LIFETIME`` seconds, whichever comes first.

Run: ``python tests/reliability/loadserver.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import threading
import time
from typing import Any

MAX_LIFETIME = 300.0
HOLD_LIMIT = 20.0  # a held request gives up waiting for the hang-up after this long


class Stats:
    def __init__(self) -> None:
        self.open_connections = 0
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.connections = 0
        self.max_open_connections = self.open_connections
        self.disconnects = 0
        self.starts: list[float] = []
        self.auth: set[str] = set()

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "connections": self.connections,
            # Not counting the connection asking for the stats.
            "open_connections": self.open_connections - 1,
            "max_open_connections": self.max_open_connections,
            "disconnects": self.disconnects,
            "starts": self.starts,
            "auth": sorted(self.auth),
        }


STATS = Stats()


def _head(status: str, content_type: str, length: int | None) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"content-type: {content_type}"]
    lines.append(
        f"content-length: {length}" if length is not None else "transfer-encoding: chunked"
    )
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _json_reply(body: Any, status: str = "200 OK") -> bytes:
    content = json.dumps(body, separators=(",", ":")).encode()
    return _head(status, "application/json", len(content)) + content


def _chat(content: str) -> dict[str, Any]:
    message = {"role": "assistant", "content": content}
    return {
        "id": "c",
        "object": "chat.completion",
        "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
    }


def _chunk(content: str) -> bytes:
    body = {
        "id": "c",
        "object": "chat.completion.chunk",
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
    }
    event = f"data: {json.dumps(body, separators=(',', ':'))}\n\n".encode()
    return f"{len(event):x}\r\n".encode() + event + b"\r\n"


_DONE = b"data: [DONE]\n\n"
_LAST = f"{len(_DONE):x}\r\n".encode() + _DONE + b"\r\n0\r\n\r\n"


async def _wait_for_hang_up(reader: asyncio.StreamReader) -> bool:
    """True once the client hangs up: a FIN, or a reset (a client closing with unread data)."""
    try:
        data = await asyncio.wait_for(reader.read(1), HOLD_LIMIT)
    except TimeoutError:
        return False
    except ConnectionError:
        return True
    return data == b""


async def _chat_completions(
    body: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> bool:
    """Answer one chat call; False when the connection must close."""
    request = json.loads(body)
    content = str(request["messages"][-1]["content"])
    mode = request.get("model", "fast")
    if mode == "slow":
        await asyncio.sleep(0.02)
    if not request.get("stream"):
        if mode == "hold":
            if await _wait_for_hang_up(reader):
                STATS.disconnects += 1
            return False
        writer.write(_json_reply(_chat(f"echo {content}")))
        await writer.drain()
        return True
    writer.write(_head("200 OK", "text/event-stream", None) + _chunk(content))
    if mode == "hold":
        await writer.drain()
        if await _wait_for_hang_up(reader):
            STATS.disconnects += 1
        return False
    writer.write(_chunk("|") + _chunk("done") + _LAST)
    await writer.drain()
    return True


async def _serve_one(
    method: str, path: str, body: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> bool:
    if path == "/_stats":
        writer.write(_json_reply(STATS.as_json()))
        return True
    if path == "/_reset":
        STATS.reset()
        writer.write(_json_reply({"ok": True}))
        return True
    if method == "POST" and path == "/v1/chat/completions":
        STATS.requests += 1
        STATS.starts.append(time.monotonic())
        STATS.in_flight += 1
        STATS.max_in_flight = max(STATS.max_in_flight, STATS.in_flight)
        try:
            return await _chat_completions(body, reader, writer)
        finally:
            STATS.in_flight -= 1
    writer.write(_json_reply({"error": {"message": f"no route {path}"}}, "404 Not Found"))
    return True


async def _connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    STATS.connections += 1
    STATS.open_connections += 1
    STATS.max_open_connections = max(STATS.max_open_connections, STATS.open_connections)
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *lines = head.decode("latin-1").split("\r\n")
            method, path, _ = request_line.split(" ", 2)
            headers = {}
            for line in lines:
                name, sep, value = line.partition(":")
                if sep:
                    headers[name.strip().lower()] = value.strip()
            if "authorization" in headers:
                STATS.auth.add(headers["authorization"])
            length = int(headers.get("content-length") or 0)
            body = await reader.readexactly(length) if length else b""
            if not await _serve_one(method, path, body, reader, writer):
                break
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        STATS.open_connections -= 1
        writer.close()


def _stop_when_stdin_closes(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    sys.stdin.buffer.read()  # returns at EOF: the parent closed the pipe or exited
    loop.call_soon_threadsafe(stop.set)


async def main() -> None:
    stop = asyncio.Event()
    server = await asyncio.start_server(_connection, "127.0.0.1", 0, backlog=2048)
    port = server.sockets[0].getsockname()[1]
    loop = asyncio.get_running_loop()
    threading.Thread(target=_stop_when_stdin_closes, args=(loop, stop), daemon=True).start()
    print(f"PORT {port}", flush=True)
    async with server:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), MAX_LIFETIME)


if __name__ == "__main__":
    asyncio.run(main())
