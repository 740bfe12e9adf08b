"""Fault injection: the real engine and HTTP stack, sync and async, against a scripted
server on 127.0.0.1 (see ``localserver.py``).

Waits stay tiny: servers ask for ``Retry-After: 0``, and where the client would back off
on its own (connection errors) it is given a ``RetryPolicy`` with millisecond delays.
"""

from __future__ import annotations

import gc
import json
import time
from typing import Any

import pytest

from infermux.errors import (
    AuthenticationError,
    BadRequestError,
    InfermuxError,
    ModelLoadingError,
    NotFoundError,
    ProviderHTTPError,
    RateLimitError,
    RequestTimeoutError,
    ResponseFormatError,
    ServerError,
    StreamError,
    TransportError,
)
from infermux.testing import FakeClock
from infermux.transport.retry import RetryPolicy
from infermux.types import ChatCompletionOutput, ChatCompletionStreamOutput
from tests.core.both_clients import close, collect, invoke, next_item, open_client
from tests.core.conftest import LOCAL_KEY
from tests.core.localserver import Reply, free_port

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

MESSAGES = [{"role": "user", "content": "Hello"}]
FAST = RetryPolicy(max_retries=2, initial_delay=0.005, max_delay=0.02)
NOW = {"retry-after": "0"}


def chat_body(content: str = "Hi there") -> dict[str, Any]:
    return {
        "id": "cmpl-1",
        "object": "chat.completion",
        "model": "local-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
    }


def chunk(content: str, finish: str | None = None) -> bytes:
    body = {
        "id": "cmpl-1",
        "object": "chat.completion.chunk",
        "model": "local-model",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


def ok(content: str = "Hi there") -> Reply:
    return Reply(200, json=chat_body(content), headers={"x-request-id": "req-ok"})


def error(status: int, message: str, **headers: str) -> Reply:
    return Reply(
        status, json={"error": {"message": message, "type": "server_error"}}, headers=headers
    )


@pytest.fixture
def clock() -> FakeClock:
    """Virtual time: retry back-off and model-loading waits pass in no real time."""
    return FakeClock()


@pytest.fixture
def client_for(kind, local_registry, clock):
    """``async with client_for(**options) as client``: a client of the test's kind on ``local``."""

    def make(**options: Any) -> Any:
        options.setdefault("timeout", 5.0)
        options.setdefault("clock", clock)
        return open_client(
            kind, provider="local", model="local-model", registry=local_registry, **options
        )

    return make


def assert_no_key(exc: BaseException) -> None:
    for text in (str(exc), repr(exc), str(exc.args)):
        assert LOCAL_KEY not in text
    if exc.__cause__ is not None:
        assert LOCAL_KEY not in str(exc.__cause__)


# -- success and the wire format -----------------------------------------------------------


async def test_plain_call_sends_the_key_as_bearer_to_the_local_server(client_for, local_server):
    local_server.queue(ok())
    async with client_for() as client:
        out = await invoke(client, "chat_completion", MESSAGES, max_tokens=5)
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content == "Hi there"
    (seen,) = local_server.requests
    assert (seen.method, seen.path) == ("POST", "/v1/chat/completions")
    assert seen.headers["authorization"] == f"Bearer {LOCAL_KEY}"
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["user-agent"].startswith("infermux/")
    assert seen.json() == {
        "messages": MESSAGES,
        "max_tokens": 5,
        "model": "local-model",
        "stream": False,
    }


# -- retries -----------------------------------------------------------------------------------


async def test_429_with_retry_after_then_success(client_for, local_server):
    local_server.queue(error(429, "slow down", **NOW), ok())
    async with client_for(max_retries=2) as client:
        out = await invoke(client, "chat_completion", MESSAGES)
    assert out.choices[0].message.content == "Hi there"
    assert len(local_server.requests) == 2
    assert local_server.requests[0].body == local_server.requests[1].body


async def test_429_honours_retry_after_ms(client_for, local_server, clock):
    local_server.queue(error(429, "slow down", **{"retry-after-ms": "120"}), ok())
    async with client_for(max_retries=1) as client:
        await invoke(client, "chat_completion", MESSAGES)
    assert clock.sleeps == [0.12]
    assert len(local_server.requests) == 2


async def test_429_until_retries_run_out(client_for, local_server):
    local_server.queue(*[error(429, "quota exhausted", **NOW)] * 3)
    async with client_for(max_retries=2) as client:
        with pytest.raises(RateLimitError) as raised:
            await invoke(client, "chat_completion", MESSAGES)
    assert raised.value.status_code == 429
    assert raised.value.provider_message == "quota exhausted"
    assert len(local_server.requests) == 3


async def test_model_loading_503_waits_then_succeeds(client_for, local_server, clock):
    local_server.queue(Reply(503, json={"error": "loading", "estimated_time": 0.01}), ok())
    async with client_for(max_retries=0) as client:  # loading waits do not count as retries
        out = await invoke(client, "chat_completion", MESSAGES)
    assert out.choices[0].message.content == "Hi there"
    assert len(local_server.requests) == 2
    assert clock.sleeps == [0.5]  # the estimate, raised to the core's floor of 0.5 s


async def test_model_loading_without_waiting(client_for, local_server):
    local_server.queue(Reply(503, json={"error": "Model is loading", "estimated_time": 0.01}))
    async with client_for(wait_for_model=False, max_retries=0) as client:
        with pytest.raises(ModelLoadingError) as raised:
            await invoke(client, "chat_completion", MESSAGES)
    assert raised.value.status_code == 503
    assert raised.value.provider_message == "Model is loading"
    assert len(local_server.requests) == 1


async def test_model_loading_longer_than_allowed(client_for, local_server, clock):
    local_server.queue(Reply(503, json={"error": "loading", "estimated_time": 3600}))
    async with client_for() as client:
        with pytest.raises(ModelLoadingError):
            await invoke(client, "chat_completion", MESSAGES)
    assert clock.sleeps == []  # it did not sleep for an hour first
    assert len(local_server.requests) == 1


async def test_500_three_times_carries_the_context(client_for, local_server):
    local_server.queue(
        *[
            error(500, "the GPU caught fire", **NOW, **{"x-request-id": f"req-{n}"})
            for n in range(3)
        ]
    )
    async with client_for(max_retries=2) as client:
        with pytest.raises(ServerError) as raised:
            await invoke(client, "chat_completion", MESSAGES)
    exc = raised.value
    assert type(exc) is ServerError
    assert exc.provider == "local"
    assert exc.status_code == 500
    assert exc.request_id == "req-2"  # the last answer's
    assert exc.provider_message == "the GPU caught fire"
    assert exc.body == {"error": {"message": "the GPU caught fire", "type": "server_error"}}
    assert exc.url == f"{local_server.url}/v1/chat/completions"
    assert str(exc) == (
        "local returned HTTP 500: the GPU caught fire (request id req-2) (model 'local-model')"
    )
    assert exc.model == "local-model"
    assert len(local_server.requests) == 3


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, NotFoundError),
        (413, BadRequestError),
        (422, BadRequestError),
        (409, ProviderHTTPError),
    ],
)
async def test_client_errors_are_not_retried(client_for, local_server, status, cls):
    local_server.queue(error(status, f"nope {status}", **NOW), ok())
    async with client_for(max_retries=2) as client:
        with pytest.raises(cls) as raised:
            await invoke(client, "chat_completion", MESSAGES)
    assert raised.value.status_code == status
    assert raised.value.provider_message == f"nope {status}"
    assert len(local_server.requests) == 1


@pytest.mark.parametrize("status", [408, 502, 503, 504])
async def test_other_retryable_statuses(client_for, local_server, status):
    local_server.queue(error(status, "transient", **NOW), ok())
    async with client_for(max_retries=1) as client:
        await invoke(client, "chat_completion", MESSAGES)
    assert len(local_server.requests) == 2


async def test_max_retries_zero_turns_retries_off(client_for, local_server):
    local_server.queue(error(503, "busy", **NOW), ok())
    async with client_for(max_retries=0) as client:
        with pytest.raises(ServerError, match="busy"):
            await invoke(client, "chat_completion", MESSAGES)
    assert len(local_server.requests) == 1


async def test_connection_refused_after_retries(kind, local_registry, sent):
    from infermux import register_openai_compatible

    port = free_port()
    register_openai_compatible(
        "nowhere",
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key_env="LOCAL_KEY",
        registry=local_registry,
    )
    http = sent.client() if kind == "sync" else sent.async_client()
    async with open_client(
        kind, provider="nowhere", model="m", registry=local_registry, retry=FAST, http_client=http
    ) as client:
        with pytest.raises(TransportError) as raised:
            await invoke(client, "chat_completion", MESSAGES)
    exc = raised.value
    assert type(exc) is TransportError
    assert exc.provider == "nowhere"
    assert exc.url == f"http://127.0.0.1:{port}/v1/chat/completions"
    assert "127.0.0.1" in str(exc)
    assert len(sent.requests) == 3  # the first try and two retries
    assert_no_key(exc)
    await http.aclose() if kind == "async" else http.close()


async def test_server_that_never_answers_times_out(client_for, local_server):
    local_server.queue(Reply(hang=True))
    started = time.monotonic()
    async with client_for(timeout=0.2, max_retries=0) as client:
        with pytest.raises(RequestTimeoutError) as raised:
            await invoke(client, "chat_completion", MESSAGES)
    assert time.monotonic() - started < 20.0  # the server would hang for MAX_WAIT (60 s)
    assert raised.value.provider == "local"
    assert "Timed out" in str(raised.value)
    assert isinstance(raised.value, TransportError)
    assert len(local_server.requests) == 1
    assert local_server.requests[0].client_hung_up.wait(2.0)


# -- bodies of the wrong shape ---------------------------------------------------------------


async def test_malformed_json_on_200(client_for, local_server):
    local_server.queue(
        Reply(200, body=b'{"choices": [', headers={"content-type": "application/json"})
    )
    async with client_for() as client:
        with pytest.raises(ResponseFormatError) as raised:
            await invoke(client, "chat_completion", MESSAGES)
    assert raised.value.provider == "local"
    assert raised.value.task == "conversational"
    assert '{"choices": [' in str(raised.value)
    assert len(local_server.requests) == 1


async def test_json_of_the_wrong_type_on_200(client_for, local_server):
    local_server.queue(Reply(200, json=["not", "an", "object"]))
    async with client_for() as client:
        with pytest.raises(ResponseFormatError, match="local returned a conversational body"):
            await invoke(client, "chat_completion", MESSAGES)


async def test_chat_body_without_choices_on_200(client_for, local_server):
    local_server.queue(Reply(200, json={"status": "queued"}))
    async with client_for() as client:
        with pytest.raises(ResponseFormatError, match="field 'choices': Field required"):
            await invoke(client, "chat_completion", MESSAGES)


async def test_html_error_page(client_for, local_server):
    page = (
        "<html><head><title>502 Bad Gateway</title></head><body><center>"
        "<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
    )
    local_server.queue(Reply(502, body=page, headers={"content-type": "text/html"}))
    async with client_for(max_retries=0) as client:
        with pytest.raises(ServerError) as raised:
            await invoke(client, "chat_completion", MESSAGES)
    assert raised.value.status_code == 502
    assert "502 Bad Gateway" in str(raised.value)
    assert raised.value.body == page


async def test_huge_error_page_is_cut_in_the_message(client_for, local_server):
    local_server.queue(Reply(500, body="x" * 10_000, headers={"content-type": "text/plain"}))
    async with client_for(max_retries=0) as client:
        with pytest.raises(ServerError) as raised:
            await invoke(client, "chat_completion", MESSAGES)
    assert len(str(raised.value)) < 700
    assert raised.value.body == "x" * 2000  # an excerpt only (issue 14: errors keep no big body)


# -- streaming ---------------------------------------------------------------------------------


async def test_stream(client_for, local_server):
    local_server.queue(
        Reply(
            chunks=[
                b": keep-alive\n\n",
                chunk("Deep"),
                chunk(" learn")[:30],  # an event split across writes
                chunk(" learn")[30:],
                chunk("ing", finish="stop"),
                b"data: [DONE]\n\n",
                chunk("after done, never parsed"),
            ],
            headers={"x-request-id": "req-stream"},
            hold_open=True,  # [DONE] must end the stream, not the end of the connection
        )
    )
    started = time.monotonic()
    async with client_for() as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        chunks = await collect(stream)
        assert time.monotonic() - started < 20.0  # the server holds on for MAX_WAIT (60 s)
        assert local_server.requests[0].client_hung_up.wait(2.0)
    assert all(isinstance(c, ChatCompletionStreamOutput) for c in chunks)
    assert "".join(c.choices[0].delta.content for c in chunks) == "Deep learning"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert stream.response_info.provider == "local"
    assert stream.response_info.request_id == "req-stream"
    (seen,) = local_server.requests
    assert seen.json()["stream"] is True
    assert seen.headers["authorization"] == f"Bearer {LOCAL_KEY}"


async def test_stream_without_done_ends_with_the_connection(client_for, local_server):
    # An in-house endpoint may not send [DONE]: its stream ends with the connection. The
    # last event lacks its blank line, so (per the SSE spec) it is discarded, not parsed.
    local_server.queue(Reply(chunks=[chunk("a"), chunk("b")[:-2]]))  # last event unterminated
    async with client_for() as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        chunks = await collect(stream)
    assert [c.choices[0].delta.content for c in chunks] == ["a"]


async def test_error_event_inside_the_stream(client_for, local_server):
    failure = {"error": {"message": "model crashed mid-stream", "type": "server_error"}}
    local_server.queue(
        Reply(
            chunks=[chunk("Hel"), f"data: {json.dumps(failure)}\n\n".encode(), chunk("lo")],
            hold_open=True,
        )
    )
    received: list[Any] = []
    async with client_for() as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        with pytest.raises(StreamError) as raised:
            await drain_into(stream, received)
    assert [c.choices[0].delta.content for c in received] == ["Hel"]
    assert raised.value.provider == "local"
    assert "model crashed mid-stream" in str(raised.value)
    assert raised.value.event == failure
    assert local_server.requests[0].client_hung_up.wait(2.0)  # the error closed the stream


async def test_error_status_on_a_stream_request(client_for, local_server):
    local_server.queue(
        error(429, "slow down", **NOW), Reply(chunks=[chunk("ok"), b"data: [DONE]\n\n"])
    )
    async with client_for(max_retries=1) as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        chunks = await collect(stream)
    assert [c.choices[0].delta.content for c in chunks] == ["ok"]
    assert len(local_server.requests) == 2


async def test_stream_error_status_after_retries(client_for, local_server):
    local_server.queue(error(401, "bad key"))
    async with client_for() as client:
        with pytest.raises(AuthenticationError, match="bad key"):
            await invoke(client, "chat_completion", MESSAGES, stream=True)


async def drain_into(stream: Any, received: list[Any]) -> None:
    if hasattr(stream, "__aiter__"):
        async for item in stream:
            received.append(item)
    else:
        received.extend(stream)


def _streaming_reply() -> Reply:
    return Reply(chunks=[chunk("first"), chunk("second")], hold_open=True)


async def test_abandoned_stream_closed_explicitly(client_for, local_server):
    local_server.queue(_streaming_reply())
    async with client_for() as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        first = await next_item(stream)
        assert first.choices[0].delta.content == "first"
        await close(stream)
        assert local_server.requests[0].client_hung_up.wait(2.0)
        await close(stream)  # idempotent


async def test_stream_left_by_break_and_closed_by_with_block(kind, client_for, local_server):
    local_server.queue(_streaming_reply())
    async with client_for() as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        if kind == "sync":
            with stream:
                for _ in stream:
                    break
        else:
            async with stream:
                async for _ in stream:
                    break
        assert local_server.requests[0].client_hung_up.wait(2.0)


async def test_abandoned_stream_collected_by_gc(client_for, local_server):
    local_server.queue(_streaming_reply())
    async with client_for() as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        await next_item(stream)
        hung_up = local_server.requests[0].client_hung_up
        del stream
        for _ in range(20):
            gc.collect()
            await _yield_to_loop()
            if hung_up.wait(0.05):
                break
        assert hung_up.is_set()


async def test_stream_abandoned_before_iterating(client_for, local_server):
    local_server.queue(_streaming_reply())
    async with client_for() as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        hung_up = local_server.requests[0].client_hung_up
        del stream
        for _ in range(20):
            gc.collect()
            await _yield_to_loop()
            if hung_up.wait(0.05):
                break
        assert hung_up.is_set()


async def _yield_to_loop() -> None:
    import asyncio

    await asyncio.sleep(0)


# -- keys never leak ---------------------------------------------------------------------------


async def test_key_echoed_by_the_server_is_redacted(client_for, local_server):
    local_server.queue(error(401, f"Invalid API key: {LOCAL_KEY}"))
    async with client_for() as client:
        with pytest.raises(AuthenticationError) as raised:
            await invoke(client, "chat_completion", MESSAGES)
    assert_no_key(raised.value)
    assert "Invalid API key: <redacted>" in str(raised.value)
    assert local_server.requests[0].headers["authorization"] == f"Bearer {LOCAL_KEY}"


async def test_key_echoed_inside_a_stream_is_redacted(client_for, local_server):
    failure = {"error": {"message": f"key {LOCAL_KEY} revoked"}}
    local_server.queue(Reply(chunks=[f"data: {json.dumps(failure)}\n\n".encode()]))
    async with client_for() as client:
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        with pytest.raises(StreamError) as raised:
            await collect(stream)
    assert_no_key(raised.value)


async def test_no_exception_or_repr_shows_the_key(kind, client_for, local_server):
    replies = [
        error(400, "bad"),
        error(500, "boom", **NOW),
        Reply(200, body=b"not json"),
        Reply(hang=True),
    ]
    errors: list[InfermuxError] = []
    # timeout bounds each attempt in total (issue 14): 1 s leaves a loaded machine room to
    # answer the three calls that must get an answer.
    async with client_for(max_retries=0, timeout=1.0, api_key=LOCAL_KEY) as client:
        assert LOCAL_KEY not in repr(client)
        assert LOCAL_KEY not in repr(client.engine.settings)
        for reply in replies:
            local_server.queue(reply)
            with pytest.raises(InfermuxError) as raised:
                await invoke(client, "chat_completion", MESSAGES)
            errors.append(raised.value)
    assert [type(e) for e in errors] == [
        BadRequestError,
        ServerError,
        ResponseFormatError,
        RequestTimeoutError,
    ]
    for exc in errors:
        assert_no_key(exc)
    assert all(s.headers["authorization"] == f"Bearer {LOCAL_KEY}" for s in local_server.requests)
