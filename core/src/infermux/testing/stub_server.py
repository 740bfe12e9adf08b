"""An OpenAI-compatible stub server for your own tests: rate limits, latency, faults.

It listens on 127.0.0.1 only, on a port of its own, and serves ``/v1/chat/completions``,
``/v1/completions``, ``/v1/embeddings`` and ``/v1/images/generations`` with deterministic
answers (a chat answer echoes the last message; ``usage`` counts about 4 characters per
token). It enforces requests- and tokens-per-minute limits the way providers do (a token
bucket holding ``burst_seconds`` of the budget; a 429 with ``Retry-After`` when empty),
and counts everything it receives, so a test can check what a client really sent::

    from infermux import AsyncInferenceClient
    from infermux.endpoints import register_openai_compatible
    from infermux.testing.stub_server import StubServer

    with StubServer(requests_per_minute=600, faults={"boom": 500}) as stub:
        register_openai_compatible("stub", base_url=stub.url,
                                   tasks=["conversational", "feature-extraction"])
        ...  # run the client against provider="stub"
        assert stub.stats.rate_limited == 0

Options: ``latency`` (seconds before each answer), ``faults`` (a substring of the request
body -> the status answered every time it appears, e.g. ``{"fail-400": 400}``, or a
function of the decoded body returning a status or None), ``rate_limit_headers`` (send
OpenAI's ``x-ratelimit-*`` headers). ``clock`` makes the limits testable without waiting.

It runs in a background thread (``start()`` / ``stop()``, or ``with``), in process without
sockets (``mock_transport()``, an ``httpx2.MockTransport``), or as a process:
``python -m infermux.testing.stub_server --requests-per-minute 600`` prints ``PORT <n>``
and stops when its standard input closes.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import math
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["StubReply", "StubServer", "StubStats", "main"]

#: A 1x1 PNG, the answer to every image request.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

Faults = Mapping[str, int] | Callable[[Any], int | None]


@dataclass
class StubStats:
    """What the stub received and answered."""

    requests: int = 0
    rate_limited: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    by_path: Counter[str] = field(default_factory=Counter)
    #: How many times each distinct request body was received.
    bodies: Counter[str] = field(default_factory=Counter)
    #: (time, tokens used) of every request answered 2xx, for windowed rate checks.
    served: list[tuple[float, int]] = field(default_factory=list)
    #: (time, status) of every request received, in order.
    log: list[tuple[float, int]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "rate_limited": self.rate_limited,
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "by_path": dict(self.by_path),
            "max_in_flight": self.max_in_flight,
        }


class _Bucket:
    """A token bucket: ``rate`` per second, holding at most ``capacity``."""

    def __init__(self, per_minute: float, burst_seconds: float, clock: Callable[[], float]):
        self.rate = per_minute / 60
        self.capacity = max(1.0, self.rate * burst_seconds)
        self.level = self.capacity
        self.clock = clock
        self.at = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.level = min(self.capacity, self.level + (now - self.at) * self.rate)
        self.at = now

    def wait_for(self, amount: float) -> float:
        """Seconds until ``amount`` fits (0: it fits now). A request larger than the
        bucket is let through when the bucket is full (it goes into debt)."""
        self._refill()
        need = min(amount, self.capacity)
        # A hair of tolerance: a client pacing exactly at the limit must not be refused
        # for a float rounding in this bucket's arithmetic.
        return 0.0 if self.level >= need - 1e-6 else (need - self.level) / self.rate

    def take(self, amount: float) -> None:
        self.level -= amount


def _tokens(text: str) -> int:
    return max(1, (len(text) + 3) // 4)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return " ".join(_text(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return ""


def _chat(body: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    messages = body.get("messages") or [{}]
    last = messages[-1].get("content", "") if isinstance(messages[-1], Mapping) else ""
    answer = f"echo {_text(last)}"
    prompt, completion = _tokens(_text(messages)), _tokens(answer)
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "model": body.get("model", "stub"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }, prompt + completion


def _completion(body: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    prompt = _text(body.get("prompt", ""))
    answer = f" echo {prompt}"
    used = _tokens(prompt) + _tokens(answer)
    return {
        "id": "cmpl-stub",
        "object": "text_completion",
        "model": body.get("model", "stub"),
        "choices": [{"index": 0, "text": answer, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": _tokens(prompt),
            "completion_tokens": _tokens(answer),
            "total_tokens": used,
        },
    }, used


def _embeddings(body: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    texts = body.get("input", "")
    texts = [texts] if isinstance(texts, str) else list(texts)
    data = [
        {"object": "embedding", "index": i, "embedding": [float(len(t)), float(i), 1.0]}
        for i, t in enumerate(texts)
    ]
    used = sum(_tokens(_text(t)) for t in texts)
    return {
        "object": "list",
        "data": data,
        "model": body.get("model", "stub"),
        "usage": {"prompt_tokens": used, "total_tokens": used},
    }, used


def _image(body: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    return {"created": 0, "data": [{"b64_json": base64.b64encode(_PNG).decode()}]}, 1


_ROUTES: dict[str, Callable[[Mapping[str, Any]], tuple[dict[str, Any], int]]] = {
    "/v1/chat/completions": _chat,
    "/v1/completions": _completion,
    "/v1/embeddings": _embeddings,
    "/v1/images/generations": _image,
}


@dataclass(frozen=True, slots=True)
class StubReply:
    """One answer: status, headers and the JSON body's bytes."""

    status: int
    headers: dict[str, str]
    content: bytes

    def to_http(self) -> bytes:
        """The answer as HTTP/1.1 bytes."""
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests"}
        lines = [
            f"HTTP/1.1 {self.status} {reason.get(self.status, 'Error')}",
            f"content-length: {len(self.content)}",
            *(f"{k}: {v}" for k, v in self.headers.items()),
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.content


def _reply(status: int, body: Any, headers: Mapping[str, str] | None = None) -> StubReply:
    content = json.dumps(body, separators=(",", ":")).encode()
    all_headers = {
        "content-type": "application/json",
        "x-request-id": f"stub-{status}",
        **(headers or {}),
    }
    return StubReply(status, all_headers, content)


class StubServer:
    """The stub; see the module docstring. ``url`` is its OpenAI-style base URL (``/v1``)."""

    def __init__(
        self,
        *,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        burst_seconds: float = 1.0,
        latency: float = 0.0,
        faults: Faults | None = None,
        rate_limit_headers: bool = False,
        clock: Callable[[], float] = time.monotonic,
        max_lifetime: float = 600.0,
    ) -> None:
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.latency = latency
        self.faults = faults
        self.rate_limit_headers = rate_limit_headers
        self.clock = clock
        self.max_lifetime = max_lifetime
        self._requests = (
            _Bucket(requests_per_minute, burst_seconds, clock) if requests_per_minute else None
        )
        self._tokens = (
            _Bucket(tokens_per_minute, burst_seconds, clock) if tokens_per_minute else None
        )
        self.stats = StubStats()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def reset(self) -> None:
        """Zero the counters (limits keep their state)."""
        with self._lock:
            self.stats = StubStats()

    # -- answering ---------------------------------------------------------------------------

    def _fault(self, raw: bytes, body: Any) -> int | None:
        if self.faults is None:
            return None
        if callable(self.faults):
            return self.faults(body)
        text = raw.decode("utf-8", "replace")
        for marker, status in self.faults.items():
            if marker in text:
                return status
        return None

    def _limit_headers(self) -> dict[str, str]:
        headers = {}
        if self.rate_limit_headers and self._requests is not None:
            headers["x-ratelimit-limit-requests"] = str(int(self.requests_per_minute or 0))
            headers["x-ratelimit-remaining-requests"] = str(max(0, int(self._requests.level)))
        if self.rate_limit_headers and self._tokens is not None:
            headers["x-ratelimit-limit-tokens"] = str(int(self.tokens_per_minute or 0))
            headers["x-ratelimit-remaining-tokens"] = str(max(0, int(self._tokens.level)))
        return headers

    def answer(self, method: str, path: str, raw: bytes) -> StubReply:
        """The answer to one request (sans-I/O: the socket code is elsewhere), so tests can
        also drive the stub without sockets, e.g. from an ``httpx2.MockTransport``."""
        route = _ROUTES.get(path)
        if method != "POST" or route is None:
            return _reply(404, {"error": {"message": f"no route {method} {path}"}})
        with self._lock:
            now = self.clock()
            stats = self.stats
            stats.requests += 1
            stats.by_path[path] += 1
            stats.bodies[raw.decode("utf-8", "replace")] += 1
            try:
                body = json.loads(raw)
            except ValueError:
                stats.by_status[400] += 1
                stats.log.append((now, 400))
                return _reply(400, {"error": {"message": "body is not JSON"}})
            fault = self._fault(raw, body)
            if fault is not None:
                stats.by_status[fault] += 1
                stats.log.append((now, fault))
                message = {"error": {"message": f"injected fault {fault}", "type": "stub"}}
                return _reply(fault, message)
            payload, used = route(body)
            wait = 0.0
            if self._requests is not None:
                wait = self._requests.wait_for(1)
            if self._tokens is not None:
                wait = max(wait, self._tokens.wait_for(used))
            if wait > 0:
                stats.rate_limited += 1
                stats.by_status[429] += 1
                stats.log.append((now, 429))
                retry = max(0.001, wait)
                headers = {
                    "retry-after": str(math.ceil(retry)),
                    "retry-after-ms": str(math.ceil(retry * 1000)),
                    **self._limit_headers(),
                }
                error = {"error": {"message": "rate limit exceeded", "type": "rate_limit"}}
                return _reply(429, error, headers)
            if self._requests is not None:
                self._requests.take(1)
            if self._tokens is not None:
                self._tokens.take(used)
            stats.by_status[200] += 1
            stats.log.append((now, 200))
            stats.served.append((now, used))
            return _reply(200, payload, self._limit_headers())

    def mock_transport(self) -> Any:
        """An ``httpx2.MockTransport`` answering in process, without a socket or a thread
        (``latency`` does not apply): pass ``httpx2.AsyncClient(transport=...)`` or
        ``httpx2.Client(transport=...)`` as a client's ``http_client``."""
        import httpx2

        def handle(request: httpx2.Request) -> httpx2.Response:
            reply = self.answer(request.method, request.url.path, request.read())
            return httpx2.Response(reply.status, headers=reply.headers, content=reply.content)

        return httpx2.MockTransport(handle)

    # -- the socket side ---------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *lines = head.decode("latin-1").split("\r\n")
                method, path, _ = request_line.split(" ", 2)
                length = 0
                for line in lines:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip() or 0)
                raw = await reader.readexactly(length) if length else b""
                with self._lock:
                    self.stats.in_flight += 1
                    self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)
                try:
                    if self.latency:
                        await asyncio.sleep(self.latency)
                    reply = self.answer(method, path.split("?", 1)[0], raw).to_http()
                finally:
                    with self._lock:
                        self.stats.in_flight -= 1
                writer.write(reply)
                await writer.drain()
        except (
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ConnectionError,
            ValueError,
        ):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def serve(self, on_ready: Callable[[int], None] | None = None) -> None:
        """Serve until :meth:`stop` (or ``max_lifetime``)."""
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._connection, "127.0.0.1", 0, backlog=2048)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        if on_ready is not None:
            on_ready(self.port)
        async with server:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.max_lifetime)
            server.close()
            # Close idle keep-alive connections too, so nothing is left open.
            server.close_clients() if hasattr(server, "close_clients") else None
            await server.wait_closed()

    def start(self) -> StubServer:
        """Serve in a background thread; return once the port is open."""
        self._thread = threading.Thread(target=lambda: asyncio.run(self.serve()), daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the stub server did not start within 30 s")
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """Run the stub as a process: prints ``PORT <n>``; stops when stdin closes."""
    parser = argparse.ArgumentParser(prog="python -m infermux.testing.stub_server")
    parser.add_argument("--requests-per-minute", type=float)
    parser.add_argument("--tokens-per-minute", type=float)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--rate-limit-headers", action="store_true")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="TEXT=STATUS",
        help="answer STATUS to every request whose body contains TEXT",
    )
    args = parser.parse_args(argv)
    faults = {}
    for item in args.fault:
        text, _, status = item.rpartition("=")
        faults[text] = int(status)
    stub = StubServer(
        requests_per_minute=args.requests_per_minute,
        tokens_per_minute=args.tokens_per_minute,
        latency=args.latency,
        faults=faults or None,
        rate_limit_headers=args.rate_limit_headers,
        max_lifetime=3600.0,
    )

    def stop_on_eof() -> None:
        sys.stdin.buffer.read()
        stub.stop()

    stub.start()
    print(f"PORT {stub.port}", flush=True)
    stopper = threading.Thread(target=stop_on_eof, daemon=True)
    stopper.start()
    if stub._thread is not None:
        stub._thread.join()


if __name__ == "__main__":
    main()
