"""Asynchronous jobs: the follow-up chains the engine runs for a helper, sync and async,
against the scripted local server.

``QueueHelper`` is a queue-style provider in a few lines: submit returns a job id, the
status endpoint says QUEUED/RUNNING/COMPLETED/FAILED, a finished job names a media URL
that is fetched without a key, and a cancel endpoint stops the job.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from infermux.clock import Clock
from infermux.engine import CancelToken, JobProgress
from infermux.errors import (
    JobCancelledError,
    JobError,
    JobTimeoutError,
    NotFoundError,
)
from infermux.helpers.base import Call, FollowUp, HTTPRequest, Response, TaskProviderHelper
from infermux.helpers.openai import download_image
from infermux.media import ImageOutput
from infermux.registry.store import ProviderRegistry, Registration
from infermux.testing import FakeClock
from tests.core.both_clients import invoke, open_client
from tests.core.conftest import LOCAL_KEY
from tests.core.localserver import LocalServer, Reply, Seen

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JOB = "job-7"


class QueueHelper(TaskProviderHelper):
    provider = "queue"
    task = "text-to-image"
    api_key_env = ("LOCAL_KEY",)
    routable = False
    needs_model_mapping = False

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def prepare_route(self, call: Call) -> str:
        return "/submit"

    def prepare_payload(self, call: Call) -> dict[str, Any]:
        return {"prompt": call.inputs, "model": call.model.provider_model_id}

    def parse_response(self, response: Response, call: Call) -> Any:
        return self._poll(call, self.json_object(response)["id"], "QUEUED")

    def _poll(self, call: Call, job_id: str, status: str) -> FollowUp:
        base = call.base_url

        def then(response: Response) -> Any:
            body = self.json_object(response)
            if body["status"] == "COMPLETED":
                return download_image(body["result_url"], self.provider)
            if body["status"] == "FAILED":
                raise JobError(
                    f"{self.provider} job {job_id} failed: {body['error']}",
                    provider=self.provider,
                    job_id=job_id,
                )
            return self._poll(call, job_id, body["status"])

        return FollowUp(
            HTTPRequest("GET", f"{base}/jobs/{job_id}"),
            then,
            poll=True,
            job_id=job_id,
            status=status,
            cancel=HTTPRequest("POST", f"{base}/jobs/{job_id}/cancel"),
        )


class DirectMediaHelper(QueueHelper):
    """A provider answering with a media URL right away (on its own host)."""

    provider = "direct-media"

    def parse_response(self, response: Response, call: Call) -> Any:
        return download_image(self.json_object(response)["url"], self.provider)


class JobServer:
    """Responder: the job is RUNNING for ``polls_needed - 1`` polls, then ``final``."""

    def __init__(self, server: LocalServer, polls_needed: int, final: str = "COMPLETED") -> None:
        self.server = server
        self.polls_needed = polls_needed
        self.final = final
        self.polls = 0
        self.overrides: dict[int, Reply] = {}

    def __call__(self, seen: Seen) -> Reply:
        if seen.path == "/submit":
            return Reply(200, json={"id": JOB})
        if seen.path == f"/jobs/{JOB}":
            self.polls += 1
            if self.polls in self.overrides:
                return self.overrides[self.polls]
            if self.polls < self.polls_needed:
                return Reply(200, json={"status": "RUNNING"})
            return Reply(
                200,
                json={
                    "status": self.final,
                    "error": "out of memory",
                    "result_url": f"{self.server.url}/media/out.png",
                },
            )
        if seen.path == f"/jobs/{JOB}/cancel":
            return Reply(202, json={"status": "CANCELLED"})
        if seen.path == "/media/out.png":
            return Reply(200, body=PNG, headers={"content-type": "image/png"})
        return Reply(404, json={"error": f"no route {seen.path}"})


@pytest.fixture
def registry(local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> ProviderRegistry:
    monkeypatch.setenv("LOCAL_KEY", LOCAL_KEY)
    registry = ProviderRegistry()
    registry.add(Registration(QueueHelper(local_server.url), "test"))
    registry.add(Registration(DirectMediaHelper(local_server.url), "test"))
    return registry


@pytest.fixture
def jobs(local_server: LocalServer) -> Callable[..., JobServer]:
    def script(polls_needed: int, final: str = "COMPLETED") -> JobServer:
        responder = JobServer(local_server, polls_needed, final)
        local_server.responder = responder
        return responder

    return script


@pytest.fixture
def clock() -> FakeClock:
    """Virtual time: poll intervals and job deadlines pass in no real time."""
    return FakeClock()


@pytest.fixture
def client_for(kind: str, registry: ProviderRegistry, clock: FakeClock) -> Callable[..., Any]:
    def make(**options: Any) -> Any:
        options.setdefault("clock", clock)
        options.setdefault("poll_interval", 0.01)
        options.setdefault("job_timeout", 5.0)
        options.setdefault("timeout", 5.0)
        options.setdefault("provider", "queue")
        return open_client(kind, model="painter", registry=registry, **options)

    return make


def paths(server: LocalServer) -> list[str]:
    return [f"{seen.method} {seen.path}" for seen in server.requests]


async def test_job_completes_after_polls(client_for, jobs, local_server, clock):
    jobs(polls_needed=3)
    progress: list[JobProgress] = []
    async with client_for() as client:
        image = await invoke(client, "text_to_image", "a lighthouse", on_progress=progress.append)

    assert isinstance(image, ImageOutput)
    assert image.content == PNG
    assert image.content_type == "image/png"
    assert image.url == f"{local_server.url}/media/out.png"
    assert paths(local_server) == [
        "POST /submit",
        f"GET /jobs/{JOB}",
        f"GET /jobs/{JOB}",
        f"GET /jobs/{JOB}",
        "GET /media/out.png",
    ]
    assert [(p.polls, p.status) for p in progress] == [
        (0, "QUEUED"),
        (1, "RUNNING"),
        (2, "RUNNING"),
    ]
    assert all(p.provider == "queue" and p.job_id == JOB for p in progress)
    # One poll interval before each poll, and nothing else waited.
    assert [p.elapsed for p in progress] == pytest.approx([0.0, 0.01, 0.02])
    assert clock.sleeps == [0.01, 0.01, 0.01]


async def test_key_goes_to_polls_but_never_to_the_media_download(client_for, jobs, local_server):
    jobs(polls_needed=1)
    async with client_for() as client:
        await invoke(client, "text_to_image", "a lighthouse")
    auth = {f"{s.method} {s.path}": s.headers.get("authorization") for s in local_server.requests}
    assert auth == {
        "POST /submit": f"Bearer {LOCAL_KEY}",
        f"GET /jobs/{JOB}": f"Bearer {LOCAL_KEY}",
        "GET /media/out.png": None,
    }


async def test_media_follow_up_on_the_providers_own_host_carries_no_key(client_for, local_server):
    local_server.queue(
        Reply(200, json={"url": f"{local_server.url}/files/image.png"}),
        Reply(200, body=PNG, headers={"content-type": "application/octet-stream"}),
    )
    async with client_for(provider="direct-media") as client:
        image = await invoke(client, "text_to_image", "a lighthouse")
    assert image.content_type == "image/png"  # sniffed: the declared type says nothing
    submit, download = local_server.requests
    assert submit.headers["authorization"] == f"Bearer {LOCAL_KEY}"
    assert (download.method, download.path) == ("GET", "/files/image.png")
    assert "authorization" not in download.headers


async def test_job_that_never_finishes_times_out(client_for, jobs, local_server, clock):
    jobs(polls_needed=10**6)
    progress: list[JobProgress] = []
    # A deadline of almost ten minutes, polled every 30 s, in virtual time.
    async with client_for(poll_interval=30.0, job_timeout=590.0) as client:
        with pytest.raises(JobTimeoutError) as raised:
            await invoke(client, "text_to_image", "a lighthouse", on_progress=progress.append)
    # It gives up when the next wait would cross the deadline: 19 waits of 30 s, 20 polls.
    assert clock.sleeps == [30.0] * 19
    assert clock.now() == pytest.approx(570.0)
    assert "590s" in str(raised.value)
    assert raised.value.provider == "queue"
    assert raised.value.job_id == JOB
    assert "did not finish" in str(raised.value)
    assert "RUNNING" in str(raised.value)  # the last status seen
    assert [p.polls for p in progress] == list(range(20))
    # The abandoned job is cancelled at the provider, with the key.
    cancel = local_server.requests[-1]
    assert (cancel.method, cancel.path) == ("POST", f"/jobs/{JOB}/cancel")
    assert cancel.headers["authorization"] == f"Bearer {LOCAL_KEY}"


async def test_cancel_from_the_progress_callback(client_for, jobs, local_server):
    jobs(polls_needed=10**6)
    token = CancelToken()
    seen: list[int] = []

    def on_progress(progress: JobProgress) -> None:
        seen.append(progress.polls)
        if progress.polls == 2:
            token.cancel()

    async with client_for() as client:
        with pytest.raises(JobCancelledError) as raised:
            await invoke(
                client, "text_to_image", "a lighthouse", on_progress=on_progress, cancel=token
            )
    assert seen == [0, 1, 2]
    assert raised.value.job_id == JOB
    assert isinstance(raised.value, JobError)
    assert paths(local_server) == [
        "POST /submit",
        f"GET /jobs/{JOB}",
        f"GET /jobs/{JOB}",
        f"POST /jobs/{JOB}/cancel",
    ]
    assert local_server.requests[-1].headers["authorization"] == f"Bearer {LOCAL_KEY}"


async def test_cancel_from_another_thread_wakes_the_wait(client_for, jobs, local_server):
    jobs(polls_needed=10**6)
    token = CancelToken()
    timer = threading.Timer(0.1, token.cancel)
    started = time.monotonic()
    timer.start()
    try:
        # The real clock: what is proven is that a real 30 s wait wakes on the cancel.
        async with client_for(poll_interval=30.0, job_timeout=60.0, clock=Clock()) as client:
            with pytest.raises(JobCancelledError):
                await invoke(client, "text_to_image", "a lighthouse", cancel=token)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 20.0  # woken: not the 30 s poll interval
    assert paths(local_server)[-1] == f"POST /jobs/{JOB}/cancel"


async def test_already_cancelled_token_sends_no_poll(client_for, jobs, local_server):
    jobs(polls_needed=10**6)
    token = CancelToken()
    token.cancel()
    async with client_for() as client:
        with pytest.raises(JobCancelledError):
            await invoke(client, "text_to_image", "a lighthouse", cancel=token)
    assert paths(local_server) == ["POST /submit", f"POST /jobs/{JOB}/cancel"]


async def test_poll_answered_with_404_is_a_job_error(client_for, jobs, local_server):
    script = jobs(polls_needed=10**6)
    script.overrides[2] = Reply(404, json={"error": {"message": "job expired"}})
    async with client_for() as client:
        with pytest.raises(JobError) as raised:
            await invoke(client, "text_to_image", "a lighthouse")
    exc = raised.value
    assert type(exc) is JobError
    assert exc.provider == "queue"
    assert exc.job_id == JOB
    assert "polling failed" in str(exc)
    assert "job expired" in str(exc)
    assert isinstance(exc.__cause__, NotFoundError)
    assert exc.__cause__.status_code == 404
    assert script.polls == 2


async def test_poll_hit_by_a_transient_error_is_retried(client_for, jobs, local_server):
    script = jobs(polls_needed=3)
    script.overrides[1] = Reply(503, json={"error": "busy"}, headers={"retry-after": "0"})
    async with client_for(max_retries=1) as client:
        image = await invoke(client, "text_to_image", "a lighthouse")
    assert image.content == PNG
    assert script.polls == 3


async def test_job_failure_reported_by_the_provider(client_for, jobs):
    jobs(polls_needed=2, final="FAILED")
    async with client_for() as client:
        with pytest.raises(JobError, match=f"queue job {JOB} failed: out of memory"):
            await invoke(client, "text_to_image", "a lighthouse")


async def test_hanging_poll_respects_the_job_deadline(client_for, jobs, local_server):
    script = jobs(polls_needed=10**6)
    script.overrides[2] = Reply(hang=True)
    started = time.monotonic()
    # Real time: the hanging poll is bounded by a socket timeout, which is the job's time
    # left (about 1 s), not the 60 s per-request timeout.
    async with client_for(
        job_timeout=1.0, timeout=60.0, max_retries=0, poll_interval=0.001, clock=Clock()
    ) as client:
        with pytest.raises(JobTimeoutError):
            await invoke(client, "text_to_image", "a lighthouse")
    assert time.monotonic() - started < 30.0
