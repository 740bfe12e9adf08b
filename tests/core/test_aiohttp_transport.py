"""The optional aiohttp transport behaves as the httpx2 one: the async half of the fault
suite (retries, timeouts, bodies, streams, hang-ups, key hygiene) runs again on it, plus the
ways to choose it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("aiohttp")

import aiohttp

from infermux import AsyncInferenceClient
from infermux.transport.aiohttp import AiohttpHTTP
from infermux.transport.http import AsyncHTTP
from tests.core.both_clients import invoke
from tests.core.test_faults import *  # noqa: F403 - the same tests, on the other transport
from tests.core.test_faults import MESSAGES, ok


@pytest.fixture(params=["async"])
def kind(request: pytest.FixtureRequest) -> str:
    """Only the async client has a choice of transport."""
    return str(request.param)


@pytest.fixture(autouse=True)
def _aiohttp_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFERMUX_ASYNC_HTTP", "aiohttp")


async def test_the_variable_selects_aiohttp_for_the_clients_own_session(local_registry):
    async with AsyncInferenceClient(provider="local", registry=local_registry) as client:
        assert isinstance(client._http, AiohttpHTTP)
        assert client._http.owned


async def test_without_the_variable_the_transport_is_httpx2(local_registry, monkeypatch):
    monkeypatch.delenv("INFERMUX_ASYNC_HTTP")
    async with AsyncInferenceClient(provider="local", registry=local_registry) as client:
        assert isinstance(client._http, AsyncHTTP)


async def test_a_callers_session_is_used_and_left_open(local_registry, local_server, monkeypatch):
    monkeypatch.delenv("INFERMUX_ASYNC_HTTP")
    local_server.queue(ok("from a session"))
    async with aiohttp.ClientSession() as session:
        async with AsyncInferenceClient(
            provider="local", model="local-model", registry=local_registry, http_client=session
        ) as client:
            assert isinstance(client._http, AiohttpHTTP)
            out = await invoke(client, "chat_completion", MESSAGES)
        assert out.choices[0].message.content == "from a session"
        assert not session.closed  # the caller's session: the caller closes it


def test_aiohttp_is_imported_only_when_chosen() -> None:
    code = (
        "import sys\n"
        "from infermux import AsyncInferenceClient, InferenceClient\n"
        "from infermux.registry.store import ProviderRegistry\n"
        "from infermux import register_openai_compatible\n"
        "registry = ProviderRegistry()\n"
        "register_openai_compatible('x', base_url='http://127.0.0.1:9/v1', api_key_env='K',"
        " tasks=['conversational'], registry=registry)\n"
        "AsyncInferenceClient(provider='x', registry=registry)\n"
        "InferenceClient(provider='x', registry=registry)\n"
        "assert 'aiohttp' not in sys.modules, 'aiohttp imported'\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "INFERMUX_ASYNC_HTTP"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
