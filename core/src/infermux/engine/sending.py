"""Sending one request: headers and auth, retries with back-off, model-loading waits."""

from __future__ import annotations

import logging
from collections.abc import Generator, Mapping
from typing import Any

from infermux.auth import (
    Credential,
    host_of,
)
from infermux.engine.calls import EngineSettings
from infermux.engine.effects import Effect, Send, Sleep
from infermux.engine.failures import http_error, redirect_error
from infermux.errors import (
    InfermuxError,
    TransportError,
)
from infermux.helpers.base import (
    HTTPRequest,
    TaskProviderHelper,
)
from infermux.mapping import (
    HubMappingCache,
)
from infermux.registry.store import ProviderRegistry
from infermux.transport.retry import model_loading_estimate

logger = logging.getLogger("infermux")


class Sender:
    """Sends requests with the engine's policy. State shared by the engine's parts."""

    settings: EngineSettings
    registry: ProviderRegistry
    mapping_cache: HubMappingCache
    _base_headers: dict[str, str]

    def _headers(self, request: HTTPRequest, credential: Credential | None) -> dict[str, str]:
        headers = {**self._base_headers, **request.headers}
        if request.authenticate and credential is not None:
            if credential.allows(request.url):
                headers.update(credential.scheme.headers_for(credential.key))
            else:
                logger.debug("not sending %s to %s", credential.source, host_of(request.url))
        return headers

    def _send(
        self,
        request: HTTPRequest,
        credential: Credential | None,
        provider: str,
        helper: TaskProviderHelper | None,
        *,
        check: bool = True,
        timeout: float | None = None,
    ) -> Generator[Effect, Any, Any]:
        headers = self._headers(request, credential)
        policy = self.settings.retry
        effect = Send(
            request,
            headers,
            self.settings.timeout if timeout is None else timeout,
            follow_redirects=not (request.authenticate and credential is not None),
            provider=provider,
            requests_per_minute=self._budget(helper),
        )
        attempt = 0
        loading_waited = 0.0
        loading_waits = 0
        while True:
            try:
                response = yield effect
            except TransportError as exc:
                attempt += 1
                if attempt > policy.max_retries:
                    exc.provider = exc.provider or provider
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
            elif policy.should_retry_status(status) and attempt < policy.max_retries:
                attempt += 1
                yield Sleep(policy.delay_for(attempt, response.headers))
                continue
            raise http_error(response, provider, helper, credential, loading=estimate is not None)

    def _budget(self, helper: TaskProviderHelper | None) -> float | None:
        """Requests per minute allowed for the helper's provider (None: unlimited)."""
        if helper is None:
            return None
        configured = self.settings.requests_per_minute
        if isinstance(configured, Mapping):
            configured = configured.get(helper.provider)
        return configured if configured is not None else helper.default_requests_per_minute

    def _origin(self, helper: TaskProviderHelper) -> str | None:
        """The distribution (or plugin) that registered ``helper``, for error messages."""
        key = (helper.provider, helper.task)
        if key not in self.registry:
            return None
        try:
            registration = self.registry.get(*key)
        except InfermuxError:
            return None
        return registration.origin if registration.helper is helper else None
