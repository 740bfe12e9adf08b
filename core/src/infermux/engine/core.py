"""The Engine: one call from candidates to typed output, sync and async alike."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Generator, Mapping
from dataclasses import replace
from functools import partial
from typing import Any
from urllib.parse import urlencode

from infermux.auth import (
    RoutingChoice,
    choose_route,
    host_of,
    is_url,
)
from infermux.engine.calls import BillToIgnoredWarning, Candidate, EngineSettings, TaskRequest
from infermux.engine.deadline import within_total_timeout
from infermux.engine.effects import Effect, StreamStart
from infermux.engine.failures import _guarded, _redacting, name_model, not_a_stream_error
from infermux.engine.finite import check_finite
from infermux.engine.jobs import JobRunner
from infermux.engine.payloads import (
    _merge_form_fields,
    _oversized_batch,
    _raw_event,
    _unsupported,
)
from infermux.engine.resolution import Resolver
from infermux.engine.sending import Sender
from infermux.errors import (
    DeadlineExceededError,
    InvalidInputError,
    JobError,
    MissingAPIKeyError,
    ProviderHTTPError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
    StreamError,
    TransportError,
)
from infermux.helpers.base import (
    Call,
    FollowUp,
    HTTPRequest,
    ModelMapping,
    MultipartPayload,
    Response,
    TaskProviderHelper,
)
from infermux.inputs import BinaryInput
from infermux.mapping import (
    HubMappingCache,
)
from infermux.media import media_kind_problem, sniff_content_type
from infermux.provenance import ResponseInfo, attach_response_info
from infermux.registry.store import ProviderRegistry

logger = logging.getLogger("infermux")

_FAILOVER_ERRORS = (RateLimitError, ServerError, TransportError)
#: Errors of a call that get the model added to their message (they name the provider).
_NAMED_ERRORS = (ProviderHTTPError, ResponseFormatError, TransportError, JobError, StreamError)


class Engine:
    """Plans and runs calls as effect generators. Holds no connection of its own.

    It is composed of three parts, each built from what it needs and nothing else:

    - :attr:`sender` (:class:`~infermux.engine.sending.Sender`, from the settings and the
      clock) sends one request with retries, back-off and deadlines;
    - :attr:`resolver` (:class:`~infermux.engine.resolution.Resolver`, from the settings,
      the registry and the sender) chooses providers, routes and model ids;
    - :attr:`jobs` (:class:`~infermux.engine.jobs.JobRunner`, from the settings, the
      sender, the clock and the resolver's ``origin``) follows asynchronous jobs.

    The engine itself prepares the request, hands it to them and parses what comes back.
    """

    def __init__(self, settings: EngineSettings, registry: ProviderRegistry) -> None:
        self.settings = settings
        self.registry = registry
        #: Where every wait and deadline of this engine reads the time.
        self.clock = settings.clock
        self.sender = Sender(settings, self.clock)
        self.resolver = Resolver(settings, registry, self.sender)
        self.jobs = JobRunner(settings, self.sender, self.clock, self.resolver.origin)

    @property
    def mapping_cache(self) -> HubMappingCache:
        """The Hub's provider mappings this client has looked up (see ``mapping_ttl``)."""
        return self.resolver.mapping_cache

    def run(self, request: TaskRequest) -> Generator[Effect, Any, Any]:
        """Run one task call; the generator's return value is the output or a StreamStart."""
        check_finite(request.parameters, request.extra_body, request.inputs)
        return (yield from self._bounded(self._run(request)))

    def _bounded(self, call: Generator[Effect, Any, Any]) -> Generator[Effect, Any, Any]:
        return within_total_timeout(call, self.settings.total_timeout, self.clock)

    def _run(self, request: TaskRequest) -> Generator[Effect, Any, Any]:
        candidates = yield from self.resolver.candidates(request)
        for index, candidate in enumerate(candidates):
            try:
                return (yield from self._run_on(candidate, request))
            except DeadlineExceededError:
                raise  # no time is left for another provider either
            except MissingAPIKeyError:
                # provider="auto" may list providers the caller has no key for: try the next.
                if index + 1 >= len(candidates):
                    raise
                logger.info(
                    "no key for %s; trying %s",
                    candidate.helper.provider,
                    candidates[index + 1].helper.provider,
                )
                continue
            except _FAILOVER_ERRORS as exc:
                if index + 1 >= len(candidates) or not self.settings.failover:
                    raise
                logger.warning(
                    "%s failed (%s); failing over to %s",
                    candidate.helper.provider,
                    type(exc).__name__,
                    candidates[index + 1].helper.provider,
                )
        raise AssertionError("unreachable: no candidates")  # candidates() never returns []

    def _run_on(self, candidate: Candidate, request: TaskRequest) -> Generator[Effect, Any, Any]:
        settings = self.settings
        helper = candidate.helper
        route = self.resolver.route(helper, candidate.base_url)
        if request.stream and not helper.supports_streaming:
            # Refused before sending: the helper's parse_stream_event would only raise
            # NotImplementedError once the provider had started streaming.
            raise InvalidInputError(
                f"{helper.provider} does not stream {request.task!r}: call without stream=True."
            )
        unsupported = _unsupported(helper, request)
        if unsupported:
            raise InvalidInputError(
                f"{helper.provider} cannot honour {', '.join(map(repr, unsupported))} for "
                f"{request.task!r}. Parameters it supports: "
                f"{', '.join(sorted(helper.supported_parameters or ())) or '(none)'}; pass "
                "provider-specific options through extra_body."
            )
        oversized = _oversized_batch(helper, request)
        if oversized:
            raise InvalidInputError(oversized)
        mapping = candidate.mapping
        if mapping is None:
            mapping = yield from self.resolver.resolve_mapping(helper, candidate.model, route)
        inputs = request.inputs
        if not helper.accepts_input_urls:
            inputs = yield from self._download_inputs(inputs, helper)
        call = Call(
            task=request.task,
            inputs=inputs,
            model=mapping,
            routing=route.routing,
            base_url=route.base_url,
            parameters=request.parameters,
            extra_body=request.extra_body,
            stream=request.stream,
            options={"wait_for_model": settings.wait_for_model, "use_cache": settings.use_cache},
        )
        origin = partial(self.resolver.origin, helper)
        prepared = _guarded(
            helper, "prepare_request", route.credential, origin, helper.prepare_request, call
        )
        http_request = self._with_extra(prepared, request, self._bill_to(route), helper)
        try:
            return (yield from self._exchange(helper, route, call, http_request, request, mapping))
        except _NAMED_ERRORS as exc:
            name_model(exc, mapping.provider_model_id, mapping.hub_model_id)
            raise

    def _exchange(
        self,
        helper: TaskProviderHelper,
        route: RoutingChoice,
        call: Call,
        http_request: HTTPRequest,
        request: TaskRequest,
        mapping: ModelMapping,
    ) -> Generator[Effect, Any, Any]:
        """Send the prepared request, then parse, stream or follow what comes back."""
        origin = partial(self.resolver.origin, helper)
        response = yield from self.sender.send(
            http_request, route.credential, helper.provider, helper
        )
        if request.stream and isinstance(response, Response):
            # The transport hands over an event stream only: this is a JSON or HTML body.
            raise not_a_stream_error(response, helper.provider, request.task, route.credential)
        info = ResponseInfo.from_headers(
            helper.provider,
            mapping.provider_model_id,
            route.routing,
            response.status_code,
            response.headers,
        )
        if request.stream:
            parse = partial(
                _guarded,
                helper,
                "parse_stream_event",
                route.credential,
                origin,
                partial(helper.parse_stream_event, call=call),
            )
            return self._stream_start(
                response,
                _redacting(parse, route.credential),
                info,
                end_marker=helper.stream_end_marker,
            )
        result = _guarded(
            helper,
            "parse_response",
            route.credential,
            origin,
            helper.parse_response,
            response,
            call,
        )
        if isinstance(result, FollowUp):
            result = yield from self.jobs.follow(result, helper, route.credential, request)
        problem = media_kind_problem(request.task, result)
        if problem is not None:
            raise ResponseFormatError(
                f"{helper.provider}: {problem}", provider=helper.provider, task=request.task
            )
        return attach_response_info(result, info)

    def _stream_start(
        self, response: Any, parse: Any, info: ResponseInfo, *, end_marker: str | None = None
    ) -> StreamStart:
        """An open stream, with the bounds its iteration enforces."""
        settings = self.settings
        return StreamStart(
            response,
            parse,
            info,
            event_timeout=settings.timeout,
            max_event_bytes=settings.limits.event,
            end_marker=end_marker,
        )

    def _download_inputs(
        self, inputs: Any, helper: TaskProviderHelper
    ) -> Generator[Effect, Any, Any]:
        """Fetch URL inputs the provider cannot fetch itself (no key is ever attached)."""
        if isinstance(inputs, BinaryInput) and inputs.content is None and inputs.url:
            download = HTTPRequest("GET", inputs.url, authenticate=False)
            response = yield from self.sender.send(download, None, helper.provider, None)
            content = response.content
            return BinaryInput(
                content, sniff_content_type(content, response.content_type), inputs.url
            )
        if isinstance(inputs, dict) and any(isinstance(v, BinaryInput) for v in inputs.values()):
            result = {}
            for key, value in inputs.items():
                result[key] = yield from self._download_inputs(value, helper)
            return result
        return inputs

    def _bill_to(self, route: RoutingChoice) -> dict[str, str]:
        bill_to = self.settings.bill_to
        if bill_to is None:
            return {}
        if host_of(route.base_url) != host_of(self.settings.router_url):
            warnings.warn(
                f"bill_to={bill_to!r} has no effect on a direct call: only the Hugging Face "
                "router bills an organisation. Use a Hugging Face token (routing='router').",
                BillToIgnoredWarning,
                stacklevel=6,
            )
            return {}
        return {"X-HF-Bill-To": bill_to}

    @staticmethod
    def _with_extra(
        http_request: HTTPRequest,
        request: TaskRequest,
        extra_headers: Mapping[str, str],
        helper: TaskProviderHelper,
    ) -> HTTPRequest:
        added = {**request.headers, **extra_headers}
        headers = {**http_request.headers, **added} if added else None
        payload = http_request.payload
        if request.extra_body:
            if isinstance(payload, MultipartPayload):
                payload = _merge_form_fields(payload, request.extra_body)
            elif isinstance(payload, dict):
                payload = helper.merge_extra_body(payload, request.extra_body)
            else:
                raise InvalidInputError(
                    "extra_body can only be merged into a JSON object or a multipart form; "
                    f"this {request.task!r} request sends {type(payload).__name__}."
                )
        if headers is None and payload is http_request.payload:
            return http_request
        return replace(http_request, headers=headers or http_request.headers, payload=payload)

    def custom(
        self,
        provider: str | None,
        request: HTTPRequest,
        *,
        model: str | None = None,
    ) -> Generator[Effect, Any, Any]:
        """Send a request of the caller's own shape through a provider's routing, auth and
        retries. ``request.url`` may be a path (appended to the provider's base URL)."""
        if isinstance(request.payload, dict | list):
            check_finite({"payload": request.payload}, {})
        return (yield from self._bounded(self._custom(provider, request, model)))

    def _custom(
        self, provider: str | None, request: HTTPRequest, model: str | None
    ) -> Generator[Effect, Any, Any]:
        name = provider or self.settings.provider
        settings = self.settings
        endpoint = name is None and settings.base_url is not None
        if endpoint:
            # A dedicated endpoint (base_url= and no provider): its own auth rules, and
            # paths relative to the URL as given.
            assert settings.base_url is not None
            from infermux.endpoints import endpoint_helper  # see Resolver.candidates

            helper = endpoint_helper("conversational", settings.base_url)
            name = helper.provider
        elif name is None or name == "auto":
            raise InvalidInputError(
                "client.request() needs a provider: pass provider='...' (or base_url= for "
                "a dedicated endpoint)"
            )
        else:
            # The provider's own settings (its Provider object), not a task helper's.
            from infermux.engine.identity import provider_identity  # task calls never need it

            helper = provider_identity(self.registry, name)
        route = choose_route(
            helper,
            api_key=settings.api_key,
            routing=settings.routing,
            router_url=settings.router_url,
            hub_url=settings.hub_url,
            base_url=settings.base_url,
        )
        if endpoint:
            assert settings.base_url is not None
            route = replace(route, base_url=settings.base_url.rstrip("/"))
        if not is_url(request.url):
            request = replace(request, url=route.base_url + "/" + request.url.lstrip("/"))
        response = yield from self.sender.send(request, route.credential, name, helper)
        if request.stream and isinstance(response, Response):
            raise not_a_stream_error(response, name, "custom", route.credential)
        info = ResponseInfo.from_headers(
            name, model or "", route.routing, response.status_code, response.headers
        )
        if request.stream:
            return self._stream_start(response, _raw_event, info)
        return response

    def max_batch_size(self, task: str, model: str | None) -> int:
        """The most inputs one request of ``task`` may carry for the provider this client
        (or ``model="id:provider"``) names; the core's default where that is not known
        before resolving (``provider="auto"``)."""
        from infermux.helpers.base import DEFAULT_MAX_BATCH_SIZE

        settings = self.settings
        provider = settings.provider
        model = model or settings.model
        if model and ":" in model and "/" in model and not is_url(model):
            suffix = model.rpartition(":")[2]
            provider = suffix if self.registry.has_provider(suffix) else provider
        helper: TaskProviderHelper | None = None
        if is_url(model) or (provider is None and settings.base_url is not None):
            from infermux.endpoints import endpoint_helper  # see Resolver.candidates

            url = model if is_url(model) else settings.base_url
            helper = endpoint_helper(task, str(url), self.registry)
        elif provider not in (None, "auto") and (provider, task) in self.registry:
            helper = self.registry.get(str(provider), task).helper
        limit = getattr(helper, "max_batch_size", None)
        return limit if isinstance(limit, int) and limit > 0 else DEFAULT_MAX_BATCH_SIZE

    def hub(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> Generator[Effect, Any, Any]:
        """GET a Hugging Face Hub API path (with the caller's HF token, if any) as JSON."""
        url = self.settings.hub_url.rstrip("/") + path
        if params:
            url += "?" + urlencode(params, doseq=True)
        response = yield from self.sender.send(
            HTTPRequest("GET", url), self.resolver.hub_credential(), "huggingface-hub", None
        )
        return response.json()

    def router_get(self, path: str) -> Generator[Effect, Any, Any]:
        """GET a path of the Hugging Face router (e.g. ``/v1/models``) as JSON."""
        url = self.settings.router_url.rstrip("/") + path
        response = yield from self.sender.send(
            HTTPRequest("GET", url), self.resolver.hub_credential(), "hf-router", None
        )
        return response.json()
