"""Sending one request: headers and auth, retries with back-off, model-loading waits."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Generator, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from infermux import __version__
from infermux.auth import (
    Credential,
    host_of,
)
from infermux.clock import Clock
from infermux.engine.calls import EngineSettings
from infermux.engine.effects import Effect, Send, Sleep
from infermux.engine.failures import http_error, redirect_error
from infermux.errors import (
    DeadlineExceededError,
    JobMayExistError,
    ProviderHTTPError,
    RequestTimeoutError,
    TransportError,
)
from infermux.helpers.base import (
    HTTPRequest,
    Response,
    TaskProviderHelper,
)
from infermux.transport.retry import model_loading_estimate

logger = logging.getLogger("infermux")

#: Statuses after which a job-creating request may be resent: the server refused it
#: before doing anything (RFC 9110: 408 never got the whole request; RFC 6585: 429).
_REFUSED_UNPROCESSED = frozenset({408, 429})


class Sender:
    """Sends one request with the client's policy: headers and auth, retries with back-off,
    model-loading waits, the request budget and deadlines.

    It yields effects and never does I/O; it knows nothing of providers' registrations or
    of models, only of the request, the credential and the helper it is given.
    """

    def __init__(self, settings: EngineSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self._base_headers = {"user-agent": f"infermux/{__version__}", **settings.headers}

    def headers(self, request: HTTPRequest, credential: Credential | None) -> dict[str, str]:
        """The request's headers on top of the client's, with the key where it may go."""
        headers = {**self._base_headers, **request.headers}
        if request.authenticate and credential is not None:
            if credential.allows(request.url):
                headers.update(credential.scheme.headers_for(credential.key))
            else:
                logger.debug("not sending %s to %s", credential.source, host_of(request.url))
        return headers

    def send(
        self,
        request: HTTPRequest,
        credential: Credential | None,
        provider: str,
        helper: TaskProviderHelper | None,
        *,
        check: bool = True,
        timeout: float | None = None,
        deadline: float | None = None,
        retries: bool = True,
        cleanup: bool = False,
    ) -> Generator[Effect, Any, Any]:
        """Send ``request`` with retries. ``deadline`` (on :attr:`clock`) caps every
        attempt's timeout at the time left, so retries cannot overrun it. A request that
        creates a job or is paid per call is resent only when it certainly never arrived
        or was refused unprocessed (see HTTPRequest)."""
        headers = self.headers(request, credential)
        if request.idempotency_header and request.idempotency_header not in headers:
            # One key for every attempt of this call: the provider runs the job once.
            headers[request.idempotency_header] = str(uuid.uuid4())
        # Without an idempotency key, a paid attempt that may have arrived is never repeated.
        paid = request.creates_job or request.paid_per_call
        at_most_once = paid and not request.idempotency_header
        policy = self.settings.retry
        base_timeout = self.settings.timeout if timeout is None else timeout
        effect = Send(
            request,
            headers,
            base_timeout,
            follow_redirects=not (request.authenticate and credential is not None),
            provider=provider,
            requests_per_minute=self._budget(helper),
            limits=self.settings.limits,
            cleanup=cleanup,
        )
        max_retries = policy.max_retries if retries else 0
        attempt = 0
        loading_waited = 0.0
        loading_waits = 0
        while True:
            capped = False
            if deadline is not None:
                left = deadline - self.clock.now()
                if left <= 0:
                    expired = RequestTimeoutError(
                        f"{provider}: no time left for {request.method} {request.url[:200]}",
                        provider=provider,
                        url=request.url,
                        request_sent=False,
                    )
                    expired.at_deadline = True  # type: ignore[attr-defined]
                    raise expired
                if base_timeout is None or left < base_timeout:
                    effect = replace(effect, timeout=left)
                    capped = True
            try:
                response = yield effect
            except TransportError as exc:
                attempt += 1
                exc.provider = exc.provider or provider
                if capped and isinstance(exc, RequestTimeoutError):
                    # The attempt had only the time left: its timeout is the deadline's
                    # (a timer may fire a hair before the clock reaches the deadline).
                    exc.at_deadline = True  # type: ignore[attr-defined]
                    if not (at_most_once and exc.request_sent):
                        raise
                if at_most_once and exc.request_sent:
                    raise self._job_may_exist(request, provider, helper, exc) from exc
                if isinstance(exc, DeadlineExceededError) or attempt > max_retries:
                    raise
                yield Sleep(policy.backoff(attempt))
                continue
            status = response.status_code
            if 300 <= status < 400 and check:
                # Not followed (a keyed request never follows one), and no JSON to parse.
                raise redirect_error(
                    response, provider, credential, keyed=not effect.follow_redirects
                )
            if status < 400 or not check:
                return response
            estimate = model_loading_estimate(status, getattr(response, "content", b""))
            if estimate is None and status == 503 and helper is not None and helper.scales_to_zero:
                # A scaled-to-zero endpoint answers 503 while it wakes, with no estimate:
                # wait with back-off, within the same budget as a loading model.
                estimate = policy.backoff(loading_waits + 1)
            # A model still loading (or an endpoint waking) ran nothing: like a 429, it is
            # an answer saying "not done", so even a paid request waits and goes again.
            if at_most_once and status not in _REFUSED_UNPROCESSED and estimate is None:
                error = http_error(response, provider, helper, credential)
                if status < 500:
                    raise error  # refused (400, 401, 404 ...): no job was created
                raise self._job_may_exist(request, provider, helper, error, response) from error
            if estimate is not None and not self.settings.wait_for_model:
                # The caller chose to fail fast: a loading model is not retried either.
                raise http_error(response, provider, helper, credential, loading=True)
            if estimate is not None:
                wait = max(0.5, estimate)
                if (
                    loading_waits < policy.max_model_loading_retries
                    and loading_waited + wait <= policy.max_model_loading_wait
                ):
                    loading_waits += 1
                    loading_waited += wait
                    logger.info("%s: model loading, waiting %.1fs", provider, wait)
                    yield Sleep(wait)
                    continue
            elif policy.should_retry_status(status) and attempt < max_retries:
                attempt += 1
                yield Sleep(policy.delay_for(attempt, response.headers))
                continue
            raise http_error(response, provider, helper, credential, loading=estimate is not None)

    def _job_may_exist(
        self,
        request: HTTPRequest,
        provider: str,
        helper: TaskProviderHelper | None,
        cause: TransportError | ProviderHTTPError,
        response: Response | None = None,
    ) -> JobMayExistError:
        """The error for a paid request (a job, or work paid per call) that failed after it
        may have arrived."""
        request_id = cause.request_id if isinstance(cause, ProviderHTTPError) else None
        where = helper.jobs_url if helper is not None else None
        if not where and helper is not None and helper.key_url:
            parts = urlsplit(helper.key_url)  # the provider's site, where its dashboard is
            where = f"{parts.scheme}://{parts.netloc}"
        dashboard = f" ({where})" if where else " in the provider's dashboard"
        request_note = f"; the provider's request id was {request_id}" if request_id else ""
        target = f"({request.method} {request.url[:200]})"
        if request.creates_job:
            how = (
                f"Look for it among your {provider} jobs{dashboard}{request_note}, "
                "and cancel it there if you do not want it."
            )
            what = f"the request that starts a paid job {target}"
            why = "so as not to start and bill a second job; the first may be running."
        else:
            # A blocking call: nothing to cancel, but its usage shows whether it ran.
            how = f"Check your {provider} requests or usage{dashboard}{request_note}."
            what = f"the request that runs a generation paid per call {target}"
            why = "so as not to run and bill it twice; the first may have run and been billed."
        return JobMayExistError(
            f"{provider}: {what} failed after it may have reached the provider ({cause}). "
            f"It was not sent again, {why} {how}",
            provider=provider,
            url=request.url,
            how_to_find=how,
            request_id=request_id,
        )

    def _budget(self, helper: TaskProviderHelper | None) -> float | None:
        """Requests per minute allowed for the helper's provider (None: unlimited)."""
        if helper is None:
            return None
        configured = self.settings.requests_per_minute
        if isinstance(configured, Mapping):
            configured = configured.get(helper.provider)
        return configured if configured is not None else helper.default_requests_per_minute
