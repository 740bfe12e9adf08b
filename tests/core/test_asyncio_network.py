"""infermux's asyncio network backend for httpcore2 (infermux.transport.asyncio_network).

The async fault suite (tests/core/test_faults.py) already runs every async call on it,
since the clients infermux creates use it; these tests cover the backend's own contract
(reads, writes, timeouts, back-pressure, idle-connection state, TLS, errors) on real
sockets, and how the client chooses it."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

import httpcore2
import httpx2
import pytest
import trustme

from infermux import AsyncInferenceClient
from infermux.errors import ConfigurationError
from infermux.transport import asyncio_network
from infermux.transport.asyncio_network import AsyncioBackend, use_asyncio_backend
from infermux.transport.http import AsyncHTTP
from tests.core.test_faults import MESSAGES, ok

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[int]]]:
    """Start an asyncio server on 127.0.0.1 running ``handler`` per connection; its port."""
    servers: list[asyncio.Server] = []
    writers: list[asyncio.StreamWriter] = []

    async def start(
        handler: Handler, ssl_context: ssl.SSLContext | None = None, unix_path: str | None = None
    ) -> int:
        """The port listened on (or 0 with ``unix_path``, a Unix socket at that path)."""

        async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writers.append(writer)
            try:
                await handler(reader, writer)
            except (ConnectionError, ssl.SSLError):
                pass  # the client hung up or refused the certificate: what some tests do
            finally:
                writer.close()

        if unix_path is not None:
            servers.append(await asyncio.start_unix_server(tracked, unix_path))
            return 0
        server = await asyncio.start_server(tracked, "127.0.0.1", 0, ssl=ssl_context)
        servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    yield start
    for writer in writers:  # ends handlers still waiting on an open connection
        writer.close()
    for server in servers:
        server.close()
        await server.wait_closed()
    for _ in range(3):  # let the transports finish closing before the loop does
        await asyncio.sleep(0)


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    writer.close()


async def test_bytes_written_come_back_read(serve):
    port = await serve(echo)
    stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
    await stream.write(b"hello ")
    await stream.write(b"")  # nothing to send is not an error
    await stream.write(b"world")
    received = b""
    while len(received) < 11:
        received += await stream.read(65536, timeout=5)
    assert received == b"hello world"
    assert stream.get_extra_info("server_addr")[1] == port
    assert stream.get_extra_info("client_addr")[0] == "127.0.0.1"
    assert stream.get_extra_info("ssl_object") is None
    assert stream.get_extra_info("socket") is not None
    assert stream.get_extra_info("something else") is None
    await stream.aclose()


@pytest.mark.block_network(allowed_hosts=[r"^/.*\.sock$"])  # the test's own socket files
async def test_a_unix_socket_connection(serve, tmp_path):
    path = str(tmp_path / "server.sock")
    await serve(echo, unix_path=path)
    stream = await AsyncioBackend().connect_unix_socket(path, timeout=5)
    await stream.write(b"over a unix socket")
    assert await stream.read(100, timeout=5) == b"over a unix socket"
    await stream.aclose()
    with pytest.raises(httpcore2.ConnectError):
        await AsyncioBackend().connect_unix_socket(str(tmp_path / "nobody.sock"), timeout=5)


async def test_a_read_is_cut_to_max_bytes_and_the_rest_kept(serve):
    async def burst(reader, writer):
        writer.write(b"abcdefghij")
        await writer.drain()
        await reader.read()  # hold the connection open

    stream = await AsyncioBackend().connect_tcp("127.0.0.1", await serve(burst), timeout=5)
    parts = []
    while sum(map(len, parts)) < 10:
        parts.append(await stream.read(4, timeout=5))
    assert all(len(part) <= 4 for part in parts)
    assert b"".join(parts) == b"abcdefghij"
    await stream.aclose()


async def test_a_silent_server_gives_a_read_timeout_and_the_connection_stays_usable(serve):
    port = await serve(echo)
    stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
    with pytest.raises(httpcore2.ReadTimeout):
        await stream.read(100, timeout=0.05)
    await stream.write(b"still here")
    assert await stream.read(100, timeout=5) == b"still here"
    await stream.aclose()


async def test_the_server_closing_gives_end_of_file_and_marks_the_connection_readable(serve):
    async def close_at_once(reader, writer):
        writer.close()

    stream = await AsyncioBackend().connect_tcp("127.0.0.1", await serve(close_at_once), timeout=5)
    assert await stream.read(100, timeout=5) == b""
    # How the pool learns that an idle keep-alive connection was closed by the server.
    assert stream.get_extra_info("is_readable") is True
    await stream.aclose()


async def test_an_idle_open_connection_is_not_readable(serve):
    stream = await AsyncioBackend().connect_tcp("127.0.0.1", await serve(echo), timeout=5)
    await asyncio.sleep(0.01)
    assert stream.get_extra_info("is_readable") is False
    await stream.aclose()


async def test_a_reset_connection_gives_a_read_error(serve):
    async def reset(reader, writer):
        sock = writer.get_extra_info("socket")
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        await reader.read(5)
        writer.transport.abort()

    stream = await AsyncioBackend().connect_tcp("127.0.0.1", await serve(reset), timeout=5)
    await stream.write(b"hello")
    with pytest.raises(httpcore2.ReadError):
        await stream.read(100, timeout=5)
    await stream.aclose()


async def test_writing_on_a_closed_connection_is_a_write_error(serve):
    stream = await AsyncioBackend().connect_tcp("127.0.0.1", await serve(echo), timeout=5)
    await stream.aclose()
    with pytest.raises(httpcore2.WriteError):
        await stream.write(b"too late")


async def test_a_refused_connection_is_a_connect_error():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(httpcore2.ConnectError):
        await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)


async def test_a_slow_connect_is_a_connect_timeout(monkeypatch):
    loop = asyncio.get_running_loop()

    async def never(*args, **kwargs):
        await asyncio.sleep(60)

    # The TCP handshake never completes (the attempt's socket is closed when given up).
    monkeypatch.setattr(loop, "sock_connect", never)
    with pytest.raises(httpcore2.ConnectTimeout):
        await AsyncioBackend().connect_tcp("127.0.0.1", 9, timeout=0.05)


async def test_socket_options_are_applied(serve):
    stream = await AsyncioBackend().connect_tcp(
        "127.0.0.1",
        await serve(echo),
        timeout=5,
        socket_options=[(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)],
    )
    sock = stream.get_extra_info("socket")
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
    await stream.aclose()


async def test_a_large_unread_answer_pauses_reading_then_arrives_whole(serve):
    size = 4 * asyncio_network.HIGH_WATER
    payload = bytes(range(256)) * (size // 256)

    async def flood(reader, writer):
        writer.write(payload)
        await writer.drain()
        await reader.read()

    stream = await AsyncioBackend().connect_tcp("127.0.0.1", await serve(flood), timeout=5)
    await asyncio.sleep(0.2)  # let the server fill the buffer while nobody reads
    connection = stream._connection  # type: ignore[attr-defined]
    assert connection.reading_paused
    assert connection.buffered <= asyncio_network.HIGH_WATER + 65536 * 4
    received = bytearray()
    while len(received) < size:
        received += await stream.read(65536, timeout=5)
    assert bytes(received) == payload
    assert not connection.reading_paused
    await stream.aclose()


async def test_a_large_write_waits_for_a_slow_reader_then_arrives_whole(serve):
    payload = bytes(range(256)) * (32 * 1024 * 1024 // 256)  # more than the socket buffers
    received = bytearray()
    done = asyncio.Event()

    async def slow(reader, writer):
        await asyncio.sleep(0.2)  # let the client's writes back up
        while len(received) < len(payload):
            received.extend(await reader.read(1 << 20))
        done.set()

    stream = await AsyncioBackend().connect_tcp("127.0.0.1", await serve(slow), timeout=5)
    await stream.write(payload, timeout=10)
    # It waited for the transport to drain: what is still buffered is below asyncio's
    # high-water mark (64 KiB by default), not the 32 MiB handed over.
    assert stream._transport.get_write_buffer_size() <= 64 * 1024  # type: ignore[attr-defined]
    await asyncio.wait_for(done.wait(), 10)
    assert bytes(received) == payload
    await stream.aclose()


async def test_a_reader_that_never_reads_gives_a_write_timeout(serve):
    async def deaf(reader, writer):
        await asyncio.sleep(5)

    stream = await AsyncioBackend().connect_tcp("127.0.0.1", await serve(deaf), timeout=5)
    with pytest.raises(httpcore2.WriteTimeout):
        await stream.write(b"x" * (32 * 1024 * 1024), timeout=0.2)
    await stream.aclose()


async def test_a_waiting_read_can_be_cancelled(serve):
    stream = await AsyncioBackend().connect_tcp("127.0.0.1", await serve(echo), timeout=5)
    reading = asyncio.ensure_future(stream.read(100))
    await asyncio.sleep(0.01)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    await stream.write(b"after")  # the connection is still consistent
    assert await stream.read(100, timeout=5) == b"after"
    await stream.aclose()


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


async def test_tls_upgrades_the_connection_and_checks_the_certificate(serve, authority):
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(server_context)
    port = await serve(echo, ssl_context=server_context)
    trusted = ssl.create_default_context()
    authority.configure_trust(trusted)

    plain = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
    secure = await plain.start_tls(trusted, server_hostname="localhost", timeout=5)
    assert secure.get_extra_info("ssl_object") is not None
    await secure.write(b"over tls")
    assert await secure.read(100, timeout=5) == b"over tls"
    await secure.aclose()

    plain = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
    with pytest.raises(httpcore2.ConnectError):  # a certificate nobody vouched for
        await plain.start_tls(ssl.create_default_context(), server_hostname="localhost", timeout=5)


async def test_a_stalled_tls_handshake_is_a_connect_timeout(serve):
    async def silent(reader, writer):
        await reader.read()

    plain = await AsyncioBackend().connect_tcp("127.0.0.1", await serve(silent), timeout=5)
    with pytest.raises(httpcore2.ConnectTimeout):
        await plain.start_tls(
            ssl.create_default_context(), server_hostname="localhost", timeout=0.1
        )


async def test_httpx2_over_https_on_the_backend(serve, authority):
    """A whole HTTPS exchange through an httpx2 client switched to the backend."""

    async def https(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        await writer.drain()
        await reader.read()

    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(server_context)
    port = await serve(https, ssl_context=server_context)
    trusted = ssl.create_default_context()
    authority.configure_trust(trusted)
    async with httpx2.AsyncClient(verify=trusted) as client:
        assert use_asyncio_backend(client)
        response = await client.get(f"https://localhost:{port}/")
    assert response.status_code == 200
    assert response.text == "ok"


async def test_https_through_a_connect_proxy_streams_on_the_backend(serve, authority):
    """The proxy path: a CONNECT on a plain connection, then TLS started on that same
    connection, then a streamed answer read chunk by chunk."""
    events = [f"data: {index}\n\n".encode() for index in range(50)]

    async def sse(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n")
        writer.write(b"transfer-encoding: chunked\r\n\r\n")
        for event in events:
            writer.write(b"%x\r\n%s\r\n" % (len(event), event))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        await reader.read()

    async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
        sink.close()

    tunnels: list[str] = []

    async def connect_proxy(reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ")
        assert method == "CONNECT"
        tunnels.append(target)
        port = target.rpartition(":")[2]
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(server_context)
    target_port = await serve(sse, ssl_context=server_context)
    proxy_port = await serve(connect_proxy)
    trusted = ssl.create_default_context()
    authority.configure_trust(trusted)

    async with httpx2.AsyncClient(
        verify=trusted, proxy=f"http://127.0.0.1:{proxy_port}", trust_env=False
    ) as client:
        assert use_asyncio_backend(client)
        proxies = [mount._pool for mount in client._mounts.values() if mount is not None]
        assert proxies
        assert all(type(pool._network_backend) is AsyncioBackend for pool in proxies)
        async with client.stream("GET", f"https://localhost:{target_port}/events") as response:
            assert response.status_code == 200
            lines = [line async for line in response.aiter_lines() if line]
    assert tunnels == [f"localhost:{target_port}"]
    assert lines == [f"data: {index}" for index in range(50)]


# -- how the async client chooses it --------------------------------------------------------


def _backends(client: AsyncInferenceClient) -> set[type]:
    return {type(client._http.client._transport._pool._network_backend)}


async def test_the_clients_own_httpx2_client_runs_on_the_asyncio_backend(
    local_registry, local_server, monkeypatch
):
    monkeypatch.delenv("INFERMUX_ASYNC_HTTP", raising=False)
    local_server.queue(ok("on asyncio"))
    async with AsyncInferenceClient(
        provider="local", model="local-model", registry=local_registry
    ) as client:
        assert isinstance(client._http, AsyncHTTP)
        # Fails if an httpx2 release moves the pool: the client would silently fall back.
        assert _backends(client) == {AsyncioBackend}
        out = await client.chat_completion(MESSAGES)
    assert out.choices[0].message.content == "on asyncio"


async def test_anyio_keeps_httpcore2s_own_backend(local_registry, local_server, monkeypatch):
    monkeypatch.setenv("INFERMUX_ASYNC_HTTP", "anyio")
    local_server.queue(ok("on anyio"))
    async with AsyncInferenceClient(
        provider="local", model="local-model", registry=local_registry
    ) as client:
        assert AsyncioBackend not in _backends(client)
        out = await client.chat_completion(MESSAGES)
    assert out.choices[0].message.content == "on anyio"


async def test_a_callers_httpx2_client_is_left_as_configured(local_registry, monkeypatch):
    monkeypatch.delenv("INFERMUX_ASYNC_HTTP", raising=False)
    async with httpx2.AsyncClient() as mine:
        client = AsyncInferenceClient(provider="local", registry=local_registry, http_client=mine)
        assert type(mine._transport._pool._network_backend) is not AsyncioBackend
        await client.aclose()


async def test_environment_proxies_are_switched_too(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    async with httpx2.AsyncClient() as client:
        assert use_asyncio_backend(client)
        pools = [mount._pool for mount in client._mounts.values() if mount is not None]
        assert pools
        assert all(type(pool._network_backend) is AsyncioBackend for pool in pools)


def test_an_unknown_transport_name_is_refused_naming_the_choices(local_registry, monkeypatch):
    monkeypatch.setenv("INFERMUX_ASYNC_HTTP", "curl")
    with pytest.raises(ConfigurationError) as caught:
        AsyncInferenceClient(provider="local", registry=local_registry)
    message = str(caught.value)
    assert "'curl'" in message
    for choice in ("httpx2", "anyio", "aiohttp"):
        assert choice in message
