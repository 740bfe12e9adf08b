"""The only module that imports the HTTP library (httpx2).

It turns the engine's :class:`~infermux.engine.Send` effects into HTTP exchanges on one
sync or async client (the caller's ``http_client=`` or one of ours) and maps the library's
exceptions to infermux's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import httpx2

from infermux.errors import RequestTimeoutError, TransportError
from infermux.helpers.base import BinaryPayload, MultipartPayload, Response
from infermux.upstream import transport_router

if TYPE_CHECKING:
    from infermux.engine import Send

__all__ = ["AsyncHTTP", "AsyncStreamHandle", "SyncHTTP", "SyncStreamHandle", "make_timeout"]

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


def _translate(exc: httpx2.HTTPError | httpx2.InvalidURL, url: str) -> TransportError:
    # InvalidURL is no HTTPError: a malformed URL (a provider's answer, a cancel link) would
    # otherwise escape as a bare httpx2 exception.
    if isinstance(exc, httpx2.TimeoutException):
        return RequestTimeoutError(f"Timed out talking to {_host(url)}: {exc}", url=url)
    return TransportError(f"{type(exc).__name__} talking to {_host(url)}: {exc}", url=url)


def _response(raw: httpx2.Response, content: bytes) -> Response:
    return Response(raw.status_code, raw.headers, content, str(raw.url))


class SyncStreamHandle:
    """An open streaming response; iterate its bytes, then close it."""

    __slots__ = ("_raw", "head")

    def __init__(self, raw: httpx2.Response) -> None:
        self._raw = raw
        self.head = _response(raw, b"")

    @property
    def status_code(self) -> int:
        return self._raw.status_code

    @property
    def headers(self) -> Any:
        return self._raw.headers

    def iter_bytes(self) -> Iterator[bytes]:
        try:
            yield from self._raw.iter_bytes()
        except httpx2.HTTPError as exc:
            raise _translate(exc, self.head.url) from exc

    def close(self) -> None:
        self._raw.close()


class AsyncStreamHandle:
    """An open async streaming response; iterate its bytes, then ``aclose`` it."""

    __slots__ = ("_raw", "head")

    def __init__(self, raw: httpx2.Response) -> None:
        self._raw = raw
        self.head = _response(raw, b"")

    @property
    def status_code(self) -> int:
        return self._raw.status_code

    @property
    def headers(self) -> Any:
        return self._raw.headers

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._raw.aiter_bytes():
                yield chunk
        except httpx2.HTTPError as exc:
            raise _translate(exc, self.head.url) from exc

    async def aclose(self) -> None:
        await self._raw.aclose()


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
        self.client = client if client is not None else httpx2.Client(follow_redirects=False)
        self._router = _router(self.client, self.owned)

    def _send(self, request: httpx2.Request, effect: Send) -> httpx2.Response:
        stream = effect.request.stream
        if self._router is None or effect.follow_redirects or self.client.is_closed:
            return self.client.send(
                request, stream=stream, follow_redirects=effect.follow_redirects
            )
        raw: httpx2.Response = self._router(request.url).handle_request(request)
        raw.request = request
        self.client.cookies.extract_cookies(raw)
        _log(request, raw)
        if not stream:
            try:
                raw.read()
            except BaseException:
                raw.close()
                raise
        return raw

    def send(self, effect: Send) -> Response | SyncStreamHandle:
        try:
            raw = self._send(_build(self.client, effect), effect)
        except (httpx2.HTTPError, httpx2.InvalidURL) as exc:
            raise _translate(exc, effect.request.url) from exc
        if not effect.request.stream:
            return _response(raw, raw.content)
        if raw.status_code >= 400:
            try:
                content = raw.read()
            except httpx2.HTTPError as exc:
                raise _translate(exc, effect.request.url) from exc
            finally:
                raw.close()
            return _response(raw, content)
        return SyncStreamHandle(raw)

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
        stream = effect.request.stream
        if self._router is None or effect.follow_redirects or self.client.is_closed:
            return await self.client.send(
                request, stream=stream, follow_redirects=effect.follow_redirects
            )
        raw: httpx2.Response = await self._router(request.url).handle_async_request(request)
        raw.request = request
        self.client.cookies.extract_cookies(raw)
        _log(request, raw)
        if not stream:
            try:
                await raw.aread()
            except BaseException:
                await raw.aclose()
                raise
        return raw

    async def send(self, effect: Send) -> Response | AsyncStreamHandle:
        try:
            raw = await self._send(_build(self.client, effect), effect)
        except (httpx2.HTTPError, httpx2.InvalidURL) as exc:
            raise _translate(exc, effect.request.url) from exc
        if not effect.request.stream:
            return _response(raw, raw.content)
        if raw.status_code >= 400:
            try:
                content = await raw.aread()
            except httpx2.HTTPError as exc:
                raise _translate(exc, effect.request.url) from exc
            finally:
                await raw.aclose()
            return _response(raw, content)
        return AsyncStreamHandle(raw)

    async def aclose(self) -> None:
        if self.owned:
            await self.client.aclose()
