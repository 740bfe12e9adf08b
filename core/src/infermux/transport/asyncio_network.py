"""An httpcore2 network backend on asyncio's own transports and protocols.

httpcore2 runs its async connections on anyio streams. Under asyncio every socket
operation then pays for an ``anyio.fail_after`` cancel scope and its timer, an
exception-mapping context manager, a checkpoint on every send and a pause/resume of reading
around every receive; with many requests in flight that is about a quarter of a request's
CPU (docs/performance.md). This backend does the same work directly on the event loop:

- a read returns buffered bytes at once when there are some, and otherwise waits on one
  future, with a ``call_later`` timer only when a timeout is set;
- a write hands the bytes to the transport and waits only under back-pressure;
- the protocol keeps reading while a connection is idle (up to a high-water mark), so
  ``is_readable`` (how the pool notices a server closing an idle keep-alive connection)
  is answered from state instead of a ``poll()`` system call;
- TLS goes through ``loop.start_tls`` with the handshake deadline enforced here;
- errors map to the same ``httpcore2`` exceptions as the anyio backend's.

The clients infermux creates use it (``AsyncHTTP``); a caller's own ``http_client`` is left
exactly as configured, and ``INFERMUX_ASYNC_HTTP=anyio`` keeps httpcore2's own backend.
The upstream pull request pydantic/httpx2#1170 proposes the same design for httpcore2
itself; once a release has it, this module can go.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, cast

import httpcore2
from httpcore2 import AsyncNetworkBackend, AsyncNetworkStream

__all__ = ["AsyncioBackend", "use_asyncio_backend"]

#: Stop reading from the socket once this much is buffered and unread...
HIGH_WATER = 256 * 1024
#: ...and start again once the reader has brought it below this.
LOW_WATER = 64 * 1024
#: As anyio's ``connect_tcp``: try the next address after this long (RFC 8305).
HAPPY_EYEBALLS_DELAY = 0.25

#: What httpcore2 accepts as a socket option (``socket.setsockopt`` arguments).
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class _Connection(asyncio.Protocol):
    """The protocol behind one connection: a receive buffer, end-of-file and loss state,
    and the futures a reader or a writer waits on."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.eof = False
        self.lost = False
        self.error: BaseException | None = None
        self.reading_paused = False
        self.writing_paused = False
        self.read_waiter: asyncio.Future[None] | None = None
        self.drain_waiter: asyncio.Future[None] | None = None

    # -- asyncio.Protocol ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self.buffered += len(data)
        if self.buffered > HIGH_WATER and not self.reading_paused and self.transport:
            self.reading_paused = True
            self.transport.pause_reading()
        self._wake_reader()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake_reader()
        return False  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.eof = True
        if exc is not None:
            self.error = exc
        self._wake_reader()
        self._wake_writer(exc)

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        self._wake_writer(None)

    def _wake_reader(self) -> None:
        waiter = self.read_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _wake_writer(self, exc: Exception | None) -> None:
        waiter = self.drain_waiter
        if waiter is not None and not waiter.done():
            if exc is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(exc)

    # -- what the stream needs ----------------------------------------------------------

    def take(self, max_bytes: int) -> bytes:
        chunk = self.chunks.popleft()
        if len(chunk) > max_bytes:
            self.chunks.appendleft(chunk[max_bytes:])
            chunk = chunk[:max_bytes]
        self.buffered -= len(chunk)
        if self.reading_paused and self.buffered < LOW_WATER and self.transport:
            self.reading_paused = False
            self.transport.resume_reading()
        return chunk

    async def wait(self, attribute: str, timeout: float | None) -> None:
        """Wait until woken (data, end of file, loss, drained), or raise TimeoutError."""
        waiter = self.loop.create_future()
        setattr(self, attribute, waiter)
        timer = None if timeout is None else self.loop.call_later(timeout, _expire, waiter)
        try:
            await waiter
        finally:
            setattr(self, attribute, None)
            if timer is not None:
                timer.cancel()


class AsyncioStream(AsyncNetworkStream):
    """One connection, as httpcore2's HTTP/1.1 and HTTP/2 code reads and writes it."""

    def __init__(self, transport: asyncio.Transport, connection: _Connection) -> None:
        self._transport = transport
        self._connection = connection

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        connection = self._connection
        if not connection.chunks and not connection.eof:
            try:
                await connection.wait("read_waiter", timeout)
            except TimeoutError as exc:
                raise httpcore2.ReadTimeout(str(exc)) from exc
        if connection.chunks:
            return connection.take(max_bytes)
        if connection.error is not None:
            raise httpcore2.ReadError(str(connection.error)) from connection.error
        return b""  # end of file

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        connection = self._connection
        if connection.lost or self._transport.is_closing():
            raise httpcore2.WriteError("the connection is closed")
        try:
            self._transport.write(buffer)
            if connection.writing_paused:
                await connection.wait("drain_waiter", timeout)
        except TimeoutError as exc:
            raise httpcore2.WriteTimeout(str(exc)) from exc
        except (OSError, RuntimeError) as exc:
            raise httpcore2.WriteError(str(exc)) from exc

    async def aclose(self) -> None:
        self._transport.close()
        # The selector transport closes its socket on the next loop iteration; yield once
        # so it really is closed when this returns, as with anyio.
        await asyncio.sleep(0)

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> AsyncNetworkStream:
        connection = self._connection
        loop = connection.loop
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport, connection, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError as exc:
            self._transport.abort()
            raise httpcore2.ConnectTimeout(str(exc)) from exc
        except (OSError, ssl.SSLError, ConnectionError) as exc:
            self._transport.abort()
            raise httpcore2.ConnectError(str(exc)) from exc
        if transport is None:  # the peer closed during the handshake
            raise httpcore2.ConnectError("the connection closed during the TLS handshake")
        connection.transport = transport
        return AsyncioStream(transport, connection)

    def get_extra_info(self, info: str) -> Any:
        transport = self._transport
        if info == "ssl_object":
            return transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return transport.get_extra_info("sockname")
        if info == "server_addr":
            return transport.get_extra_info("peername")
        if info == "socket":
            return transport.get_extra_info("socket")
        if info == "is_readable":
            # Anything waiting on an idle connection (bytes, end of file, an error) means
            # it cannot be reused; the protocol keeps reading, so state says so.
            connection = self._connection
            return bool(connection.chunks) or connection.eof or transport.is_closing()
        return None


class AsyncioBackend(AsyncNetworkBackend):
    """Opens :class:`AsyncioStream` connections (TCP or Unix socket) on the running loop."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        connection = _Connection(loop)
        try:
            sock = await _connect_socket(loop, host, port, local_address, timeout)
        except TimeoutError as exc:
            raise httpcore2.ConnectTimeout(str(exc) or "connect timed out") from exc
        except OSError as exc:
            raise httpcore2.ConnectError(str(exc)) from exc
        try:
            # Cancellation here closes the transport (asyncio does, while it waits).
            opened, _ = await loop.create_connection(lambda: connection, sock=sock)
        except OSError as exc:
            sock.close()
            raise httpcore2.ConnectError(str(exc)) from exc
        return _with_options(opened, connection, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        return await _open(
            lambda loop, protocol: loop.create_unix_connection(protocol, path),
            timeout,
            socket_options,
        )

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


#: Opens a connection on a loop with a protocol factory (``loop.create_connection`` and
#: ``loop.create_unix_connection`` with their addresses bound).
Opener = Callable[
    [asyncio.AbstractEventLoop, Callable[[], _Connection]],
    Awaitable[tuple[asyncio.BaseTransport, asyncio.BaseProtocol]],
]


async def _open(
    opener: Opener, timeout: float | None, socket_options: Iterable[SocketOption] | None
) -> AsyncioStream:
    """Connect within ``timeout``, mapping failures to httpcore2's errors, then apply the
    socket options (once connected, as httpcore2's anyio backend does)."""
    loop = asyncio.get_running_loop()
    connection = _Connection(loop)
    try:
        async with asyncio.timeout(timeout):
            opened, _ = await opener(loop, lambda: connection)
    except TimeoutError as exc:
        raise httpcore2.ConnectTimeout(str(exc)) from exc
    except OSError as exc:
        raise httpcore2.ConnectError(str(exc)) from exc
    return _with_options(cast(asyncio.Transport, opened), connection, socket_options)


def _with_options(
    transport: asyncio.Transport,
    connection: _Connection,
    socket_options: Iterable[SocketOption] | None,
) -> AsyncioStream:
    if socket_options:
        sock = transport.get_extra_info("socket")
        try:
            for option in socket_options:
                sock.setsockopt(*option)
        except OSError as exc:
            transport.abort()
            raise httpcore2.ConnectError(str(exc)) from exc
    return AsyncioStream(transport, connection)


# -- TCP connect with happy eyeballs, leaking nothing ----------------------------------------
#
# ``loop.create_connection(host, port, happy_eyeballs_delay=...)`` inside ``asyncio.timeout``
# leaked connected sockets: when the timeout cancelled the call just as an attempt
# connected, asyncio's staggered race dropped that socket (112-356 open after ``aclose()``
# with many requests timing out on a busy loop). Here no task is ever cancelled while it
# may hold a socket unseen: the deadline is enforced by ``asyncio.wait`` timeouts, and
# every attempt that is given up closes its socket when it finishes, whatever the outcome.


async def _attempt(
    loop: asyncio.AbstractEventLoop, info: tuple[Any, ...], local_address: str | None
) -> socket.socket:
    family, kind, proto, _, address = info
    sock = socket.socket(family, kind, proto)
    try:
        sock.setblocking(False)
        if local_address:
            sock.bind((local_address, 0))
        await loop.sock_connect(sock, address)
    except BaseException:
        sock.close()
        raise
    return sock


def _discard(task: asyncio.Task[socket.socket]) -> None:
    """Close the socket of an attempt that was given up (once it is done)."""
    if not task.cancelled() and task.exception() is None:
        task.result().close()


def _interleave(infos: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Addresses in RFC 8305 order: alternate families, starting with the first one's."""
    first = [i for i in infos if i[0] == infos[0][0]]
    other = [i for i in infos if i[0] != infos[0][0]]
    ordered: list[tuple[Any, ...]] = []
    for index in range(max(len(first), len(other))):
        ordered += first[index : index + 1] + other[index : index + 1]
    return ordered


async def _resolve(
    loop: asyncio.AbstractEventLoop, host: str, port: int, timeout: float | None
) -> list[tuple[Any, ...]]:
    """The addresses of ``host`` (an IP literal without a lookup, as asyncio does)."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        if address.version == 4:
            return [
                (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (str(address), port))
            ]
        return [
            (
                socket.AF_INET6,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (str(address), port, 0, 0),
            )
        ]
    lookup = loop.create_task(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    try:
        finished, _ = await asyncio.wait({lookup}, timeout=timeout)
    finally:
        if not lookup.done():
            lookup.cancel()  # a lookup holds no socket
    if not finished:
        raise TimeoutError(f"resolving {host} timed out")
    return list(lookup.result())


async def _connect_socket(
    loop: asyncio.AbstractEventLoop,
    host: str,
    port: int,
    local_address: str | None,
    timeout: float | None,
) -> socket.socket:
    """A connected non-blocking socket to ``host:port`` within ``timeout`` (TimeoutError),
    trying the next address every HAPPY_EYEBALLS_DELAY (or as soon as one fails)."""
    deadline = None if timeout is None else loop.time() + timeout
    infos = _interleave(await _resolve(loop, host, port, timeout))
    if not infos:
        raise OSError(f"no address found for {host}")
    waiting: list[tuple[Any, ...]] = list(infos)
    running: set[asyncio.Task[socket.socket]] = set()
    errors: list[BaseException] = []
    winner: socket.socket | None = None
    try:
        while winner is None:
            if waiting:
                running.add(loop.create_task(_attempt(loop, waiting.pop(0), local_address)))
            if not running:
                break
            wait = HAPPY_EYEBALLS_DELAY if waiting else None
            if deadline is not None:
                left = deadline - loop.time()
                if left <= 0:
                    raise TimeoutError(f"connecting to {host}:{port} timed out")
                wait = left if wait is None else min(wait, left)
            done, running = await asyncio.wait(
                running, timeout=wait, return_when=asyncio.FIRST_COMPLETED
            )
            for task in done:
                if task.exception() is not None:
                    errors.append(task.exception())  # type: ignore[arg-type]
                elif winner is None:
                    winner = task.result()
                else:
                    task.result().close()  # a second success in the same turn
    finally:
        for task in running:  # given up: each closes its socket once it is done
            task.cancel()
            task.add_done_callback(_discard)
    if winner is None:
        if len(errors) == 1:
            raise errors[0]
        raise OSError(f"could not connect to {host}:{port}: " + "; ".join(map(str, errors)))
    return winner


def use_asyncio_backend(client: Any) -> bool:
    """Put an :class:`AsyncioBackend` under every connection pool of an ``httpx2.AsyncClient``
    (its own transport and any proxy mounts taken from the environment). Returns whether it
    could: httpx2 keeps the pool on a private attribute (see :mod:`infermux.upstream`), so a
    release that moves it leaves the client on httpcore2's own backend rather than failing
    (``tests/core/test_upstream.py`` and ``tests/core/test_asyncio_network.py`` notice)."""
    from infermux.upstream import set_network_backend

    return set_network_backend(client, AsyncioBackend())
