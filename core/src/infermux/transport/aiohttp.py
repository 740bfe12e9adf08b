"""An optional async transport on aiohttp (``pip install 'infermux[aiohttp]'``).

It sends the engine's :class:`~infermux.engine.Send` effects exactly as
:class:`~infermux.transport.http.AsyncHTTP` does (same bodies, timeouts, redirect rule and
error mapping), on an ``aiohttp.ClientSession`` instead of an ``httpx2.AsyncClient``.
aiohttp parses HTTP in C and pools connections without httpcore's per-request scans, so
many concurrent calls cost several times less CPU each (see ``docs/performance.md``).

The async client uses it when given ``http_client=aiohttp.ClientSession(...)`` (which the
caller keeps and closes), or, for the session it owns, when ``INFERMUX_ASYNC_HTTP=aiohttp``
is set. Only this module imports aiohttp, and only when chosen.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import getproxies_environment

import aiohttp

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
from infermux.transport.http import _released
from infermux.transport.sse import is_event_stream

if TYPE_CHECKING:
    from infermux.engine import Send

__all__ = ["AiohttpHTTP", "AiohttpStreamHandle"]

#: As in transport/http.py: connecting must be quick even when generation is slow.
CONNECT_TIMEOUT = 10.0
#: Connections per client, as httpx2's default pool.
MAX_CONNECTIONS = 100

_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_TIMEOUTS: dict[float | None, aiohttp.ClientTimeout] = {}


def _timeout(timeout: float | None) -> aiohttp.ClientTimeout:
    """httpx2's shape: connect within 10 s (or ``timeout``), each read within ``timeout``,
    a free connection within ``timeout``; no limit on the whole exchange (streams)."""
    value = _TIMEOUTS.get(timeout)
    if value is None:
        connect = CONNECT_TIMEOUT if timeout is None else min(CONNECT_TIMEOUT, timeout)
        value = _TIMEOUTS[timeout] = aiohttp.ClientTimeout(
            total=None, connect=timeout, sock_connect=connect, sock_read=timeout
        )
    return value


def _body(effect: Send, headers: dict[str, str]) -> Any:
    payload = effect.request.payload
    if payload is None:
        return None
    if isinstance(payload, BinaryPayload):
        headers.setdefault("content-type", payload.content_type)
        return payload.content
    if isinstance(payload, MultipartPayload):
        form = aiohttp.FormData()
        for name, value in payload.fields.items():
            form.add_field(name, value)
        for name, (filename, content, content_type) in payload.files.items():
            form.add_field(name, content, filename=filename, content_type=content_type)
        return form
    headers.setdefault("content-type", "application/json")
    return _JSON_ENCODER.encode(payload).encode()


#: Failures after which the request certainly never reached the server (no connection).
_NOT_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError, aiohttp.InvalidURL)


def _translate(exc: BaseException, url: str) -> TransportError:
    host = urlsplit(url).hostname or url
    sent = not isinstance(exc, _NOT_SENT)
    if isinstance(exc, asyncio.TimeoutError):  # aiohttp's timeout errors are TimeoutErrors
        return RequestTimeoutError(
            f"Timed out talking to {host}: {exc}", url=url, request_sent=sent
        )
    return TransportError(
        f"{type(exc).__name__} talking to {host}: {exc}", url=url, request_sent=sent
    )


_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)


class AiohttpStreamHandle:
    """An open streaming response; iterate its bytes, then ``aclose`` it. ``deadline`` as
    for ``transport.http.AsyncStreamHandle``."""

    __slots__ = ("_raw", "deadline", "head", "on_close", "timeout")

    def __init__(self, raw: aiohttp.ClientResponse, url: str, timeout: float | None) -> None:
        self._raw = raw
        self.head = Response(raw.status, raw.headers, b"", url)
        self.deadline: float | None = None
        self.timeout = timeout
        #: Called once when the stream is closed (frees its concurrency slot).
        self.on_close: Callable[[], None] | None = None

    @property
    def status_code(self) -> int:
        return self._raw.status

    @property
    def headers(self) -> Any:
        return self._raw.headers

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        url = self.head.url
        decoder = BoundedDecoder(self._raw.headers.get("content-encoding", ""), None, url)
        content = self._raw.content
        try:
            while True:
                try:
                    async with asyncio.timeout(time_left(self.deadline)):
                        chunk = await content.readany()
                except TimeoutError:
                    raise attempt_timed_out(url, self.timeout) from None
                if not chunk:
                    break
                for piece in decoder.feed(chunk):
                    yield piece
            for piece in decoder.finish():
                yield piece
        except _ERRORS as exc:
            raise _translate(exc, url) from exc

    async def aclose(self) -> None:
        try:
            if self._raw.content.is_eof():
                self._raw.release()  # read to its end: the connection is reusable
                return
            # A stream left early (or ended by [DONE] on a connection the server holds open)
            # hangs up. asyncio closes the socket on the loop's next turn: take that turn, so
            # the connection is gone when aclose() returns, as with httpx2.
            self._raw.close()
            await asyncio.sleep(0)
        finally:
            _released(self)


class AiohttpHTTP:
    """Sends effects on an aiohttp session; owns (and closes) it unless the caller supplied
    it. An owned session is created on the first send, inside the running event loop."""

    def __init__(self, session: aiohttp.ClientSession | None = None) -> None:
        self.owned = session is None
        self._session = session

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            # Proxies from the environment, as httpx2 does by default. aiohttp's trust_env
            # looks them up (and .netrc, which httpx2 no longer reads) in a worker thread on
            # every request, so it is only turned on when a proxy is actually configured.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=MAX_CONNECTIONS),
                trust_env=bool(getproxies_environment()),
            )
        return self._session

    async def send(self, effect: Send) -> Response | AiohttpStreamHandle:
        # A non-streaming attempt ends within ``timeout`` in total; a stream's head too.
        try:
            async with asyncio.timeout(effect.timeout):
                return await self._exchange(effect)
        except TimeoutError as exc:
            if isinstance(exc, aiohttp.ClientError):  # aiohttp's own connect/read timeouts
                raise _translate(exc, effect.request.url) from exc
            raise attempt_timed_out(effect.request.url, effect.timeout) from None
        except _ERRORS as exc:
            raise _translate(exc, effect.request.url) from exc

    async def _exchange(self, effect: Send) -> Response | AiohttpStreamHandle:
        request = effect.request
        headers = dict(effect.headers)
        if not any(name.lower() == "accept-encoding" for name in headers):
            headers["accept-encoding"] = ACCEPT_ENCODING
        data = _body(effect, headers)
        raw = await self._client().request(
            request.method,
            request.url,
            headers=headers,
            data=data,
            allow_redirects=effect.follow_redirects,
            timeout=_timeout(effect.timeout),
            # Raw bytes: decoded here, slice by slice, under the size caps.
            auto_decompress=False,
        )
        url = str(raw.url)
        if request.stream and is_event_stream(raw.status, raw.headers.get("content-type")):
            return AiohttpStreamHandle(raw, url, effect.timeout)
        try:
            decoder, keep = body_decoder(raw.headers, raw.status, effect.limits, url)
            body = BodyCollector(keep)
            while chunk := await raw.content.readany():
                if not body.add(decoder.feed(chunk)):
                    break
            else:
                body.add(decoder.finish())
        except BaseException:
            raw.close()  # not read to its end: the connection cannot be reused
            raise
        if body.keep >= 0 and body.size >= body.keep:
            raw.close()
        else:
            raw.release()
        return Response(raw.status, raw.headers, body.content(), url)

    async def aclose(self) -> None:
        if self.owned and self._session is not None:
            await self._session.close()
            self._session = None
