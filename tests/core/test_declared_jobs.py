"""Declared job APIs (``infermux.helpers.jobs``): the states of a provider's job, turned
into the follow-up chain the core runs. Sans-I/O checks of the state machine, then the
whole chain against the scripted local server, sync and async, with the rules that cost
money: the submission is sent once, an abandoned job is cancelled, a failed one is not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infermux.errors import (
    JobCancelledError,
    JobError,
    JobMayExistError,
    JobTimeoutError,
    PluginError,
    ResponseFormatError,
)
from infermux.helpers.base import (
    Call,
    FollowUp,
    HTTPRequest,
    ModelMapping,
    Response,
    TaskProviderHelper,
)
from infermux.helpers.jobs import JobStates, follow_job, lookup
from infermux.media import ImageOutput
from infermux.registry.store import ProviderRegistry, Registration
from infermux.testing import FakeClock
from infermux.testing.samples import json_response
from tests.core.both_clients import invoke, open_client
from tests.core.conftest import LOCAL_KEY
from tests.core.localserver import LocalServer, Reply, Seen

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

STATES = JobStates(
    within="data",
    status="state",
    done={"DONE"},
    failed={"FAILED"},
    cancelled={"CANCELLED"},
    pending={"QUEUED", "RUNNING"},
    reason=("error.message", "error"),
)


class DeclaredJobHelper(TaskProviderHelper):
    """Submit answers ``{"data": {"id", "state"}}``; polls answer the same shape; a DONE
    job names ``data.result.url``, fetched without the key."""

    provider = "declared"
    task = "text-to-image"
    api_key_env = ("LOCAL_KEY",)
    routable = False
    needs_model_mapping = False
    creates_job = True
    output_type = ImageOutput

    def __init__(self, base_url: str = "https://api.declared.example") -> None:
        self.base_url = base_url

    def prepare_route(self, call: Call) -> str:
        return "/submit"

    def prepare_payload(self, call: Call) -> dict[str, Any]:
        return {"prompt": call.inputs}

    def parse_response(self, response: Response, call: Call) -> Any:
        body = self.json_object(response)
        job_id = lookup(body, "data.id")
        if not isinstance(job_id, str):
            raise self.unexpected(body, missing="data.id")
        return follow_job(
            self,
            STATES,
            job_id=job_id,
            poll=f"{call.base_url}/jobs/{job_id}",
            cancel=HTTPRequest("POST", f"{call.base_url}/jobs/{job_id}/cancel"),
            result=lambda job: self.media_output(lookup(job, "result.url")),
            answer=body,
        )


def _call(helper: DeclaredJobHelper) -> Call:
    return Call("text-to-image", "a fox", ModelMapping("m"), "direct", helper.base_url)


def _answer(state: str, **extra: Any) -> Response:
    return json_response({"data": {"id": "j1", "state": state, **extra}})


# -- the state machine, without I/O ---------------------------------------------------------


def test_a_pending_answer_becomes_a_poll_carrying_the_cancel_request():
    helper = DeclaredJobHelper()
    step = helper.parse_response(_answer("QUEUED"), _call(helper))
    assert isinstance(step, FollowUp)
    assert (step.poll, step.job_id, step.status) == (True, "j1", "QUEUED")
    assert step.request == HTTPRequest("GET", "https://api.declared.example/jobs/j1")
    assert step.cancel == HTTPRequest("POST", "https://api.declared.example/jobs/j1/cancel")
    again = step.then(_answer("RUNNING"))
    assert (again.poll, again.status, again.cancel) == (True, "RUNNING", step.cancel)


def test_a_done_answer_extracts_the_result_still_naming_the_job():
    helper = DeclaredJobHelper()
    download = helper.parse_response(
        _answer("DONE", result={"url": "https://cdn.example/1.png"}), _call(helper)
    )
    assert isinstance(download, FollowUp)
    assert download.poll is False
    assert download.request.authenticate is False
    assert (download.job_id, download.status) == ("j1", "DONE")


def test_failed_and_cancelled_states_raise_job_errors_with_the_reason():
    helper = DeclaredJobHelper()
    with pytest.raises(JobError, match=r"declared job j1 failed \(status 'FAILED'\): no GPU"):
        helper.parse_response(_answer("FAILED", error={"message": "no GPU"}), _call(helper))
    with pytest.raises(JobError, match="no reason given"):
        helper.parse_response(_answer("FAILED"), _call(helper))
    with pytest.raises(JobCancelledError, match="cancelled at the provider") as raised:
        helper.parse_response(_answer("CANCELLED"), _call(helper))
    assert raised.value.job_id == "j1"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"data": {"id": "j1", "state": "EXPLODED"}}, "job j1 with an unknown status"),
        ({"data": {"id": "j1"}}, "answer without state"),
        ({"data": {"id": "j1", "state": ["DONE"]}}, "answer without state"),
        ({"data": "j1"}, "answer without data.id"),
    ],
    ids=["unknown-state", "no-state", "state-not-a-string", "no-data-object"],
)
def test_answers_of_the_wrong_shape_are_format_errors(body, expected):
    helper = DeclaredJobHelper()
    with pytest.raises(ResponseFormatError, match=expected):
        helper.parse_response(json_response(body), _call(helper))


def test_a_poll_answer_without_the_wrapping_object_is_a_format_error():
    helper = DeclaredJobHelper()
    step = helper.parse_response(_answer("QUEUED"), _call(helper))
    with pytest.raises(ResponseFormatError, match="answer without a data object"):
        step.then(json_response({"state": "DONE"}))


def test_without_a_pending_set_any_new_state_waits_on():
    states = JobStates(status="status", done={"ok"})
    helper = DeclaredJobHelper()
    step = follow_job(helper, states, job_id="j", poll="https://x.example/j", result=dict)
    again = step.then(json_response({"status": "warming-up"}))
    assert (again.poll, again.status) == (True, "warming-up")
    assert step.then(json_response({"status": "ok", "v": 1})) == {"status": "ok", "v": 1}


def test_finished_overrides_a_pending_status_but_not_a_failed_one():
    states = JobStates(
        status="status",
        done={"ok"},
        failed={"failed"},
        finished=lambda job: bool(job.get("output")),
    )
    helper = DeclaredJobHelper()
    step = follow_job(helper, states, job_id="j", poll="https://x.example/j", result=dict)
    assert step.then(json_response({"status": "busy", "output": "x"}))["output"] == "x"
    with pytest.raises(JobError):
        step.then(json_response({"status": "failed", "output": "partial"}))


def test_lookup_walks_objects_and_list_indexes():
    body = {"videos": [{"video_url": "u"}], "task": {"status": "S"}}
    assert lookup(body, "videos.0.video_url") == "u"
    assert lookup(body, "task.status") == "S"
    assert lookup(body, "videos.3.video_url") is None
    assert lookup(body, "task.status.deeper") is None
    assert lookup(["a"], "0") == "a"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": "s", "done": ()},
        {"status": "", "done": {"ok"}},
        {"status": "s", "done": {"ok"}, "failed": {"ok"}},
        {"status": "s", "done": {"ok"}, "pending": {"wait"}, "cancelled": {"wait"}},
        {"status": "s", "done": "Ready"},
        {"status": "s", "done": {"ok"}, "reason": "error"},
    ],
    ids=[
        "no-done-state",
        "no-status-path",
        "done-and-failed",
        "pending-and-cancelled",
        "done-as-a-string",
        "reason-as-a-string",
    ],
)
def test_contradictory_declarations_are_refused(kwargs):
    with pytest.raises(PluginError, match="JobStates"):
        JobStates(**kwargs)


# -- the whole chain, through the client -----------------------------------------------------


class DeclaredJobServer:
    """QUEUED at submission, RUNNING for ``polls_needed - 1`` polls, then ``final``."""

    def __init__(self, server: LocalServer, polls_needed: int, final: str = "DONE") -> None:
        self.server = server
        self.polls_needed = polls_needed
        self.final = final
        self.polls = 0

    def __call__(self, seen: Seen) -> Reply:
        if seen.path == "/submit":
            return Reply(200, json={"data": {"id": "j1", "state": "QUEUED"}})
        if seen.path == "/jobs/j1":
            self.polls += 1
            state = self.final if self.polls >= self.polls_needed else "RUNNING"
            result = {"url": f"{self.server.url}/media/out.png"}
            return Reply(200, json={"data": {"state": state, "result": result, "error": "oom"}})
        if seen.path == "/jobs/j1/cancel":
            return Reply(202, json={})
        if seen.path == "/media/out.png":
            return Reply(200, body=PNG, headers={"content-type": "image/png"})
        return Reply(404, json={"error": f"no route {seen.path}"})


@pytest.fixture
def client_for(
    kind: str, local_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Any]:
    monkeypatch.setenv("LOCAL_KEY", LOCAL_KEY)
    registry = ProviderRegistry()
    registry.add(Registration(DeclaredJobHelper(local_server.url), "test"))

    def make(**options: Any) -> Any:
        options.setdefault("clock", FakeClock())
        options.setdefault("poll_interval", 0.01)
        options.setdefault("job_timeout", 5.0)
        options.setdefault("timeout", 5.0)
        return open_client(kind, provider="declared", model="painter", registry=registry, **options)

    return make


def _seen(server: LocalServer) -> list[tuple[str, str, bool]]:
    return [(s.method, s.path, "authorization" in s.headers) for s in server.requests]


async def test_submit_poll_download(client_for, local_server):
    local_server.responder = DeclaredJobServer(local_server, polls_needed=2)
    async with client_for() as client:
        image = await invoke(client, "text_to_image", "a lighthouse")
    assert image.content == PNG
    assert _seen(local_server) == [
        ("POST", "/submit", True),
        ("GET", "/jobs/j1", True),
        ("GET", "/jobs/j1", True),
        ("GET", "/media/out.png", False),  # the key never goes to the media download
    ]


async def test_a_failed_job_is_not_cancelled(client_for, local_server):
    local_server.responder = DeclaredJobServer(local_server, polls_needed=1, final="FAILED")
    async with client_for() as client:
        with pytest.raises(JobError, match="oom") as raised:
            await invoke(client, "text_to_image", "a lighthouse")
    assert not isinstance(raised.value, JobTimeoutError)
    assert [path for _, path, _ in _seen(local_server)] == ["/submit", "/jobs/j1"]


async def test_an_abandoned_job_is_cancelled_with_the_key(client_for, local_server):
    local_server.responder = DeclaredJobServer(local_server, polls_needed=10**6)
    async with client_for(poll_interval=1.0, job_timeout=3.5) as client:
        with pytest.raises(JobTimeoutError):
            await invoke(client, "text_to_image", "a lighthouse")
    assert _seen(local_server)[-1] == ("POST", "/jobs/j1/cancel", True)
    assert [path for _, path, _ in _seen(local_server)].count("/submit") == 1


async def test_the_submission_is_never_sent_twice(client_for, local_server):
    # A 502 after the submission may have reached the provider: not resent (a second
    # job would bill twice), whatever the retry policy says.
    local_server.queue(Reply(502, json={"error": "bad gateway"}))
    async with client_for() as client:
        with pytest.raises(JobMayExistError):
            await invoke(client, "text_to_image", "a lighthouse")
    assert _seen(local_server) == [("POST", "/submit", True)]


def test_a_failure_reason_never_shows_a_key():
    key = "r8_" + "Kk42" * 8
    helper = DeclaredJobHelper()
    with pytest.raises(JobError) as raised:
        helper.parse_response(
            _answer("FAILED", error=f"token {key} has no access to this model"), _call(helper)
        )
    assert key not in str(raised.value)
    assert "has no access to this model" in str(raised.value)


def test_the_reason_may_be_a_function_of_the_answer():
    def reason(job: dict[str, Any]) -> str | None:
        error = job.get("error")
        return f"{error['message']} ({error['code']})" if isinstance(error, dict) else None

    states = JobStates(status="status", done={"ok"}, failed={"failed"}, reason=reason)
    step = follow_job(
        DeclaredJobHelper(), states, job_id="j", poll="https://x.example/j", result=dict
    )
    failed = {"status": "failed", "error": {"message": "no frames", "code": "generation_failed"}}
    with pytest.raises(JobError, match=r"no frames \(generation_failed\)"):
        step.then(json_response(failed))
    with pytest.raises(JobError, match="no reason given"):
        step.then(json_response({"status": "failed"}))


# -- failed_when and progress: a failure beside any status, a richer progress text -------------


def _queue_states(**extra: Any) -> JobStates:
    return JobStates(
        status="status",
        done={"COMPLETED"},
        failed_when=lambda job: bool(job.get("error")),
        progress=lambda job: (
            f"IN_QUEUE (position {job['queue_position']})"
            if job.get("status") == "IN_QUEUE" and isinstance(job.get("queue_position"), int)
            else None
        ),
        **extra,
    )


def test_failed_when_fails_a_job_whatever_its_status_says():
    step = follow_job(
        DeclaredJobHelper(), _queue_states(), job_id="j", poll="https://x.example/j", result=dict
    )
    completed = {"status": "COMPLETED", "error": "Runner disconnected"}
    with pytest.raises(JobError, match=r"job j failed \(status 'COMPLETED'\): Runner disc"):
        step.then(json_response(completed))
    # Without a status word the message says so by leaving it out, not as "None".
    with pytest.raises(JobError, match=r"job j failed: out of memory") as raised:
        step.then(json_response({"error": "out of memory"}))
    assert not isinstance(raised.value, JobCancelledError)
    assert raised.value.job_id == "j"
    # An empty error field is no failure.
    assert step.then(json_response({"status": "COMPLETED", "error": None}))["error"] is None


def test_failed_when_is_checked_before_finished():
    states = _queue_states(finished=lambda job: "output" in job)
    step = follow_job(DeclaredJobHelper(), states, job_id="j", poll="https://x/j", result=dict)
    with pytest.raises(JobError, match="boom"):
        step.then(json_response({"status": "IN_PROGRESS", "output": "x", "error": "boom"}))


def test_progress_describes_a_running_job_and_falls_back_to_the_status_word():
    step = follow_job(
        DeclaredJobHelper(), _queue_states(), job_id="j", poll="https://x.example/j", result=dict
    )
    queued = step.then(json_response({"status": "IN_QUEUE", "queue_position": 2}))
    assert (queued.poll, queued.status) == (True, "IN_QUEUE (position 2)")
    running = queued.then(json_response({"status": "IN_PROGRESS"}))
    assert (running.poll, running.status) == (True, "IN_PROGRESS")
    # A done job's result is not a progress report: it keeps the status word.
    download = running.then(json_response({"status": "COMPLETED", "url": "u"}))
    assert download == {"status": "COMPLETED", "url": "u"}


def test_progress_may_not_return_a_non_string():
    states = JobStates(status="status", done={"ok"}, progress=lambda job: job.get("n"))  # type: ignore[arg-type, return-value]
    step = follow_job(DeclaredJobHelper(), states, job_id="j", poll="https://x/j", result=dict)
    assert step.then(json_response({"status": "busy", "n": 3})).status == "busy"


@pytest.mark.parametrize("option", ["failed_when", "progress"])
def test_failed_when_and_progress_must_be_functions(option):
    with pytest.raises(PluginError, match=f"JobStates {option}= takes a function"):
        JobStates(status="s", done={"ok"}, **{option: "error"})


async def test_a_job_failed_by_failed_when_is_not_cancelled(client_for, local_server, monkeypatch):
    # The server's job answers carry "error": "oom" beside every state; with failed_when
    # the first poll fails the job, which the provider has settled: no cancel is sent.
    states = JobStates(
        within="data",
        status="state",
        done={"DONE"},
        pending={"QUEUED", "RUNNING"},
        failed_when=lambda job: bool(job.get("error")),
    )
    monkeypatch.setattr(f"{__name__}.STATES", states)
    local_server.responder = DeclaredJobServer(local_server, polls_needed=5)
    async with client_for() as client:
        with pytest.raises(JobError, match=r"failed \(status 'RUNNING'\): oom") as raised:
            await invoke(client, "text_to_image", "a lighthouse")
    assert not isinstance(raised.value, JobTimeoutError | JobCancelledError)
    assert [path for _, path, _ in _seen(local_server)] == ["/submit", "/jobs/j1"]
