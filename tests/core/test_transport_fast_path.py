"""The client's own httpx2 client sends straight through its transport (see
``infermux.transport.http._router``); what ``client.send`` would have done still happens,
and a caller's ``http_client=`` keeps going through ``send``."""

from __future__ import annotations

import httpx2
import pytest

from infermux.transport.http import AsyncHTTP, SyncHTTP
from tests.core.both_clients import collect, invoke, open_client
from tests.core.test_faults import MESSAGES, Reply, chat_body, chunk, ok

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])


def _options(local_registry, **options):
    return {
        "provider": "local",
        "model": "local-model",
        "registry": local_registry,
        "timeout": 5.0,
        **options,
    }


async def test_cookies_set_by_the_server_come_back(kind, local_registry, local_server):
    local_server.queue(
        Reply(200, json=chat_body("first"), headers={"set-cookie": "lb=node-7; Path=/"}),
        ok("second"),
    )
    async with open_client(kind, **_options(local_registry)) as client:
        assert client._http._router is not None  # the fast path is in use
        await invoke(client, "chat_completion", MESSAGES)
        out = await invoke(client, "chat_completion", MESSAGES)
    assert out.choices[0].message.content == "second"
    first, second = local_server.requests
    assert "cookie" not in first.headers
    assert second.headers["cookie"] == "lb=node-7"


async def test_a_stream_on_the_fast_path(kind, local_registry, local_server):
    local_server.queue(Reply(chunks=[chunk("a"), chunk("b", finish="stop"), b"data: [DONE]\n\n"]))
    async with open_client(kind, **_options(local_registry)) as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        chunks = await collect(stream)
    assert [c.choices[0].delta.content for c in chunks] == ["a", "b"]


async def test_a_callers_client_goes_through_send(kind, local_registry, local_server):
    local_server.queue(ok("hooked"))
    seen: list[str] = []
    if kind == "sync":
        http_client: object = httpx2.Client(
            event_hooks={"request": [lambda r: seen.append(r.url.path)]}
        )
    else:

        async def hook(request: httpx2.Request) -> None:
            seen.append(request.url.path)

        http_client = httpx2.AsyncClient(event_hooks={"request": [hook]})
    try:
        async with open_client(kind, **_options(local_registry, http_client=http_client)) as client:
            assert client._http._router is None
            out = await invoke(client, "chat_completion", MESSAGES)
    finally:  # the caller's client: the caller closes it
        if isinstance(http_client, httpx2.Client):
            http_client.close()
        else:
            await http_client.aclose()  # type: ignore[attr-defined]
    assert out.choices[0].message.content == "hooked"
    assert seen == ["/v1/chat/completions"]  # the caller's event hook ran


async def test_only_owned_clients_take_the_fast_path() -> None:
    owned, supplied = SyncHTTP(), SyncHTTP(httpx2.Client())
    async_owned, async_supplied = AsyncHTTP(), AsyncHTTP(httpx2.AsyncClient())
    try:
        assert owned._router is not None
        assert supplied._router is None
        assert async_owned._router is not None
        assert async_supplied._router is None
    finally:
        owned.close()
        supplied.client.close()
        await async_owned.aclose()
        await async_supplied.client.aclose()


async def test_each_exchange_is_still_logged_on_httpx2s_logger(
    kind, local_registry, local_server, caplog
):
    local_server.queue(ok())
    with caplog.at_level("INFO", logger="httpx2"):
        async with open_client(kind, **_options(local_registry)) as client:
            await invoke(client, "chat_completion", MESSAGES)
    assert f"HTTP Request: POST {local_server.url}/v1/chat/completions" in caplog.text
