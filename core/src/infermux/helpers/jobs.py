"""Job APIs, declared instead of hand-written: submit, poll a status URL, stop on a done or
failed state, extract the result.

Providers that run work as a job (a queue submit, a prediction, an async task) answer the
first request with a job id and where to poll it; every poll answers with a status word
until the job is done (then the answer names the result, often a media URL) or failed.
Each such plugin used to hand-write that state machine as a chain of
:class:`~infermux.helpers.base.FollowUp`\\ s; a plugin now declares the states in a
:class:`JobStates` and calls :func:`follow_job` from ``parse_response``::

    NOVITA_TASK = JobStates(
        status="task.status",
        done={"TASK_STATUS_SUCCEED"},
        failed={"TASK_STATUS_FAILED"},
        reason=("task.reason",),
    )

    def parse_response(self, response, call):
        task_id = ...  # from the submission's answer
        return follow_job(
            self,
            NOVITA_TASK,
            job_id=task_id,
            poll=f"{call.base_url}/v3/async/task-result?task_id={task_id}",
            result=lambda body: self.media_output(lookup(body, "videos.0.video_url")),
        )

This module only describes the requests; the core's job runner (``engine/jobs.py``) sends
them and keeps the rules that cost money: the submission (``creates_job = True`` on the
helper) is never sent twice once it may have arrived; each poll waits the client's
``poll_interval``, reports progress and respects the job deadline; and a job the caller
abandons (deadline, Ctrl-C, a cancelled task, a ``CancelToken``) is cancelled with the
``cancel`` request given here. A job the provider reports failed or cancelled raises
:class:`~infermux.errors.JobError` / :class:`~infermux.errors.JobCancelledError` and is
left alone (there is nothing to cancel).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from infermux.errors import JobCancelledError, JobError, PluginError
from infermux.helpers.base import FollowUp, HTTPRequest, Response, TaskProviderHelper

__all__ = ["JobStates", "follow_job", "lookup"]

#: The most of a failed job's reason a JobError shows.
_REASON_CHARS = 1000


def lookup(body: Any, path: str) -> Any:
    """The value at a dotted ``path`` in decoded JSON (``"data.urls.get"``,
    ``"videos.0.video_url"``: a number indexes a list), or None where there is none."""
    value = body
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit():
            index = int(part)
            value = value[index] if index < len(value) else None
        else:
            return None
    return value


@dataclass(frozen=True, slots=True, init=False)
class JobStates:
    """How a provider's job answers say where the job is.

    - ``status``: the dotted path to the status word in a poll's answer.
    - ``done``, ``failed``, ``cancelled``: the status words of a finished job. ``failed``
      raises :class:`~infermux.errors.JobError` and ``cancelled``
      :class:`~infermux.errors.JobCancelledError` (both name the job and the reason).
    - ``pending``: the status words of a job still on its way. None: any other word means
      wait on (a provider adding a new state keeps working); a set: any other word is a
      :class:`~infermux.errors.ResponseFormatError` naming it.
    - ``reason``: paths tried in order for a failed job's reason (``"error"``,
      ``"error.message"``), or a function of the job's answer returning it (or None).
    - ``within``: the path of the object each answer wraps the job in (WaveSpeed's
      ``"data"``); status, reason and the ``result`` callback read that object.
    - ``finished``: an answer that satisfies it is done whatever its status says, unless
      that is a failed or cancelled state (Replicate's router answers ``processing`` with
      the output already there).
    - ``failed_when``: an answer that satisfies it is failed whatever its status says
      (fal's queue answers ``COMPLETED`` with an ``error`` field for a job whose model
      raised): ``failed_when=lambda job: bool(job.get("error"))``.
    - ``progress``: the text a still-running job reports as its progress, from its answer
      (``"IN_QUEUE (position 3)"``); None, or a function returning None, reports the
      status word.
    """

    status: str
    done: frozenset[str]
    failed: frozenset[str] = frozenset()
    cancelled: frozenset[str] = frozenset()
    pending: frozenset[str] | None = None
    reason: tuple[str, ...] | Callable[[dict[str, Any]], str | None] = ("error",)
    within: str | None = None
    finished: Callable[[dict[str, Any]], bool] | None = None
    failed_when: Callable[[dict[str, Any]], bool] | None = None
    progress: Callable[[dict[str, Any]], str | None] | None = None

    def __init__(
        self,
        status: str,
        done: Iterable[str],
        failed: Iterable[str] = (),
        cancelled: Iterable[str] = (),
        pending: Iterable[str] | None = None,
        reason: Iterable[str] | Callable[[dict[str, Any]], str | None] = ("error",),
        within: str | None = None,
        finished: Callable[[dict[str, Any]], bool] | None = None,
        failed_when: Callable[[dict[str, Any]], bool] | None = None,
        progress: Callable[[dict[str, Any]], str | None] | None = None,
    ) -> None:
        given: dict[str, object] = {
            "done": done,
            "failed": failed,
            "cancelled": cancelled,
            "pending": pending,
            "reason": reason,
        }
        for name, value in given.items():
            if isinstance(value, str):  # a set of its characters is never what was meant
                raise PluginError(
                    f"JobStates {name}= takes several names, got the string {value!r}: "
                    f"write {name}={{{value!r}}}" + (" or a tuple" if name == "reason" else "")
                )
        sets = {
            "done": frozenset(done),
            "failed": frozenset(failed),
            "cancelled": frozenset(cancelled),
            "pending": frozenset(pending) if pending is not None else frozenset(),
        }
        if not status or not sets["done"]:
            raise PluginError("JobStates needs a status path and at least one done state")
        names = sorted(sets)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                shared = sets[first] & sets[second]
                if shared:
                    raise PluginError(
                        f"JobStates: {sorted(shared)} both {first} and {second}; a state is one"
                    )
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "done", sets["done"])
        object.__setattr__(self, "failed", sets["failed"])
        object.__setattr__(self, "cancelled", sets["cancelled"])
        object.__setattr__(self, "pending", sets["pending"] if pending is not None else None)
        object.__setattr__(self, "reason", reason if callable(reason) else tuple(reason))
        object.__setattr__(self, "within", within)
        object.__setattr__(self, "finished", finished)
        for name, hook in (("failed_when", failed_when), ("progress", progress)):
            if hook is not None and not callable(hook):
                raise PluginError(
                    f"JobStates {name}= takes a function of the job's answer, got {hook!r}"
                )
        object.__setattr__(self, "failed_when", failed_when)
        object.__setattr__(self, "progress", progress)


class _Job:
    """One running job: judges each answer and describes the next request."""

    __slots__ = ("cancel", "helper", "job_id", "poll", "result", "states")

    def __init__(
        self,
        helper: TaskProviderHelper,
        states: JobStates,
        job_id: str | None,
        poll: HTTPRequest,
        result: Callable[[dict[str, Any]], Any],
        cancel: HTTPRequest | None,
    ) -> None:
        self.helper = helper
        self.states = states
        self.job_id = job_id
        self.poll = poll
        self.result = result
        self.cancel = cancel

    def follow_up(self, status: str | None) -> FollowUp:
        return FollowUp(
            self.poll,
            self.on_answer,
            poll=True,
            job_id=self.job_id,
            status=status,
            cancel=self.cancel,
        )

    def on_answer(self, response: Response) -> Any:
        return self.judge(self.helper.json_object(response))

    def judge(self, body: dict[str, Any]) -> Any:
        helper, states = self.helper, self.states
        job = body
        if states.within is not None:
            job = lookup(body, states.within)
            if not isinstance(job, dict):
                raise helper.unexpected(body, missing=f"a {states.within} object")
        status = lookup(job, states.status)
        if not isinstance(status, str) or not status:
            status = None
        name = f"{helper.provider} job {self.job_id or '(no id)'}"
        if status in states.failed or (states.failed_when is not None and states.failed_when(job)):
            said = f" (status {status!r})" if status is not None else ""
            raise JobError(
                f"{name} failed{said}: {self._reason(job)}",
                provider=helper.provider,
                job_id=self.job_id,
            )
        if status in states.cancelled:
            raise JobCancelledError(
                f"{name} was cancelled at the provider (status {status!r})",
                provider=helper.provider,
                job_id=self.job_id,
            )
        if status in states.done or (states.finished is not None and states.finished(job)):
            return self._finish(job, status)
        if status is None:
            raise helper.unexpected(job, missing=states.status)
        if states.pending is not None and status not in states.pending:
            raise helper.unexpected(job, problem=f"job {self.job_id} with an unknown status")
        return self.follow_up(self._progress(job) or status)

    def _finish(self, job: dict[str, Any], status: str | None) -> Any:
        output = self.result(job)
        if isinstance(output, FollowUp) and output.job_id is None:
            # The result's own request (a media download) still names the job, so a
            # failure there says which job's result it was.
            output = replace(output, job_id=self.job_id, status=output.status or status)
        return output

    def _progress(self, job: dict[str, Any]) -> str | None:
        if self.states.progress is None:
            return None
        text = self.states.progress(job)
        return text if isinstance(text, str) and text else None

    def _reason(self, job: dict[str, Any]) -> str:
        from infermux.helpers.problems import redact, safe_excerpt

        if callable(self.states.reason):
            said = self.states.reason(job)
            if isinstance(said, str) and said.strip():
                return redact(said.strip()[:_REASON_CHARS])
            return "no reason given"
        for path in self.states.reason:
            value = lookup(job, path)
            if isinstance(value, str) and value.strip():
                # The provider's own words, whole (up to a bound), but never a key.
                return redact(value.strip()[:_REASON_CHARS])
            if isinstance(value, dict | list) and value:
                return safe_excerpt(value)
        return "no reason given"


def follow_job(
    helper: TaskProviderHelper,
    states: JobStates,
    *,
    job_id: str | None,
    poll: str | HTTPRequest,
    result: Callable[[dict[str, Any]], Any],
    cancel: HTTPRequest | None = None,
    answer: dict[str, Any] | None = None,
    status: str | None = None,
) -> Any:
    """Describe the rest of a job whose submission was answered.

    ``poll``: the status URL (polled with ``GET`` and the provider's key) or a full
    request (other headers; ``authenticate=False`` where the status URL is on a host the
    key must not reach). ``result(job)`` turns a done job's answer into the output, or
    into a follow-up such as ``helper.media_output(url)``. ``cancel``: the request that
    stops the job at the provider, sent by the core if the caller abandons it.

    ``answer``: an answer that already says where the job is (a submission that answers
    with a status, even a finished one): judged at once. Without it the first poll is
    described, reporting ``status`` as the job's progress (``states.progress`` of the
    submission's answer, where the states declare one, is the usual value).
    """
    request = poll if isinstance(poll, HTTPRequest) else HTTPRequest("GET", poll)
    job = _Job(helper, states, job_id, request, result, cancel)
    if answer is not None:
        return job.judge(answer)
    return job.follow_up(status)
