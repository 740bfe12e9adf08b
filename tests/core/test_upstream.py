"""Canaries for the private APIs infermux relies on (all in ``infermux.upstream``).

Each test fails when a Python or httpx2 release changes what a speed trick relies on, so
the trick is revisited instead of silently falling back to the slow path.
"""

from __future__ import annotations

import os

import httpcore2
import httpx2
import pytest

from infermux import upstream
from infermux.transport.asyncio_network import AsyncioBackend


def test_os_environ_is_backed_by_a_dict_of_encoded_names(monkeypatch):
    found = upstream.environ_data()
    assert found is not None, "os.environ no longer keeps _data / encodekey"
    data, encode = found
    name = "INFERMUX_UPSTREAM_CANARY"
    monkeypatch.setenv(name, "one")
    assert data.get(encode(name)) == os.environ.encodevalue("one")  # type: ignore[attr-defined]
    monkeypatch.delenv(name)
    assert data.get(encode(name)) is None


def test_the_auth_module_reads_the_environment_through_it():
    from infermux import auth

    assert auth._ENVIRON_DATA is not None, "routing fell back to os.environ.get"


def test_httpx2_client_picks_its_transport_for_a_url():
    with httpx2.Client() as client:
        router = upstream.transport_router(client)
        assert router is not None, "httpx2.Client._transport_for_url is gone"
        transport = router(httpx2.URL("https://example.com/v1"))
        assert transport is client._transport
        assert callable(transport.handle_request)
    mounted = httpx2.HTTPTransport()
    with httpx2.Client(mounts={"https://mounted.example": mounted}) as client:
        router = upstream.transport_router(client)
        assert router is not None
        assert router(httpx2.URL("https://mounted.example/x")) is mounted


async def test_httpx2_async_client_pools_take_a_network_backend():
    async with httpx2.AsyncClient() as client:
        pool = client._transport._pool
        assert isinstance(pool, httpcore2.AsyncConnectionPool)
        assert hasattr(pool, "_network_backend"), "httpcore2 pools no longer hold a backend"
        backend = AsyncioBackend()
        assert upstream.set_network_backend(client, backend) is True
        assert pool._network_backend is backend


def test_something_without_the_private_attributes_falls_back():
    class Plain:
        pass

    assert upstream.transport_router(Plain()) is None
    assert upstream.set_network_backend(Plain(), object()) is False


@pytest.mark.parametrize("name", upstream.__all__)
def test_every_trick_is_documented_in_the_module_docstring(name):
    assert f":func:`{name}`" in (upstream.__doc__ or "")
