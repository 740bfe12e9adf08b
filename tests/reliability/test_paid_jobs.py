"""Issue 14, items 1 and 2: never bill a user twice, never leave an abandoned job running.

The real Replicate and fal-ai plugins talk to a scripted server on 127.0.0.1 (their
``base_url`` pointed at it): a prediction or queue submit that may have reached the
provider is never sent again, and a job the call leaves (its deadline, a poll that times
out at the deadline, Ctrl-C, a cancelled task, ``total_timeout``) gets its cancel request.
Sync and async alike; time bounds with generous margins.
"""

from __future__ import annotations

import asyncio
import base64
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest

from infermux import InferenceClient, TaskProviderHelper, register_provider
from infermux.engine import Send, Sleep
from infermux.errors import (
    DeadlineExceededError,
    JobError,
    JobMayExistError,
    JobTimeoutError,
    RateLimitError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerError,
    TransportError,
)
from infermux.helpers.base import Call, HTTPRequest, Payload, Response
from infermux.registry.store import ProviderRegistry
from infermux.testing import FakeClock
from infermux.transport.retry import RetryPolicy
from infermux.types import SummarizationOutput
from tests.core.both_clients import invoke, open_client, run
from tests.core.localserver import LocalServer, Reply, Seen, free_port

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

FAST = RetryPolicy(max_retries=3, initial_delay=0.005, max_delay=0.02)
UNBOUNDED = 10.0  # far above every bound under test
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@dataclass(frozen=True)
class Provider:
    """How one job provider submits, polls and cancels, on the local server."""

    name: str
    key_env: str
    method: str  # the client method
    model: str
    submit_path: str
    poll_path: str
    cancel: tuple[str, str]  # method, path

    def submitted(self, base: str) -> Reply:
        if self.name == "replicate":
            return Reply(
                201,
                json={
                    "id": "p1",
                    "status": "starting",
                    "urls": {
                        "get": f"{base}{self.poll_path}",
                        "cancel": f"{base}{self.cancel[1]}",
                    },
                },
            )
        return Reply(
            200,
            json={
                "request_id": "r1",
                "status": "IN_QUEUE",
                "status_url": f"{base}{self.poll_path}",
                "response_url": f"{base}/fal-ai/model/requests/r1",
                "cancel_url": f"{base}{self.cancel[1]}",
            },
        )

    def running(self) -> Reply:
        if self.name == "replicate":
            return Reply(200, json={"id": "p1", "status": "processing"})
        return Reply(200, json={"status": "IN_PROGRESS"})

    def failed(self) -> Reply:
        if self.name == "replicate":
            return Reply(200, json={"id": "p1", "status": "failed", "error": "out of memory"})
        return Reply(200, json={"status": "FAILED", "error": "out of memory"})


REPLICATE = Provider(
    "replicate",
    "REPLICATE_API_TOKEN",
    "text_to_image",
    "owner/model",
    "/v1/models/owner/model/predictions",
    "/v1/predictions/p1",
    ("POST", "/v1/predictions/p1/cancel"),
)
FAL = Provider(
    "fal-ai",
    "FAL_KEY",
    "text_to_video",
    "fal-ai/model",
    "/fal-ai/model",
    "/fal-ai/model/requests/r1/status",
    ("PUT", "/fal-ai/model/requests/r1/cancel"),
)
PROVIDERS = {"replicate": REPLICATE, "fal-ai": FAL}


@pytest.fixture(params=sorted(PROVIDERS))
def provider(request: pytest.FixtureRequest) -> Provider:
    return PROVIDERS[str(request.param)]


class Script:
    """Answers the local server by (method, path): submits, polls and cancels."""

    def __init__(self, server: LocalServer, provider: Provider) -> None:
        self.server = server
        self.provider = provider
        self.submit: Callable[[Seen], Reply] = lambda seen: provider.submitted(server.url)
        self.poll: Callable[[Seen], Reply] = lambda seen: provider.running()
        self.cancel_reply: Callable[[Seen], Reply] = lambda seen: Reply(200, json={})
        server.responder = self.respond

    def respond(self, seen: Seen) -> Reply:
        path = seen.path.split("?", 1)[0]
        if (seen.method, path) == ("POST", self.provider.submit_path):
            return self.submit(seen)
        if (seen.method, path) == self.provider.cancel:
            return self.cancel_reply(seen)
        if path == self.provider.poll_path:
            return self.poll(seen)
        if path == "/media.png":
            return Reply(200, body=PNG, headers={"Content-Type": "image/png"})
        return Reply(404, json={"detail": f"no route {seen.method} {path}"})

    def count(self, method: str, path: str) -> int:
        return sum(
            1 for r in self.server.requests if (r.method, r.path.split("?")[0]) == (method, path)
        )

    @property
    def submits(self) -> int:
        return self.count("POST", self.provider.submit_path)

    @property
    def cancels(self) -> int:
        return self.count(*self.provider.cancel)


def client_options(provider: Provider, server: LocalServer, **options: Any) -> dict[str, Any]:
    options.setdefault("timeout", 5.0)
    options.setdefault("retry", FAST)
    options.setdefault("poll_interval", 0.01)
    return {
        "provider": provider.name,
        "base_url": server.url,
        "api_key": "test-key-not-real",
        "hub_lookup": False,
        **options,
    }


async def call(kind: str, provider: Provider, server: LocalServer, **options: Any) -> Any:
    async with open_client(kind, **client_options(provider, server, **options)) as client:
        return await invoke(client, provider.method, "a cat", model=provider.model)


# -- item 1: a request that creates a job is sent at most once ---------------------------


async def test_a_submit_that_times_out_is_not_sent_again(kind, provider, local_server):
    script = Script(local_server, provider)
    script.submit = lambda seen: Reply(hang=True)
    with pytest.raises(JobMayExistError) as caught:
        await call(kind, provider, local_server, timeout=0.5)
    assert script.submits == 1
    error = caught.value
    assert isinstance(error.__cause__, RequestTimeoutError)
    assert "not sent again" in str(error)
    assert "may be running" in str(error)
    assert error.provider == provider.name
    assert error.how_to_find
    where = (
        "https://replicate.com/predictions" if provider.name == "replicate" else "https://fal.ai"
    )
    assert where in error.how_to_find


async def test_a_submit_answered_with_a_5xx_is_not_sent_again(kind, provider, local_server):
    script = Script(local_server, provider)
    script.submit = lambda seen: Reply(
        502, json={"detail": "bad gateway"}, headers={"x-request-id": "req-502", "retry-after": "0"}
    )
    with pytest.raises(JobMayExistError) as caught:
        await call(kind, provider, local_server)
    assert script.submits == 1
    assert isinstance(caught.value.__cause__, ServerError)
    assert caught.value.request_id == "req-502"
    assert "req-502" in caught.value.how_to_find


async def test_a_submit_refused_with_429_is_sent_again(kind, local_server):
    """429 means the provider did nothing with the request: resending it is safe."""
    script = Script(local_server, REPLICATE)
    answers = iter(
        [
            Reply(429, json={"detail": "slow down"}, headers={"retry-after": "0"}),
            Reply(
                201,
                json={
                    "id": "p1",
                    "status": "succeeded",
                    "output": [f"{local_server.url}/media.png"],
                },
            ),
        ]
    )
    script.submit = lambda seen: next(answers)
    out = await call(kind, REPLICATE, local_server)
    assert out.content == PNG
    assert script.submits == 2


async def test_a_rejected_submit_is_the_providers_error(kind, local_server):
    """A 4xx created nothing: the usual typed error, not 'the job may exist'."""
    script = Script(local_server, REPLICATE)
    script.submit = lambda seen: Reply(429, json={"detail": "quota"}, headers={"retry-after": "0"})
    with pytest.raises(RateLimitError):
        await call(kind, REPLICATE, local_server)
    assert script.submits == 1 + FAST.max_retries


def test_the_retry_policy_resends_only_what_certainly_never_arrived():
    """The engine's decision, driven by hand: a failure before the request was written
    (connection refused) is retried; one after it may have arrived is not."""
    registry = ProviderRegistry()
    client = InferenceClient(provider="replicate", api_key="k", hub_lookup=False, retry=FAST)
    with client:
        engine = client.engine
        request = HTTPRequest("POST", "https://api.replicate.com/v1/predictions", creates_job=True)
        sending = engine.sender.send(request, None, "replicate", None)
        assert isinstance(next(sending), Send)
        refused = TransportError("connection refused", request_sent=False)
        assert isinstance(sending.throw(refused), Sleep)  # backs off...
        assert isinstance(next(sending), Send)  # ...and sends again
        with pytest.raises(JobMayExistError):
            sending.throw(RequestTimeoutError("read timed out"))  # may have arrived
    del registry


@pytest.mark.parametrize(
    ("kind", "async_transport"),
    [("sync", "httpx2"), ("async", "httpx2"), ("async", "anyio"), ("async", "aiohttp")],
)
async def test_transports_tell_whether_a_request_certainly_never_arrived(
    kind, async_transport, local_server, monkeypatch
):
    monkeypatch.setenv("INFERMUX_ASYNC_HTTP", async_transport)
    refused_url = f"http://127.0.0.1:{free_port()}"
    options = {"retry": RetryPolicy(max_retries=0), "timeout": 0.5}
    async with open_client(kind, **client_options(REPLICATE, local_server, **options)) as client:
        with pytest.raises(TransportError) as refused:
            await run(client.request, f"{refused_url}/x", method="GET", provider="replicate")
        local_server.queue(Reply(hang=True))
        with pytest.raises(RequestTimeoutError) as timed_out:
            await run(client.request, f"{local_server.url}/x", method="GET", provider="replicate")
    assert refused.value.request_sent is False
    assert timed_out.value.request_sent is True


class IdempotentSummarizer(TaskProviderHelper):
    """A provider documenting an idempotency key for the request that starts its job."""

    provider = "idempotent"
    task = "summarization"
    requires_key = False
    needs_model_mapping = False
    creates_job = True
    idempotency_header = "Idempotency-Key"

    def prepare_route(self, call: Call) -> str:
        return "/jobs"

    def prepare_payload(self, call: Call) -> Payload:
        return {"text": call.inputs}

    def parse_response(self, response: Response, call: Call) -> Any:
        return SummarizationOutput(summary_text=response.json()["summary"])


async def test_an_idempotency_key_makes_a_job_request_safe_to_resend(kind, local_server):
    registry = ProviderRegistry()
    helper = IdempotentSummarizer()
    helper.base_url = local_server.url
    register_provider(helper, registry=registry)
    local_server.queue(
        Reply(503, json={"error": "busy"}, headers={"retry-after": "0"}),
        Reply(200, json={"summary": "short"}),
    )
    async with open_client(
        kind, provider="idempotent", model="m", registry=registry, retry=FAST
    ) as client:
        out = await invoke(client, "summarization", "a long text")
    assert out.summary_text == "short"
    first, second = local_server.requests
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert len(first.headers["idempotency-key"]) >= 32


async def test_a_media_download_over_max_media_bytes_stops_at_the_cap(kind, local_server):
    script = Script(local_server, REPLICATE)
    script.submit = lambda seen: Reply(
        201, json={"id": "p1", "status": "succeeded", "output": [f"{local_server.url}/big.png"]}
    )
    big = PNG + bytes(3 * 1024 * 1024)
    local_server.responder = lambda seen: (
        Reply(200, body=big, headers={"Content-Type": "image/png"})
        if seen.path == "/big.png"
        else script.respond(seen)
    )
    with pytest.raises(ResponseTooLargeError, match="max_media_bytes=1,048,576"):
        await call(kind, REPLICATE, local_server, max_media_bytes=1024 * 1024)
    out = await call(kind, REPLICATE, local_server)  # the default cap (1 GiB) lets it through
    assert len(out.content) == len(big)


# -- item 2: a job the call leaves is cancelled ------------------------------------------


async def test_a_job_past_its_deadline_is_cancelled(kind, provider, local_server):
    script = Script(local_server, provider)
    with pytest.raises(JobTimeoutError):
        await call(kind, provider, local_server, job_timeout=0.5, poll_interval=0.05)
    assert script.cancels == 1


async def test_a_last_poll_timing_out_at_the_deadline_cancels_the_job(kind, provider, local_server):
    script = Script(local_server, provider)
    script.poll = lambda seen: Reply(hang=True)
    started = time.monotonic()
    with pytest.raises(JobTimeoutError):
        await call(kind, provider, local_server, job_timeout=1.0, timeout=30.0)
    assert time.monotonic() - started < UNBOUNDED
    assert script.cancels == 1


@pytest.mark.slow
async def test_poll_retries_cannot_overrun_the_job_deadline(kind, local_server):
    """Each retry of a poll gets only the time left: twenty retries of a hanging poll with a
    30 s timeout end at the 1 s deadline (each retry once had the whole remaining time)."""
    script = Script(local_server, REPLICATE)
    script.poll = lambda seen: Reply(hang=True)
    policy = RetryPolicy(max_retries=20, initial_delay=0.001, max_delay=0.002)
    started = time.monotonic()
    with pytest.raises(JobTimeoutError):
        await call(kind, REPLICATE, local_server, job_timeout=1.0, timeout=30.0, retry=policy)
    assert time.monotonic() - started < UNBOUNDED
    assert script.cancels == 1


async def test_total_timeout_cancels_a_running_job(kind, provider, local_server):
    script = Script(local_server, provider)
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError):
        await call(kind, provider, local_server, total_timeout=1.0, poll_interval=0.05)
    assert time.monotonic() - started < UNBOUNDED
    assert script.cancels == 1


async def test_a_job_the_provider_failed_is_not_cancelled(kind, provider, local_server):
    script = Script(local_server, provider)
    script.poll = lambda seen: provider.failed()
    with pytest.raises(JobError, match="out of memory"):
        await call(kind, provider, local_server)
    assert script.cancels == 0


async def test_a_cancel_that_hangs_is_bounded_by_a_short_timeout(kind, local_server):
    script = Script(local_server, REPLICATE)
    script.cancel_reply = lambda seen: Reply(hang=True)
    started = time.monotonic()
    with pytest.raises(JobTimeoutError):
        await call(kind, REPLICATE, local_server, job_timeout=0.5, timeout=1.0)
    assert time.monotonic() - started < UNBOUNDED
    assert script.cancels == 1


def test_keyboard_interrupt_cancels_the_job_then_propagates(local_server):
    """Ctrl-C while a poll is waiting on the provider: a real SIGINT to the main thread."""
    script = Script(local_server, REPLICATE)
    main = threading.main_thread().ident
    assert main == threading.get_ident()

    def interrupt(seen: Seen) -> Reply:
        script.poll = lambda seen: REPLICATE.running()  # only once
        signal.pthread_kill(main, signal.SIGINT)  # type: ignore[arg-type]
        return Reply(hang=True)

    script.poll = interrupt
    with (
        InferenceClient(**client_options(REPLICATE, local_server)) as client,
        pytest.raises(KeyboardInterrupt),
    ):
        client.text_to_image("a cat", model=REPLICATE.model)
    assert script.cancels == 1


async def test_a_cancelled_task_cancels_the_job_then_propagates(local_server):
    from infermux import AsyncInferenceClient

    script = Script(local_server, REPLICATE)
    loop = asyncio.get_running_loop()
    running: list[asyncio.Task[Any]] = []

    def cancel_task(seen: Seen) -> Reply:
        script.poll = lambda seen: REPLICATE.running()
        loop.call_soon_threadsafe(running[0].cancel)
        return Reply(hang=True)

    script.poll = cancel_task
    async with AsyncInferenceClient(**client_options(REPLICATE, local_server)) as client:
        running.append(asyncio.create_task(client.text_to_image("a cat", model=REPLICATE.model)))
        with pytest.raises(asyncio.CancelledError):
            await running[0]
    assert script.cancels == 1


async def test_asyncio_timeout_around_a_call_cancels_the_job(local_server):
    from infermux import AsyncInferenceClient

    script = Script(local_server, REPLICATE)
    async with AsyncInferenceClient(**client_options(REPLICATE, local_server)) as client:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.5):
                await client.text_to_image("a cat", model=REPLICATE.model)
    assert script.cancels == 1


# -- every wait and request of a job within its deadlines, in virtual time ----------------


def _virtual_job(kind: str, seen: list[tuple[str, str, float]]) -> Any:
    """A client on a Replicate prediction that runs for ever, answered in-process."""

    def provider(request: httpx2.Request) -> httpx2.Response:
        read = request.extensions["timeout"]["read"]
        seen.append((request.method, request.url.path, read))
        if request.url.path.endswith("/cancel"):
            return httpx2.Response(200, json={"id": "p1", "status": "canceled"})
        return httpx2.Response(201, json={"id": "p1", "status": "processing"})

    transport = httpx2.MockTransport(provider)
    http_client = httpx2.Client(transport=transport) if kind == "sync" else None
    if kind == "async":
        http_client = httpx2.AsyncClient(transport=transport)
    return http_client


async def test_each_poll_gets_only_the_time_left_before_job_timeout(kind):
    clock = FakeClock()
    seen: list[tuple[str, str, float]] = []
    http_client = _virtual_job(kind, seen)
    options = {
        "provider": "replicate",
        "api_key": "k",
        "hub_lookup": False,
        "clock": clock,
        "timeout": 120.0,
        "poll_interval": 2.0,
        "job_timeout": 7.0,
        "http_client": http_client,
    }
    try:
        async with open_client(kind, **options) as client:
            with pytest.raises(JobTimeoutError):
                await invoke(client, "text_to_image", "a cat", model="owner/model")
    finally:
        await run(http_client.close if kind == "sync" else http_client.aclose)
    polls = [read for method, path, read in seen if method == "GET"]
    assert polls == pytest.approx([5.0, 3.0, 1.0])  # polls at 2, 4 and 6 s of a 7 s job
    assert seen[-1][:2] == ("POST", "/v1/predictions/p1/cancel")
    assert seen[-1][2] == pytest.approx(5.0)  # the cancel's own short timeout
    assert clock.now() == pytest.approx(6.0)  # no wait past the deadline was started


async def test_total_timeout_caps_each_request_and_cancels_the_job(kind):
    clock = FakeClock()
    seen: list[tuple[str, str, float]] = []
    http_client = _virtual_job(kind, seen)
    options = {
        "provider": "replicate",
        "api_key": "k",
        "hub_lookup": False,
        "clock": clock,
        "timeout": 120.0,
        "poll_interval": 2.0,
        "total_timeout": 5.0,
        "http_client": http_client,
    }
    try:
        async with open_client(kind, **options) as client:
            with pytest.raises(DeadlineExceededError):
                await invoke(client, "text_to_image", "a cat", model="owner/model")
    finally:
        await run(http_client.close if kind == "sync" else http_client.aclose)
    assert [read for _, _, read in seen[:-1]] == pytest.approx([5.0, 3.0, 1.0])
    assert seen[-1][:2] == ("POST", "/v1/predictions/p1/cancel")
    assert clock.now() == pytest.approx(4.0)  # the third wait would have ended past 5 s
