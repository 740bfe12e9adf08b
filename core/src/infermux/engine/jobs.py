"""Follow-up chains of asynchronous jobs: polling, deadline, cancellation, progress."""

from __future__ import annotations

import logging
from collections.abc import Generator
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from infermux.auth import (
    Credential,
)
from infermux.engine.calls import TaskRequest
from infermux.engine.effects import Effect, JobProgress, Sleep
from infermux.engine.failures import _guarded
from infermux.engine.sending import Sender
from infermux.errors import (
    JobCancelledError,
    JobError,
    JobTimeoutError,
    ProviderHTTPError,
    RequestTimeoutError,
    ResponseFormatError,
    TransportError,
)
from infermux.helpers.base import (
    FollowUp,
    TaskProviderHelper,
)

logger = logging.getLogger("infermux")


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


class JobRunner(Sender):
    """Runs the follow-up chain of an asynchronous job."""

    def _follow(
        self,
        follow_up: FollowUp,
        helper: TaskProviderHelper,
        credential: Credential | None,
        request: TaskRequest,
    ) -> Generator[Effect, Any, Any]:
        settings = self.settings
        clock = settings.clock
        started = clock.now()
        polls = 0
        result: Any = follow_up
        while isinstance(result, FollowUp):
            step = result
            _check_follow_up_url(step, helper)
            if step.poll:
                elapsed = clock.now() - started
                if request.on_progress is not None:
                    request.on_progress(
                        JobProgress(helper.provider, step.job_id, step.status, elapsed, polls)
                    )
                yield from self._check_cancelled(step, helper, credential, request)
                if elapsed + settings.poll_interval > settings.job_timeout:
                    yield from self._cancel_job(step, helper, credential)
                    raise self._job_timeout(step, helper)
                if settings.poll_interval > 0:
                    yield Sleep(settings.poll_interval, request.cancel)
                    yield from self._check_cancelled(step, helper, credential, request)
                polls += 1
            # No single request may outlive the job's deadline.
            remaining = settings.job_timeout - (clock.now() - started)
            per_request = (
                remaining if settings.timeout is None else min(settings.timeout, remaining)
            )
            try:
                response = yield from self._send(
                    step.request,
                    credential,
                    helper.provider,
                    helper,
                    timeout=max(per_request, 0.001),
                )
            except RequestTimeoutError as exc:
                if clock.now() - started < settings.job_timeout:
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
            result = _guarded(
                helper,
                "FollowUp.then",
                credential,
                partial(self._origin, helper),
                step.then,
                response,
            )
        return result

    def _job_timeout(self, step: FollowUp, helper: TaskProviderHelper) -> JobTimeoutError:
        return JobTimeoutError(
            f"{helper.provider} job {step.job_id or ''} did not finish within "
            f"{self.settings.job_timeout:g}s (last status: {step.status or 'unknown'})",
            provider=helper.provider,
            job_id=step.job_id,
        )

    def _check_cancelled(
        self,
        step: FollowUp,
        helper: TaskProviderHelper,
        credential: Credential | None,
        request: TaskRequest,
    ) -> Generator[Effect, Any, None]:
        if request.cancel is not None and request.cancel.cancelled:
            yield from self._cancel_job(step, helper, credential)
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
        try:
            yield from self._send(step.cancel, credential, helper.provider, helper, check=False)
        except TransportError:
            logger.info("%s: could not cancel job %s", helper.provider, step.job_id)
