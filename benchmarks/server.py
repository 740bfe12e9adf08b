"""A small, fast OpenAI-compatible server for the benchmarks (stdlib asyncio only).

Serves ``POST /v1/chat/completions``: a plain JSON chat completion, or, when the body asks
for ``"stream": true``, an SSE stream of ``--chunks`` chat-completion chunks followed by
``data: [DONE]`` (one HTTP chunk per event, as real servers flush them). Every response is
precomputed, so the server spends microseconds per request and the clients' own cost is
what the benchmarks see. HTTP/1.1 keep-alive; ``GET /health`` answers 200.

It stops itself: after ``--max-seconds``, on ``POST /shutdown``, or when its standard input
closes (the benchmark runner holds the other end), so it never outlives a run.

    python benchmarks/server.py --port 0      # prints "PORT <n>" once listening
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import sys
import threading
import time

MODEL = "bench-model"
_STREAM_TRUE = re.compile(rb'"stream"\s*:\s*true')


def chat_completion_body() -> bytes:
    """A typical non-streaming answer (an OpenAI-style object with usage)."""
    return json.dumps(
        {
            "id": "chatcmpl-bench-0001",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": MODEL,
            "system_fingerprint": "fp_bench",
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": "The quick brown fox jumps over the lazy dog. " * 3,
                    },
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 24, "completion_tokens": 30, "total_tokens": 54},
        },
        separators=(",", ":"),
    ).encode()


def stream_events(chunks: int) -> list[bytes]:
    """``chunks`` chat-completion-chunk events (role first, finish last) plus ``[DONE]``."""
    events = []
    for index in range(chunks):
        delta: dict[str, object] = {"content": f" tok{index}"}
        if index == 0:
            delta = {"role": "assistant", "content": ""}
        chunk = {
            "id": "chatcmpl-bench-0001",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": MODEL,
            "system_fingerprint": "fp_bench",
            "choices": [
                {
                    "index": 0,
                    "delta": delta,
                    "logprobs": None,
                    "finish_reason": "stop" if index == chunks - 1 else None,
                }
            ],
        }
        events.append(b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n")
    events.append(b"data: [DONE]\n\n")
    return events


def _response(status: str, body: bytes, content_type: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status.encode() + b"\r\n"
        b"content-type: " + content_type + b"\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n"
        b"x-request-id: req-bench\r\n"
        b"connection: keep-alive\r\n\r\n" + body
    )


def _stream_response(events: list[bytes]) -> bytes:
    head = (
        b"HTTP/1.1 200 OK\r\n"
        b"content-type: text/event-stream\r\n"
        b"cache-control: no-cache\r\n"
        b"x-request-id: req-bench\r\n"
        b"transfer-encoding: chunked\r\n"
        b"connection: keep-alive\r\n\r\n"
    )
    framed = b"".join(b"%x\r\n%s\r\n" % (len(event), event) for event in events)
    return head + framed + b"0\r\n\r\n"


class Responses:
    """Every answer, built once."""

    def __init__(self, chunks: int) -> None:
        self.chat = _response("200 OK", chat_completion_body(), b"application/json")
        self.stream = _stream_response(stream_events(chunks))
        self.health = _response("200 OK", b'{"ok":true}', b"application/json")
        self.not_found = _response("404 Not Found", b'{"error":"not found"}', b"application/json")


class HTTPProtocol(asyncio.Protocol):
    """Minimal HTTP/1.1: request line, headers, a Content-Length body, keep-alive."""

    def __init__(self, responses: Responses, stop: asyncio.Event) -> None:
        self.responses = responses
        self.stop = stop
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end == -1:
                return
            head = self.buffer[:end]
            length = 0
            lower = head.lower()
            at = lower.find(b"\r\ncontent-length:")
            if at != -1:
                stop = lower.find(b"\r\n", at + 2)
                length = int(lower[at + 17 : stop if stop != -1 else None].strip())
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            self.handle(head.split(b" ", 2), body)

    def handle(self, request_line: list[bytes], body: bytes) -> None:
        assert self.transport is not None
        method, path = request_line[0], request_line[1] if len(request_line) > 1 else b""
        if method == b"POST" and path.endswith(b"/chat/completions"):
            stream = _STREAM_TRUE.search(body) is not None
            self.transport.write(self.responses.stream if stream else self.responses.chat)
        elif path == b"/health":
            self.transport.write(self.responses.health)
        elif method == b"POST" and path == b"/shutdown":
            self.transport.write(self.responses.health)
            self.stop.set()
        else:
            self.transport.write(self.responses.not_found)


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """Stop when the parent closes our standard input (or dies)."""
    with contextlib.suppress(Exception):
        while sys.stdin.buffer.read(1):
            pass
    loop.call_soon_threadsafe(stop.set)


async def serve(host: str, port: int, chunks: int, max_seconds: float, watch_stdin: bool) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    responses = Responses(chunks)
    server = await loop.create_server(
        lambda: HTTPProtocol(responses, stop), host, port, backlog=1024, reuse_address=True
    )
    bound = server.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    if watch_stdin:
        threading.Thread(target=_watch_stdin, args=(loop, stop), daemon=True).start()
    started = time.monotonic()
    async with server:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max_seconds)
    print(f"stopped after {time.monotonic() - started:.1f}s", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--chunks", type=int, default=2000, help="events per streamed answer")
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="stop after this")
    parser.add_argument(
        "--no-stdin-watch", action="store_true", help="do not stop when stdin closes"
    )
    args = parser.parse_args(argv)
    if args.host not in {"127.0.0.1", "localhost", "::1"}:
        parser.error("the benchmark server only listens on the loopback interface")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(args.host, args.port, args.chunks, args.max_seconds, not args.no_stdin_watch)
        )
    os._exit(0)  # the stdin watcher thread may still be blocked in read()


if __name__ == "__main__":
    main()
