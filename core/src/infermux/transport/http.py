"""The only module that imports the HTTP library (httpx2).

It turns the engine's :class:`~infermux.engine.Send` effects into HTTP exchanges on one
sync or async client (the caller's ``http_client=`` or one of ours) and maps the library's
exceptions to infermux's.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx2

from infermux.errors import RequestTimeoutError, TransportError
from infermux.helpers.base import BinaryPayload, MultipartPayload, Response
from infermux.transport.bounds import (
    ACCEPT_ENCODING,
    BodyCollector,
    BoundedDecoder,
    attempt_timed_out,
    body_decoder,
    time_left,
)
from infermux.transport.deadline_network import ATTEMPT_DEADLINE, use_deadline_backend
from infermux.transport.sse import is_event_stream
from infermux.upstream import transport_router

if TYPE_CHECKING:
    from infermux.engine import Send

__all__ = [
    "AsyncHTTP",
    "AsyncStreamHandle",
    "SyncHTTP",
    "SyncStreamHandle",
    "make_timeout",
]

#: Connection set-up must be quick even when generation is slow.
CONNECT_TIMEOUT = 10.0


def make_timeout(timeout: float | None) -> httpx2.Timeout:
    """Connect within 10 s (or ``timeout`` if shorter); read, write and pool within ``timeout``."""
    if timeout is None:
        return httpx2.Timeout(None, connect=CONNECT_TIMEOUT)
    return httpx2.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))


# A client sends to the same few URLs with the same timeout over and over. httpx2 parses a
# string URL on every request, about 40% of the cost of building one; a parsed httpx2.URL
# (immutable) is taken as it is. Both caches are bounded, in case URLs vary (job polls).
_URLS: dict[str, httpx2.URL] = {}
_TIMEOUTS: dict[float | None, httpx2.Timeout] = {}
_CACHE_SIZE = 512


def _url(url: str) -> httpx2.URL:
    parsed = _URLS.get(url)
    if parsed is None:
        if len(_URLS) >= _CACHE_SIZE:
            _URLS.clear()
        parsed = _URLS[url] = httpx2.URL(url)
    return parsed


def _timeout(timeout: float | None) -> httpx2.Timeout:
    value = _TIMEOUTS.get(timeout)
    if value is None:
        if len(_TIMEOUTS) >= _CACHE_SIZE:
            _TIMEOUTS.clear()
        value = _TIMEOUTS[timeout] = make_timeout(timeout)
    return value


#: json.dumps with non-default options builds an encoder per call; this one is reused.
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _body(effect: Send) -> dict[str, Any]:
    payload = effect.request.payload
    if payload is None:
        return {}
    if isinstance(payload, BinaryPayload):
        return {"content": payload.content, "content_type": payload.content_type}
    if isinstance(payload, MultipartPayload):
        return {"data": dict(payload.fields), "files": dict(payload.files)}
    content = _JSON_ENCODER.encode(payload).encode()
    return {"content": content, "content_type": "application/json"}


def _build(client: httpx2.Client | httpx2.AsyncClient, effect: Send) -> httpx2.Request:
    body = _body(effect)
    headers = dict(effect.headers)
    content_type = body.pop("content_type", None)
    if content_type:
        headers.setdefault("content-type", content_type)
    if "accept-encoding" not in headers and "Accept-Encoding" not in headers:
        headers["accept-encoding"] = ACCEPT_ENCODING  # only what we can decode with a cap
    return client.build_request(
        effect.request.method,
        _url(effect.request.url),
        headers=headers,
        timeout=_timeout(effect.timeout),
        **body,
    )


def _host(url: str) -> str:
    try:
        return str(httpx2.URL(url).host)
    except httpx2.InvalidURL:
        return repr(url[:200])


#: Failures after which the request certainly never reached the server: no connection
#: was made, or the URL could not even be used. Only these allow resending a request that
#: creates a job.
_NOT_SENT = (
    httpx2.ConnectError,
    httpx2.ConnectTimeout,
    httpx2.PoolTimeout,
    httpx2.UnsupportedProtocol,
    httpx2.InvalidURL,
)


def _translate(exc: httpx2.HTTPError | httpx2.InvalidURL, url: str) -> TransportError:
    # InvalidURL is no HTTPError: a malformed URL (a provider's answer, a cancel link) would
    # otherwise escape as a bare httpx2 exception.
    sent = not isinstance(exc, _NOT_SENT)
    if isinstance(exc, httpx2.TimeoutException):
        return RequestTimeoutError(
            f"Timed out talking to {_host(url)}: {exc}", url=url, request_sent=sent
        )
    return TransportError(
        f"{type(exc).__name__} talking to {_host(url)}: {exc}", url=url, request_sent=sent
    )


def _response(raw: httpx2.Response, content: bytes) -> Response:
    return Response(raw.status_code, raw.headers, content, str(raw.url))


def _encoding(raw: httpx2.Response) -> str:
    """The encoding still to undo: none for a response built with its content already
    decoded (``httpx2.MockTransport``, a caller's transport reading eagerly)."""
    return "" if raw.is_stream_consumed else raw.headers.get("content-encoding", "")


def _raw_chunks(raw: httpx2.Response) -> Iterator[bytes]:
    return iter((raw.content,)) if raw.is_stream_consumed else raw.iter_raw()


async def _araw_chunks(raw: httpx2.Response) -> AsyncIterator[bytes]:
    if raw.is_stream_consumed:
        yield raw.content
        return
    async for chunk in raw.aiter_raw():
        yield chunk


def read_body(raw: httpx2.Response, effect: Send, deadline: float | None) -> bytes:
    """Read a sync response's body through the bounded decoder, by ``deadline``."""
    url = str(raw.url)
    try:
        decoder, keep = body_decoder(
            raw.headers, raw.status_code, effect.limits, url, _encoding(raw)
        )
        body = BodyCollector(keep)
        for chunk in _raw_chunks(raw):
            if not body.add(decoder.feed(chunk)):
                break
            if deadline is not None and time.monotonic() > deadline:
                raise attempt_timed_out(url, effect.timeout)
        else:
            body.add(decoder.finish())
        return body.content()
    finally:
        raw.close()


async def aread_body(raw: httpx2.Response, effect: Send) -> bytes:
    """Read an async response's body through the bounded decoder (the caller bounds time)."""
    url = str(raw.url)
    try:
        decoder, keep = body_decoder(
            raw.headers, raw.status_code, effect.limits, url, _encoding(raw)
        )
        body = BodyCollector(keep)
        async for chunk in _araw_chunks(raw):
            if not body.add(decoder.feed(chunk)):
                break
        else:
            body.add(decoder.finish())
        return body.content()
    finally:
        await raw.aclose()


def _deadline(timeout: float | None) -> float | None:
    return None if timeout is None else time.monotonic() + timeout


class SyncStreamHandle:
    """An open streaming response; iterate its bytes, then close it.

    ``deadline`` (``time.monotonic()``; the stream sets it per event) ends any read still
    waiting then with a :class:`RequestTimeoutError`.
    """

    __slots__ = ("_raw", "deadline", "head", "on_close", "timeout")

    def __init__(self, raw: httpx2.Response, timeout: float | None = None) -> None:
        self._raw = raw
        self.head = _response(raw, b"")
        self.deadline: float | None = None
        self.timeout = timeout
        #: Called once when the stream is closed (frees its concurrency slot).
        self.on_close: Callable[[], None] | None = None

    @property
    def status_code(self) -> int:
        return self._raw.status_code

    @property
    def headers(self) -> Any:
        return self._raw.headers

    def iter_bytes(self) -> Iterator[bytes]:
        url = self.head.url
        try:
            decoder = BoundedDecoder(_encoding(self._raw), None, url)
            chunks = _raw_chunks(self._raw)
            while True:
                token = ATTEMPT_DEADLINE.set(self.deadline)
                try:
                    chunk = next(chunks, None)
                finally:
                    ATTEMPT_DEADLINE.reset(token)
                if chunk is None:
                    break
                yield from decoder.feed(chunk)
                if self.deadline is not None and time.monotonic() > self.deadline:
                    raise attempt_timed_out(url, self.timeout)
            yield from decoder.finish()
        except httpx2.HTTPError as exc:
            raise _translate(exc, url) from exc

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            _released(self)


class AsyncStreamHandle:
    """An open async streaming response; iterate its bytes, then ``aclose`` it.

    ``deadline`` as for :class:`SyncStreamHandle`.
    """

    __slots__ = ("_raw", "deadline", "head", "on_close", "timeout")

    def __init__(self, raw: httpx2.Response, timeout: float | None = None) -> None:
        self._raw = raw
        self.head = _response(raw, b"")
        self.deadline: float | None = None
        self.timeout = timeout
        #: Called once when the stream is closed (frees its concurrency slot).
        self.on_close: Callable[[], None] | None = None

    @property
    def status_code(self) -> int:
        return self._raw.status_code

    @property
    def headers(self) -> Any:
        return self._raw.headers

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        import asyncio  # here, not at the top: the sync client never imports asyncio

        url = self.head.url
        try:
            decoder = BoundedDecoder(_encoding(self._raw), None, url)
            chunks = _araw_chunks(self._raw).__aiter__()
            while True:
                try:
                    async with asyncio.timeout(time_left(self.deadline)):
                        chunk = await anext(chunks, None)
                except TimeoutError:
                    raise attempt_timed_out(url, self.timeout) from None
                if chunk is None:
                    break
                for piece in decoder.feed(chunk):
                    yield piece
            for piece in decoder.finish():
                yield piece
        except httpx2.HTTPError as exc:
            raise _translate(exc, url) from exc

    async def aclose(self) -> None:
        try:
            await self._raw.aclose()
        finally:
            _released(self)


def _released(handle: Any) -> None:
    """Run a stream handle's ``on_close`` once."""
    callback, handle.on_close = handle.on_close, None
    if callback is not None:
        callback()


#: httpx2's own logger: the fast path logs each exchange there as client.send would.
_HTTPX2_LOGGER = logging.getLogger("httpx2")


def _log(request: httpx2.Request, response: httpx2.Response) -> None:
    if _HTTPX2_LOGGER.isEnabledFor(logging.INFO):
        _HTTPX2_LOGGER.info(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )


def _router(client: httpx2.Client | httpx2.AsyncClient, owned: bool) -> Any:
    """How an owned client picks its transport for a URL (its pool, or an environment proxy),
    or None to always go through ``client.send``.

    ``client.send`` wraps the transport in an auth flow, a redirect loop, event hooks, a
    request context and a timing stream: about a tenth of a request's CPU. A client we
    created has no auth, no hooks and, for a request that follows no redirect, nothing for
    those layers to do; its cookies are still merged (by ``build_request``) and stored,
    and each exchange is still logged on httpx2's logger.
    A caller's ``http_client=`` always goes through ``send``, whatever it configured.
    """
    return transport_router(client) if owned else None  # a private API: see infermux.upstream


class SyncHTTP:
    """Sends effects on a sync client; owns (and closes) it unless the caller supplied it."""

    def __init__(self, client: httpx2.Client | None = None) -> None:
        self.owned = client is None
        if client is None:
            client = httpx2.Client(follow_redirects=False)
            # Every connect, read and write then ends by the attempt's deadline (a caller's
            # client is left as configured: its body reads are still bounded, chunk by chunk).
            use_deadline_backend(client)
        self.client = client
        self._router = _router(self.client, self.owned)

    def _send(self, request: httpx2.Request, effect: Send) -> httpx2.Response:
        # Always streamed: the body is read here, through the size caps and the deadline.
        if self._router is None or effect.follow_redirects or self.client.is_closed:
            return self.client.send(request, stream=True, follow_redirects=effect.follow_redirects)
        raw: httpx2.Response = self._router(request.url).handle_request(request)
        raw.request = request
        self.client.cookies.extract_cookies(raw)
        _log(request, raw)
        return raw

    def send(self, effect: Send) -> Response | SyncStreamHandle:
        # A non-streaming attempt ends within ``timeout`` in total; a stream's head too.
        deadline = _deadline(effect.timeout)
        token = ATTEMPT_DEADLINE.set(deadline)
        try:
            raw = self._send(_build(self.client, effect), effect)
            if effect.request.stream and is_event_stream(
                raw.status_code, raw.headers.get("content-type")
            ):
                return SyncStreamHandle(raw, effect.timeout)
            return _response(raw, read_body(raw, effect, deadline))
        except (httpx2.HTTPError, httpx2.InvalidURL) as exc:
            raise _translate(exc, effect.request.url) from exc
        finally:
            ATTEMPT_DEADLINE.reset(token)

    def close(self) -> None:
        if self.owned:
            self.client.close()


class AsyncHTTP:
    """Sends effects on an async client; owns (and closes) it unless the caller supplied it."""

    def __init__(
        self, client: httpx2.AsyncClient | None = None, *, asyncio_network: bool = True
    ) -> None:
        self.owned = client is None
        if client is None:
            client = httpx2.AsyncClient(follow_redirects=False)
            if asyncio_network:
                # Our own client runs on asyncio's transports rather than anyio streams
                # (about a quarter less CPU per request); a caller's client is left as configured.
                from infermux.transport.asyncio_network import use_asyncio_backend

                use_asyncio_backend(client)
        self.client = client
        self._router = _router(self.client, self.owned)

    async def _send(self, request: httpx2.Request, effect: Send) -> httpx2.Response:
        # Always streamed: the body is read here, through the size caps.
        if self._router is None or effect.follow_redirects or self.client.is_closed:
            return await self.client.send(
                request, stream=True, follow_redirects=effect.follow_redirects
            )
        raw: httpx2.Response = await self._router(request.url).handle_async_request(request)
        raw.request = request
        self.client.cookies.extract_cookies(raw)
        _log(request, raw)
        return raw

    async def _exchange(self, effect: Send) -> Response | AsyncStreamHandle:
        raw = await self._send(_build(self.client, effect), effect)
        if effect.request.stream and is_event_stream(
            raw.status_code, raw.headers.get("content-type")
        ):
            return AsyncStreamHandle(raw, effect.timeout)
        return _response(raw, await aread_body(raw, effect))

    async def send(self, effect: Send) -> Response | AsyncStreamHandle:
        # A non-streaming attempt ends within ``timeout`` in total; a stream's head too.
        import asyncio  # here, not at the top: the sync client never imports asyncio

        try:
            async with asyncio.timeout(effect.timeout):
                return await self._exchange(effect)
        except TimeoutError:
            raise attempt_timed_out(effect.request.url, effect.timeout) from None
        except (httpx2.HTTPError, httpx2.InvalidURL) as exc:
            raise _translate(exc, effect.request.url) from exc

    async def aclose(self) -> None:
        if self.owned:
            await self.client.aclose()
