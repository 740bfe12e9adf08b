"""Follow-up chains of asynchronous jobs: polling, deadline, cancellation, progress."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from infermux.auth import (
    Credential,
)
from infermux.clock import Clock
from infermux.engine.calls import EngineSettings, TaskRequest
from infermux.engine.effects import Effect, JobProgress, Sleep
from infermux.engine.failures import _guarded
from infermux.engine.sending import Sender
from infermux.errors import (
    DeadlineExceededError,
    InfermuxError,
    JobCancelledError,
    JobError,
    JobTimeoutError,
    ProviderHTTPError,
    RequestTimeoutError,
    ResponseFormatError,
)
from infermux.helpers.base import (
    FollowUp,
    TaskProviderHelper,
)

logger = logging.getLogger("infermux")

#: The most a cancel request may take (less when the client's ``timeout`` is shorter): it
#: runs while the caller is leaving (Ctrl-C, a cancelled task, a deadline), so it is short
#: and never retried.
CANCEL_TIMEOUT = 5.0


def _check_follow_up_url(step: FollowUp, helper: TaskProviderHelper) -> None:
    """A follow-up's URL comes from the provider's answer: anything but an absolute http(s)
    URL is a malformed answer, reported as one (not sent, nor retried as a network error)."""
    url = getattr(step.request, "url", None)
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
        valid = parts is not None and parts.scheme in ("http", "https") and bool(parts.hostname)
        if valid and parts is not None:
            _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        valid = False
    if not valid:
        raise ResponseFormatError(
            f"{helper.provider} answered with a follow-up URL that is not an absolute http(s) "
            f"URL: {str(url)[:200]!r}",
            provider=helper.provider,
            task=helper.task,
        )


class JobRunner:
    """Runs the follow-up chain of an asynchronous job.

    Whenever the call leaves a job it started before the job has finished (its deadline,
    a failed poll, ``KeyboardInterrupt``, a cancelled task, ``total_timeout``) the job's
    cancel request (if the provider has one) is sent, bounded by :data:`CANCEL_TIMEOUT`,
    and the original exception is raised again: an abandoned job should not run on and
    bill. Only a job the provider itself reported as failed or cancelled is left alone.

    ``sender`` sends each step; ``clock`` times the job (its deadline, the progress
    reports); ``origin`` names the plugin behind a helper when its ``then`` crashes.
    """

    def __init__(
        self,
        settings: EngineSettings,
        sender: Sender,
        clock: Clock,
        origin: Callable[[TaskProviderHelper], str | None],
    ) -> None:
        self.settings = settings
        self.sender = sender
        self.clock = clock
        self.origin = origin

    def follow(
        self,
        follow_up: FollowUp,
        helper: TaskProviderHelper,
        credential: Credential | None,
        request: TaskRequest,
    ) -> Generator[Effect, Any, Any]:
        current = [follow_up]
        try:
            return (yield from self._follow_steps(current, helper, credential, request))
        except GeneratorExit:
            raise  # the generator is being closed: nothing may be sent any more
        except BaseException as exc:
            if not getattr(exc, "_infermux_job_settled", False):
                yield from self._cancel_job(current[0], helper, credential)
            raise

    def _follow_steps(
        self,
        current: list[FollowUp],
        helper: TaskProviderHelper,
        credential: Credential | None,
        request: TaskRequest,
    ) -> Generator[Effect, Any, Any]:
        settings = self.settings
        clock = self.clock.now
        started = clock()
        job_deadline = started + settings.job_timeout
        polls = 0
        result: Any = current[0]
        while isinstance(result, FollowUp):
            step = current[0] = result
            _check_follow_up_url(step, helper)
            if step.poll:
                elapsed = clock() - started
                if request.on_progress is not None:
                    request.on_progress(
                        JobProgress(helper.provider, step.job_id, step.status, elapsed, polls)
                    )
                self._check_cancelled(step, helper, request)
                if elapsed + settings.poll_interval > settings.job_timeout:
                    raise self._job_timeout(step, helper)
                if settings.poll_interval > 0:
                    yield Sleep(settings.poll_interval, request.cancel)
                    self._check_cancelled(step, helper, request)
                polls += 1
            try:
                # Every attempt of the request (retries too) ends by the job's deadline.
                response = yield from self.sender.send(
                    step.request, credential, helper.provider, helper, deadline=job_deadline
                )
            except DeadlineExceededError:
                raise
            except RequestTimeoutError as exc:
                if clock() < job_deadline and not getattr(exc, "at_deadline", False):
                    raise
                raise self._job_timeout(step, helper) from exc
            except ProviderHTTPError as exc:
                # Any failed step of a job (a poll, the result, the media) fails the job; the
                # HTTP error stays attached as the cause.
                what = "polling" if step.poll else "fetching its result"
                raise JobError(
                    f"{helper.provider} job {step.job_id or ''}: {what} failed: {exc}",
                    provider=helper.provider,
                    job_id=step.job_id,
                ) from exc
            try:
                result = _guarded(
                    helper,
                    "FollowUp.then",
                    credential,
                    partial(self.origin, helper),
                    step.then,
                    response,
                )
            except JobError as exc:
                # The provider reported the job failed or cancelled: nothing to cancel.
                exc._infermux_job_settled = True  # type: ignore[attr-defined]
                raise
        return result

    def _job_timeout(self, step: FollowUp, helper: TaskProviderHelper) -> JobTimeoutError:
        return JobTimeoutError(
            f"{helper.provider} job {step.job_id or ''} did not finish within "
            f"{self.settings.job_timeout:g}s (last status: {step.status or 'unknown'})",
            provider=helper.provider,
            job_id=step.job_id,
        )

    def _check_cancelled(
        self, step: FollowUp, helper: TaskProviderHelper, request: TaskRequest
    ) -> None:
        if request.cancel is not None and request.cancel.cancelled:
            raise JobCancelledError(
                f"{helper.provider} job {step.job_id or ''} cancelled",
                provider=helper.provider,
                job_id=step.job_id,
            )

    def _cancel_job(
        self, step: FollowUp, helper: TaskProviderHelper, credential: Credential | None
    ) -> Generator[Effect, Any, None]:
        if step.cancel is None:
            return
        timeout = CANCEL_TIMEOUT
        if self.settings.timeout is not None:
            timeout = min(timeout, self.settings.timeout)
        try:
            yield from self.sender.send(
                step.cancel,
                credential,
                helper.provider,
                helper,
                check=False,
                timeout=timeout,
                retries=False,
                cleanup=True,
            )
        except InfermuxError as exc:  # the caller's own error matters more than this one
            logger.info("%s: could not cancel job %s: %s", helper.provider, step.job_id, exc)
