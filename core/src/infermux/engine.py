"""The one code path every call takes, sync or async.

A call runs as a generator that *yields effects* (:class:`Send` a request, :class:`Sleep`)
and receives their results; it never does I/O itself. The sync client drives it with
blocking calls, the async client with ``await``, so routing, model mapping, retries,
failover and job polling are written once and behave identically in both.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import warnings
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlencode

from infermux import __version__
from infermux.aliases import ALIAS_NAMES, AliasTable, resolve_alias
from infermux.auth import (
    DEFAULT_HUB_URL,
    DEFAULT_ROUTER_URL,
    Credential,
    RoutingChoice,
    choose_route,
    host_of,
    is_hf_token,
    read_hf_token,
    route_inputs,
)
from infermux.endpoints import ROUTER_POLICIES, endpoint_helper, is_url, router_policy_helper
from infermux.errors import (
    AuthenticationError,
    HelperError,
    InfermuxError,
    InvalidInputError,
    JobCancelledError,
    JobError,
    JobTimeoutError,
    MissingAPIKeyError,
    ModelMappingError,
    NotFoundError,
    ProviderHTTPError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    StreamError,
    TransportError,
    UnknownProviderError,
    error_class_for_status,
)
from infermux.helpers.base import (
    Call,
    FollowUp,
    HTTPRequest,
    ModelMapping,
    MultipartPayload,
    Response,
    SSEEvent,
    TaskProviderHelper,
)
from infermux.inputs import BinaryInput
from infermux.mapping import (
    HubMappingCache,
    ProviderMappingEntry,
    hub_mapping_url,
    parse_hub_mapping,
)
from infermux.media import sniff_content_type
from infermux.provenance import ResponseInfo, attach_response_info, request_id_of
from infermux.registry.store import ProviderRegistry
from infermux.transport.retry import RetryPolicy, model_loading_estimate

__all__ = [
    "CancelToken",
    "Effect",
    "Engine",
    "EngineSettings",
    "JobProgress",
    "Send",
    "Sleep",
    "StreamStart",
    "TaskRequest",
]

logger = logging.getLogger("infermux")


class BillToIgnoredWarning(UserWarning):
    """``bill_to`` was set on a call that does not go through the Hugging Face router."""


class CancelToken:
    """Cancels a running job from any thread (sync) or task (async): ``token.cancel()``."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Block up to ``seconds``; True if cancelled meanwhile."""
        return self._event.wait(seconds)


@dataclass(frozen=True, slots=True)
class JobProgress:
    """What a progress callback receives while a job is polled."""

    provider: str
    job_id: str | None
    status: str | None
    elapsed: float
    polls: int


@dataclass(frozen=True, slots=True)
class Send:
    """Effect: send ``request`` with the final ``headers``; resume with the response."""

    request: HTTPRequest
    #: Out of the repr: they carry the key.
    headers: Mapping[str, str] = field(repr=False)
    timeout: float | None
    follow_redirects: bool
    #: Who the request is for, and its client-side budget (None: unlimited).
    provider: str = ""
    requests_per_minute: float | None = None


@dataclass(frozen=True, slots=True)
class Sleep:
    """Effect: wait ``seconds`` (waking early if ``cancel`` fires)."""

    seconds: float
    cancel: CancelToken | None = None


Effect = Send | Sleep


@dataclass(frozen=True, slots=True)
class StreamStart:
    """Final value of a streaming call: the open response and how to parse its events."""

    handle: Any
    parse: Callable[[SSEEvent], Any]
    info: ResponseInfo


@dataclass(frozen=True, slots=True)
class Candidate:
    """A provider to try for a call, the model named for it, and any endpoint URL."""

    helper: TaskProviderHelper
    model: str
    mapping: ModelMapping | None = None
    #: The client's ``base_url=`` override of the provider's root (registry candidates only).
    base_url: str | None = None


@dataclass(frozen=True, slots=True)
class TaskRequest:
    """A validated task invocation, before a provider is chosen."""

    task: str
    inputs: Any
    parameters: Mapping[str, Any] = field(default_factory=dict)
    model: str | None = None
    provider: str | None = None
    stream: bool = False
    extra_body: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    on_progress: Callable[[JobProgress], None] | None = None
    cancel: CancelToken | None = None


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Client-wide policy. Every field is a constructor argument of the clients."""

    provider: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    routing: str = "auto"
    base_url: str | None = None
    router_url: str = DEFAULT_ROUTER_URL
    hub_url: str = DEFAULT_HUB_URL
    timeout: float | None = 120.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    headers: Mapping[str, str] = field(default_factory=dict)
    poll_interval: float = 1.0
    job_timeout: float = 600.0
    model_mappings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    provider_preference: tuple[str, ...] = ()
    failover: bool = True
    hub_lookup: bool = True
    wait_for_model: bool = True
    use_cache: bool | None = None
    model_aliases: AliasTable = field(default_factory=dict)
    bill_to: str | None = None
    requests_per_minute: float | Mapping[str, float] | None = None
    mapping_ttl: float = 300.0


def _decode_body(response: Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return response.text


def _generic_message(body: Any) -> str | None:
    if isinstance(body, dict):
        for key in ("error", "message", "detail", "error_message", "msg"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict):
                nested = _generic_message(value)
                if nested:
                    return nested
            if isinstance(value, list) and value:
                return "; ".join(
                    str(item.get("msg", item)) if isinstance(item, dict) else str(item)
                    for item in value
                )
    if isinstance(body, str) and body.strip():
        text = body.strip()
        return text if len(text) <= 500 else text[:500] + "..."
    return None


def _redact(text: str, credential: Credential | None) -> str:
    if credential is not None and credential.key and credential.key in text:
        return text.replace(credential.key, "<redacted>")
    return text


def _redact_body(body: Any, credential: Credential | None) -> Any:
    """A decoded error body with the key redacted wherever it is quoted (a 401 echoing the
    header it got): the error's ``body`` attribute is as safe to log as its message."""
    if credential is None or not credential.key:
        return body
    if isinstance(body, str):
        return _redact(body, credential)
    if isinstance(body, dict):
        return {_redact_body(k, credential): _redact_body(v, credential) for k, v in body.items()}
    if isinstance(body, list):
        return [_redact_body(item, credential) for item in body]
    return body


def _redact_error(exc: BaseException, credential: Credential | None) -> None:
    """Redact the key, in place, wherever an error a helper raised quotes it (a snippet of a
    body echoing it): in its message and in its attributes (``event``, ``body`` ...)."""
    if credential is None or not credential.key:
        return
    if credential.key not in f"{exc.args!r}{vars(exc)!r}":
        return
    exc.args = tuple(_redact_body(arg, credential) for arg in exc.args)
    for name, value in vars(exc).items():
        setattr(exc, name, _redact_body(value, credential))


def http_error(
    response: Response,
    provider: str,
    helper: TaskProviderHelper | None,
    credential: Credential | None,
    *,
    loading: bool = False,
) -> ProviderHTTPError:
    """Build the typed error for an error response."""
    body = _decode_body(response)
    message = None
    if helper is not None:
        try:
            message = helper.error_message(body)
        except Exception:  # a helper bug must not hide the provider's status and message
            logger.debug("%r.error_message failed", helper, exc_info=True)
        if not isinstance(message, str):
            message = None
    message = message or _generic_message(body)
    message = _redact(message or f"HTTP {response.status_code}", credential)
    cls = error_class_for_status(response.status_code, loading=loading)
    return cls(
        provider=provider,
        status_code=response.status_code,
        provider_message=message,
        request_id=request_id_of(response.headers),
        body=_redact_body(body, credential),
        url=response.url,
    )


def _redacting(
    parse: Callable[[SSEEvent], Any], credential: Credential | None
) -> Callable[[SSEEvent], Any]:
    """Wrap a stream parser so an error event echoing the key never shows it."""
    if credential is None or not credential.key:
        return parse
    key = credential.key

    def parse_redacted(event: SSEEvent) -> Any:
        try:
            return parse(event)
        except StreamError as exc:
            if key not in str(exc) and key not in repr(exc.event):
                raise
            message = exc.provider_message.replace(key, "<redacted>")
            event_body = json.loads(json.dumps(exc.event, default=str).replace(key, "<redacted>"))
            raise StreamError(message, provider=exc.provider, event=event_body) from None

    return parse_redacted


def _merge_form_fields(payload: MultipartPayload, extra: Mapping[str, Any]) -> MultipartPayload:
    """Add ``extra_body`` to a multipart form: scalar values become form fields."""
    fields = dict(payload.fields)
    for key, value in extra.items():
        if not isinstance(value, str | int | float | bool):
            raise InvalidInputError(
                f"extra_body[{key!r}] must be a string or a number for a multipart upload, "
                f"got {type(value).__name__}"
            )
        fields[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return replace(payload, fields=fields)


def _raw_event(event: SSEEvent) -> Any:
    """Custom streams: each event's data as JSON when it is JSON, else as text."""
    try:
        return json.loads(event.data)
    except ValueError:
        return event.data


def _unsupported(helper: TaskProviderHelper, request: TaskRequest) -> list[str]:
    supported = helper.supported_parameters
    if supported is None:
        return []
    return sorted(name for name in request.parameters if name not in supported)


_FAILOVER_ERRORS = (RateLimitError, ServerError, TransportError)

T = TypeVar("T")


def _guarded(
    helper: TaskProviderHelper,
    stage: str,
    credential: Credential | None,
    origin: Callable[[], str | None],
    function: Callable[..., T],
    *args: Any,
) -> T:
    """Run one step of a helper's code (plugin code, outside the core's control).

    Infermux errors the helper raises on purpose pass through. Anything else (a
    ``KeyError`` on an unexpected body, a ``ZeroDivisionError``) is a bug in the plugin:
    it becomes a :class:`HelperError` naming the provider, the helper class and the
    distribution, with the original as ``__cause__``, so a crashing plugin neither surfaces
    as a bare built-in exception nor hides which plugin is at fault.
    """
    try:
        return function(*args)
    except InfermuxError as exc:
        _redact_error(exc, credential)
        raise
    except Exception as exc:
        cls = type(helper)
        name = f"{cls.__module__}.{cls.__qualname__}"
        where = origin()
        detail = _redact(f"{type(exc).__name__}: {exc}", credential)
        error = HelperError(
            f"{name} (provider {helper.provider!r}"
            f"{f', from {where}' if where else ''}) raised {detail} in {stage}. This is a "
            "bug in the provider plugin; please report it to its authors.",
            provider=helper.provider,
            helper=name,
            stage=stage,
            origin=where,
        )
        text = f"{exc} {exc.args!r}"
        if credential is not None and credential.key and credential.key in text:
            raise error from None  # the original quotes the key (from an echoing body)
        raise error from exc


class Engine:
    """Plans and runs calls as effect generators. Holds no connection of its own."""

    def __init__(self, settings: EngineSettings, registry: ProviderRegistry) -> None:
        self.settings = settings
        self.registry = registry
        self.mapping_cache = HubMappingCache(settings.mapping_ttl)
        self._base_headers = {"user-agent": f"infermux/{__version__}", **settings.headers}
        #: (id(helper), base URL) -> (route_inputs, helper, route): see _route.
        self._routes: dict[tuple[int, str | None], tuple[Any, TaskProviderHelper, RoutingChoice]]
        self._routes = {}

    # -- public entry point ----------------------------------------------------------

    def run(self, request: TaskRequest) -> Generator[Effect, Any, Any]:
        """Run one task call; the generator's return value is the output or a StreamStart."""
        candidates = yield from self._candidates(request)
        for index, candidate in enumerate(candidates):
            try:
                return (yield from self._run_on(candidate, request))
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
        raise AssertionError("unreachable: no candidates")  # _candidates never returns []

    # -- provider and model resolution -----------------------------------------------

    def _hub_credential(self) -> Credential | None:
        key = self.settings.api_key
        token = key if key is not None and is_hf_token(key) else read_hf_token()
        if token is None:
            return None
        hosts = frozenset({host_of(self.settings.hub_url), host_of(self.settings.router_url)})
        https = self.settings.hub_url.startswith(
            "https://"
        ) and self.settings.router_url.startswith("https://")
        return Credential(token, "Hugging Face token", hosts, https_only=https)

    def _candidates(self, request: TaskRequest) -> Generator[Effect, Any, list[Candidate]]:
        settings = self.settings
        provider = request.provider or settings.provider
        model = request.model or settings.model
        if is_url(model):
            assert model is not None
            return [Candidate(endpoint_helper(request.task, model), "tgi")]
        if provider is None and settings.base_url is not None:
            helper = endpoint_helper(request.task, settings.base_url)
            return [Candidate(helper, model or "tgi")]
        if model is not None and ":" in model and "/" in model:
            base, _, suffix = model.rpartition(":")
            if suffix in ROUTER_POLICIES and request.task == "conversational":
                helper = router_policy_helper(settings.router_url)
                return [Candidate(helper, model, ModelMapping(model, hub_model_id=base))]
            if suffix in self.registry.providers():
                provider, model = suffix, base
        provider = provider or "auto"
        if provider != "auto":
            helper = self.registry.get(provider, request.task).helper
            resolved = resolve_alias(helper, model, settings.model_aliases)
            # An alias names the provider's own model id: no Hub mapping applies.
            mapping = ModelMapping(resolved) if resolved != model else None
            return [Candidate(helper, resolved, mapping, base_url=settings.base_url)]
        if model is None or model in ALIAS_NAMES:
            raise InvalidInputError(
                "provider='auto' needs a model id to find the providers serving it: pass "
                "model='org/name' (aliases such as 'small' need a provider)."
            )
        # In-house models: helpers declaring the model (``served_models``, a config file's
        # ``models = [...]``) are the candidates, and the Hub is not asked at all.
        declared = self._declared_candidates(request.task, model)
        if declared:
            return declared
        entries = yield from self._hub_entries(model, self._hub_credential())
        served = self.registry.providers_for(request.task)
        if not entries:
            raise ModelMappingError(
                f"provider='auto': the Hub maps no inference provider to {model!r}. Pass "
                f"provider= with one of the providers installed for {request.task!r}: "
                f"{', '.join(served) or '(none)'}."
            )
        preference = {p: i for i, p in enumerate(settings.provider_preference)}
        ordered = sorted(
            enumerate(entries),
            key=lambda pair: (preference.get(pair[1].provider, len(preference)), pair[0]),
        )
        candidates = [
            Candidate(
                self.registry.get(entry.provider, request.task).helper,
                model,
                entry.to_mapping(model),
            )
            for _, entry in ordered
            if entry.status != "error" and (entry.provider, request.task) in self.registry
        ]
        if not candidates:
            mapped = ", ".join(e.provider for e in entries)
            raise ModelMappingError(
                f"provider='auto': {model!r} is served by {mapped}, but none of them is installed "
                f"with a helper for {request.task!r} (installed: {', '.join(served) or '(none)'}). "
                "Install one of those provider plugins."
            )
        return candidates

    def _declared_candidates(self, task: str, model: str) -> list[Candidate]:
        """Installed helpers for ``task`` whose ``served_models`` holds ``model``, in the
        user's ``provider_preference`` order, then by provider id. The model id goes on the
        wire as it is, unless ``model_mappings`` overrides it for that provider."""
        preference = {p: i for i, p in enumerate(self.settings.provider_preference)}
        providers = sorted(
            (
                registration.helper.provider
                for registration in self.registry
                if registration.helper.task == task and model in registration.helper.served_models
            ),
            key=lambda provider: (preference.get(provider, len(preference)), provider),
        )
        candidates = []
        for provider in providers:
            # get() rather than the iterated helper: a (provider, task) two plugins claim
            # raises DuplicateProviderError here, as it does for an explicit provider=.
            helper = self.registry.get(provider, task).helper
            override = self.settings.model_mappings.get(provider, {}).get(model)
            mapping = ModelMapping(override or model, hub_model_id=model if override else None)
            candidates.append(Candidate(helper, model, mapping))
        return candidates

    def _resolve_mapping(
        self, helper: TaskProviderHelper, model: str, route: RoutingChoice
    ) -> Generator[Effect, Any, ModelMapping]:
        override = self.settings.model_mappings.get(helper.provider, {}).get(model)
        if override is not None:
            return ModelMapping(provider_model_id=override, hub_model_id=model)
        if not helper.needs_model_mapping or "/" not in model or not self.settings.hub_lookup:
            return ModelMapping(provider_model_id=model)
        entries = yield from self._hub_entries(model, route.hub_credential)
        if entries is None:
            return ModelMapping(provider_model_id=model)  # unknown to the Hub: a native id
        for entry in entries:
            if entry.provider == helper.provider:
                return entry.to_mapping(model)
        others = ", ".join(e.provider for e in entries)
        served = f"it maps it to {others}" if others else "it maps it to no inference provider"
        raise ModelMappingError(
            f"The Hub does not map {model!r} to {helper.provider} ({served}). Use one of "
            f"those providers, the model id {helper.provider} itself uses, or "
            "model_mappings={provider: {hub_id: provider_id}}."
        )

    def _hub_entries(
        self, model: str, credential: Credential | None
    ) -> Generator[Effect, Any, list[ProviderMappingEntry] | None]:
        hit, cached = self.mapping_cache.get(model)
        if hit:
            return cached
        lookup = HTTPRequest("GET", hub_mapping_url(self.settings.hub_url, model))
        try:
            response = yield from self._send(lookup, credential, "huggingface-hub", None)
        except TransportError as exc:
            logger.info("Hub lookup for %s failed (%s); using it as a native id", model, exc)
            return None
        except (AuthenticationError, NotFoundError):
            # Unknown to the Hub (or private): the id is the provider's own.
            self.mapping_cache.put(model, None)
            return None
        entries = parse_hub_mapping(response.json())
        self.mapping_cache.put(model, entries)
        return entries

    # -- one provider ------------------------------------------------------------------

    def _route(self, helper: TaskProviderHelper, base_url: str | None) -> RoutingChoice:
        """``choose_route`` for this client's settings, reused while nothing it reads changes.

        Choosing reads the environment and the saved Hugging Face token file; doing that on
        every call was a fifth of the client's own CPU per call. ``route_inputs`` is cheap
        (a few variables and a ``stat``), so a key set or a ``huggingface-cli login`` after
        the client was built is still seen by the next call.
        """
        inputs = route_inputs(helper)
        key = (id(helper), base_url)
        cached = self._routes.get(key)
        if cached is not None and cached[1] is helper and cached[0] == inputs:
            return cached[2]
        settings = self.settings
        route = choose_route(
            helper,
            api_key=settings.api_key,
            routing=settings.routing,
            router_url=settings.router_url,
            hub_url=settings.hub_url,
            base_url=base_url,
        )
        if len(self._routes) >= 256:  # endpoint helpers are built per call: stay bounded
            self._routes.clear()
        self._routes[key] = (inputs, helper, route)
        return route

    def _run_on(self, candidate: Candidate, request: TaskRequest) -> Generator[Effect, Any, Any]:
        settings = self.settings
        helper = candidate.helper
        route = self._route(helper, candidate.base_url)
        unsupported = _unsupported(helper, request)
        if unsupported:
            raise InvalidInputError(
                f"{helper.provider} cannot honour {', '.join(map(repr, unsupported))} for "
                f"{request.task!r}. Parameters it supports: "
                f"{', '.join(sorted(helper.supported_parameters or ())) or '(none)'}; pass "
                "provider-specific options through extra_body."
            )
        mapping = candidate.mapping
        if mapping is None:
            mapping = yield from self._resolve_mapping(helper, candidate.model, route)
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
        origin = partial(self._origin, helper)
        prepared = _guarded(
            helper, "prepare_request", route.credential, origin, helper.prepare_request, call
        )
        http_request = self._with_extra(prepared, request, self._bill_to(route), helper)
        response = yield from self._send(http_request, route.credential, helper.provider, helper)
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
            return StreamStart(response, _redacting(parse, route.credential), info)
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
            result = yield from self._follow(result, helper, route.credential, request)
        return attach_response_info(result, info)

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

    def _download_inputs(
        self, inputs: Any, helper: TaskProviderHelper
    ) -> Generator[Effect, Any, Any]:
        """Fetch URL inputs the provider cannot fetch itself (no key is ever attached)."""
        if isinstance(inputs, BinaryInput) and inputs.content is None and inputs.url:
            download = HTTPRequest("GET", inputs.url, authenticate=False)
            response = yield from self._send(download, None, helper.provider, None)
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

    # -- custom calls and the Hub API ------------------------------------------------------

    def custom(
        self,
        provider: str | None,
        request: HTTPRequest,
        *,
        model: str | None = None,
    ) -> Generator[Effect, Any, Any]:
        """Send a request of the caller's own shape through a provider's routing, auth and
        retries. ``request.url`` may be a path (appended to the provider's base URL)."""
        name = provider or self.settings.provider
        if name is None or name == "auto":
            raise InvalidInputError("client.request() needs a provider: pass provider='...'")
        tasks = self.registry.tasks_for(name)
        if not tasks:
            raise UnknownProviderError(name, self.registry.providers())
        helper = self.registry.get(name, tasks[0]).helper
        settings = self.settings
        route = choose_route(
            helper,
            api_key=settings.api_key,
            routing=settings.routing,
            router_url=settings.router_url,
            hub_url=settings.hub_url,
            base_url=settings.base_url,
        )
        if not is_url(request.url):
            request = replace(request, url=route.base_url + "/" + request.url.lstrip("/"))
        response = yield from self._send(request, route.credential, name, helper)
        info = ResponseInfo.from_headers(
            name, model or "", route.routing, response.status_code, response.headers
        )
        if request.stream:
            return StreamStart(response, _raw_event, info)
        return response

    def hub(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> Generator[Effect, Any, Any]:
        """GET a Hugging Face Hub API path (with the caller's HF token, if any) as JSON."""
        url = self.settings.hub_url.rstrip("/") + path
        if params:
            url += "?" + urlencode(params, doseq=True)
        response = yield from self._send(
            HTTPRequest("GET", url), self._hub_credential(), "huggingface-hub", None
        )
        return response.json()

    def router_get(self, path: str) -> Generator[Effect, Any, Any]:
        """GET a path of the Hugging Face router (e.g. ``/v1/models``) as JSON."""
        url = self.settings.router_url.rstrip("/") + path
        response = yield from self._send(
            HTTPRequest("GET", url), self._hub_credential(), "hf-router", None
        )
        return response.json()

    # -- sending, with retries ---------------------------------------------------------

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
            if status < 400 or not check:
                return response
            estimate = model_loading_estimate(status, getattr(response, "content", b""))
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

    # -- jobs ------------------------------------------------------------------------------

    def _follow(
        self,
        follow_up: FollowUp,
        helper: TaskProviderHelper,
        credential: Credential | None,
        request: TaskRequest,
    ) -> Generator[Effect, Any, Any]:
        settings = self.settings
        started = time.monotonic()
        polls = 0
        result: Any = follow_up
        while isinstance(result, FollowUp):
            step = result
            if step.poll:
                elapsed = time.monotonic() - started
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
            remaining = settings.job_timeout - (time.monotonic() - started)
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
                if time.monotonic() - started < settings.job_timeout:
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
