"""What the sync and async clients share: construction, settings, and the effect drivers."""

from __future__ import annotations

import math
import os
from collections.abc import Generator, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Self

from infermux.auth import DEFAULT_HUB_URL, DEFAULT_ROUTER_URL, ROUTING_MODES
from infermux.client._arguments import (
    check_client_arguments,
    check_http_client,
    check_max_concurrency,
)
from infermux.clock import SYSTEM_CLOCK, Clock
from infermux.engine import (
    Effect,
    Engine,
    EngineSettings,
    Send,
    Sleep,
    StreamStart,
    TaskRequest,
    unknown_effect,
)
from infermux.errors import ConfigurationError, InvalidInputError
from infermux.helpers.base import Response
from infermux.registry.store import ProviderRegistry
from infermux.streaming import AsyncStream, Stream
from infermux.transport.bounds import SizeLimits
from infermux.transport.http import AsyncHTTP, SyncHTTP
from infermux.transport.limits import AsyncLimits, SyncLimits
from infermux.transport.retry import RetryPolicy

if TYPE_CHECKING:
    from infermux.client._chat_alias import AsyncChat, Chat
    from infermux.client._responses import AsyncResponses, Responses

__all__ = ["AsyncClientBase", "SyncClientBase"]


def _check_optional(name: str, value: Any, kind: type | tuple[type, ...], what: str) -> None:
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise InvalidInputError(f"{name} must be {what}, got {type(value).__name__}: {value!r}")


def build_engine(
    *,
    provider: str | None,
    model: str | None,
    api_key: str | None,
    token: str | None,
    base_url: str | None,
    routing: str,
    timeout: float | None,
    max_retries: int,
    headers: Mapping[str, str] | None,
    router_url: str | None,
    hub_url: str | None,
    poll_interval: float,
    job_timeout: float,
    model_mappings: Mapping[str, Mapping[str, str]] | None,
    provider_preference: Sequence[str] | None,
    failover: bool,
    hub_lookup: bool,
    wait_for_model: bool,
    registry: ProviderRegistry | None,
    retry: RetryPolicy | None = None,
    use_cache: bool | None = None,
    model_aliases: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
    bill_to: str | None = None,
    requests_per_minute: float | Mapping[str, float] | None = None,
    mapping_ttl: float = 300.0,
    total_timeout: float | None = None,
    max_response_bytes: int | None = None,
    max_media_bytes: int | None = None,
    max_event_bytes: int | None = None,
    clock: Clock | None = None,
) -> Engine:
    """Validate constructor arguments and build the engine both clients run on."""
    if api_key is not None and token is not None and api_key != token:
        raise InvalidInputError("Pass either api_key= or token= (they are aliases), not both.")
    key = api_key if api_key is not None else token
    _check_optional("api_key", key, str, "a string")
    _check_optional("provider", provider, str, "a provider id string such as 'together'")
    _check_optional("model", model, str, "a model id string")
    _check_optional("base_url", base_url, str, "an http(s) URL string")
    _check_optional("hub_url", hub_url, str, "an http(s) URL string")
    _check_optional("timeout", timeout, (int, float), "a number of seconds or None")
    check_client_arguments(
        routing=routing,
        timeout=timeout,
        headers=headers,
        router_url=router_url,
        hub_url=hub_url,
        poll_interval=poll_interval,
        job_timeout=job_timeout,
        model_mappings=model_mappings,
        provider_preference=provider_preference,
        failover=failover,
        hub_lookup=hub_lookup,
        wait_for_model=wait_for_model,
        use_cache=use_cache,
        model_aliases=model_aliases,
        requests_per_minute=requests_per_minute,
        mapping_ttl=mapping_ttl,
        registry=registry,
    )
    if routing not in ROUTING_MODES:
        raise InvalidInputError(
            f"routing must be one of {', '.join(ROUTING_MODES)}, got {routing!r}"
        )
    if retry is not None and not isinstance(retry, RetryPolicy):
        raise InvalidInputError(
            f"retry must be an infermux.RetryPolicy, got {type(retry).__name__}"
        )
    if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
        raise InvalidInputError(f"max_retries must be an int >= 0, got {max_retries!r}")
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise InvalidInputError(f"base_url must start with http:// or https://, got {base_url!r}")
    if registry is None:
        from infermux.registry.loader import get_registry

        registry = get_registry()
    if provider is not None and provider != "auto" and not registry.has_provider(provider):
        from infermux.errors import UnknownProviderError

        raise UnknownProviderError(provider, registry.providers())
    from infermux.config import load_config

    config = load_config()
    mappings = {p: dict(m) for p, m in config.model_mappings.items()}
    for p, m in (model_mappings or {}).items():
        mappings.setdefault(p, {}).update(m)
    aliases = {p: {t: dict(a) for t, a in tasks.items()} for p, tasks in config.aliases.items()}
    for p, tasks in (model_aliases or {}).items():
        for t, table in tasks.items():
            aliases.setdefault(p, {}).setdefault(t, {}).update(table)
    _check_optional("bill_to", bill_to, str, "an organisation name")
    _check_seconds("total_timeout", total_timeout)
    limits = _size_limits(max_response_bytes, max_media_bytes, max_event_bytes)
    if clock is not None and not isinstance(clock, Clock):
        raise InvalidInputError(
            f"clock must be an infermux.clock.Clock (or a subclass such as "
            f"infermux.testing.FakeClock), got {type(clock).__name__}"
        )
    settings = EngineSettings(
        provider=provider,
        model=model,
        api_key=key,
        routing=routing,
        base_url=base_url,
        router_url=router_url or DEFAULT_ROUTER_URL,
        # HF_ENDPOINT: huggingface_hub's variable for a Hub mirror or a private Hub.
        hub_url=hub_url or os.environ.get("HF_ENDPOINT", "").strip() or DEFAULT_HUB_URL,
        timeout=timeout,
        retry=retry if retry is not None else RetryPolicy(max_retries=max_retries),
        headers=dict(headers or {}),
        poll_interval=poll_interval,
        job_timeout=job_timeout,
        model_mappings=mappings,
        provider_preference=tuple(provider_preference or ()),
        failover=failover,
        hub_lookup=hub_lookup,
        wait_for_model=wait_for_model,
        use_cache=use_cache,
        model_aliases=aliases,
        bill_to=bill_to,
        requests_per_minute=requests_per_minute,
        mapping_ttl=mapping_ttl,
        total_timeout=total_timeout,
        limits=limits,
        clock=clock if clock is not None else SYSTEM_CLOCK,
    )
    return Engine(settings, registry)


def _check_seconds(name: str, value: Any) -> None:
    """A duration that is None or a finite number > 0."""
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise InvalidInputError(
            f"{name} must be a number of seconds > 0 (or None for no bound), got {value!r}"
        )


def _size_limits(body: Any, media: Any, event: Any) -> SizeLimits:
    """The byte caps from the constructor (None: the default of each)."""
    values = {"max_response_bytes": body, "max_media_bytes": media, "max_event_bytes": event}
    for name, value in values.items():
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value <= 0
        ):
            raise InvalidInputError(f"{name} must be an int > 0 (bytes), got {value!r}")
    defaults = SizeLimits()
    return SizeLimits(
        body=defaults.body if body is None else body,
        media=defaults.media if media is None else media,
        event=defaults.event if event is None else event,
    )


class _ClientCommon:
    engine: Engine

    @property
    def provider(self) -> str | None:
        return self.engine.settings.provider

    @property
    def model(self) -> str | None:
        return self.engine.settings.model

    def __repr__(self) -> str:
        s = self.engine.settings
        return (
            f"{type(self).__name__}(provider={s.provider!r}, model={s.model!r}, "
            f"routing={s.routing!r})"
        )


class SyncClientBase(_ClientCommon):
    """Drives engine generators with blocking I/O on one ``httpx2.Client``."""

    def __init__(
        self, engine: Engine, http_client: Any = None, max_concurrency: int | None = None
    ) -> None:
        check_http_client(http_client, sync=True)
        check_max_concurrency(max_concurrency)
        self.engine = engine
        self._http = SyncHTTP(http_client)
        self._limits = SyncLimits(max_concurrency, engine.settings.clock)

    # The OpenAI-style namespaces are built on first use: a client that only calls task
    # methods never imports them (see tests/core/test_first_call_imports.py).
    @cached_property
    def chat(self) -> Chat:
        """OpenAI-style alias: ``client.chat.completions.create(model=..., messages=...)``."""
        from infermux.client._chat_alias import Chat

        return Chat(self)

    @cached_property
    def responses(self) -> Responses:
        """OpenAI's Responses API: ``client.responses.create(model=..., input=...)``."""
        from infermux.client._responses import Responses

        return Responses(self)

    def _run(self, request: TaskRequest) -> Any:
        return self._run_effects(self.engine.run(request))

    def _run_effects(self, gen: Generator[Effect, Any, Any]) -> Any:
        result = self._drive(gen)
        if isinstance(result, StreamStart):
            return Stream(
                result.handle,
                result.parse,
                result.info,
                event_timeout=result.event_timeout,
                deadline=result.deadline,
                max_event_bytes=result.max_event_bytes,
                end_marker=result.end_marker,
            )
        return result

    def _drive(self, gen: Generator[Effect, Any, Any]) -> Any:
        send_value: Any = None
        error: BaseException | None = None
        streams: list[Any] = []  # streams opened for the call and not (yet) returned
        try:
            while True:
                try:
                    effect = gen.send(send_value) if error is None else gen.throw(error)
                except StopIteration as stop:
                    result = stop.value
                    if isinstance(result, StreamStart):
                        streams = [s for s in streams if s is not result.handle]
                    return result
                send_value, error = None, None
                if type(effect) is not Send and type(effect) is not Sleep:
                    gen.close()
                    raise unknown_effect(effect)
                # Every exception goes to the engine, which decides to retry; an interrupt
                # (KeyboardInterrupt) too, so that a job it started is cancelled on the way.
                try:
                    if type(effect) is Send:
                        send_value = self._send(effect)
                        if not isinstance(send_value, Response):
                            streams.append(send_value)
                    elif type(effect) is Sleep:
                        # Wakes early on a cancel; the engine checks why.
                        self.engine.settings.clock.sleep(effect.seconds, effect.cancel)
                except BaseException as exc:
                    error = exc
        finally:
            for stream in streams:  # the call failed after opening them: close them
                stream.close()

    def _send(self, effect: Send) -> Any:
        limits = self._limits
        if not (limits.capped or effect.requests_per_minute):
            return self._http.send(effect)  # no limit applies: spare the bookkeeping
        limits.acquire(effect.provider, effect.requests_per_minute)
        try:
            answer = self._http.send(effect)
        except BaseException:
            limits.release()
            raise
        if isinstance(answer, Response):
            limits.release()
        else:
            answer.on_close = limits.release  # a stream holds its slot until closed
        return answer

    def _batch(self, rows: Any, options: Any) -> Any:
        """``batch()``: the async runner in a thread (see ``infermux.batch.results``)."""
        from infermux.batch.results import BatchResults

        if not self._http.owned:
            raise ConfigurationError(
                "client.batch() runs on an async HTTP session and cannot use the "
                "http_client= given to this InferenceClient; use "
                "AsyncInferenceClient(http_client=httpx2.AsyncClient(...)).batch() instead"
            )
        return BatchResults(self, rows, options)

    def close(self) -> None:
        """Close the HTTP client if the client created it (not one passed as ``http_client``)."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


#: What ``INFERMUX_ASYNC_HTTP`` may name for the session an async client creates itself.
ASYNC_HTTP_CHOICES = ("httpx2", "anyio", "aiohttp")


def _async_http(http_client: Any) -> Any:
    """The async sender. A caller's ``http_client`` is used as given: aiohttp for an
    ``aiohttp.ClientSession``, httpx2 otherwise. For the session the client creates,
    ``INFERMUX_ASYNC_HTTP`` chooses: ``httpx2`` (the default; httpx2 on infermux's asyncio
    network backend), ``anyio`` (httpx2 on httpcore2's own anyio backend) or ``aiohttp``
    (imported only then). See docs/performance.md."""
    if http_client is not None:
        if type(http_client).__module__.partition(".")[0] == "aiohttp":
            from infermux.transport.aiohttp import AiohttpHTTP

            return AiohttpHTTP(http_client)
        return AsyncHTTP(http_client)
    choice = os.environ.get("INFERMUX_ASYNC_HTTP", "").strip().lower() or "httpx2"
    if choice not in ASYNC_HTTP_CHOICES:
        raise ConfigurationError(
            f"INFERMUX_ASYNC_HTTP={choice!r} is not a transport infermux knows; "
            f"set one of {', '.join(ASYNC_HTTP_CHOICES)} (or leave it unset for httpx2)"
        )
    if choice == "aiohttp":
        from infermux.transport.aiohttp import AiohttpHTTP

        return AiohttpHTTP(None)
    return AsyncHTTP(None, asyncio_network=choice == "httpx2")


class AsyncClientBase(_ClientCommon):
    """Drives engine generators with ``await`` on one ``httpx2.AsyncClient``."""

    def __init__(
        self, engine: Engine, http_client: Any = None, max_concurrency: int | None = None
    ) -> None:
        check_http_client(http_client, sync=False)
        check_max_concurrency(max_concurrency)
        self.engine = engine
        self._http = _async_http(http_client)
        self._limits = AsyncLimits(max_concurrency, engine.settings.clock)

    # Built on first use, as on the sync client.
    @cached_property
    def chat(self) -> AsyncChat:
        """OpenAI-style alias: ``await client.chat.completions.create(model=..., ...)``."""
        from infermux.client._chat_alias import AsyncChat

        return AsyncChat(self)

    @cached_property
    def responses(self) -> AsyncResponses:
        """OpenAI's Responses API: ``await client.responses.create(model=..., input=...)``."""
        from infermux.client._responses import AsyncResponses

        return AsyncResponses(self)

    async def _run(self, request: TaskRequest) -> Any:
        return await self._run_effects(self.engine.run(request))

    async def _run_effects(self, gen: Generator[Effect, Any, Any]) -> Any:
        result = await self._drive(gen)
        if isinstance(result, StreamStart):
            return AsyncStream(
                result.handle,
                result.parse,
                result.info,
                event_timeout=result.event_timeout,
                deadline=result.deadline,
                max_event_bytes=result.max_event_bytes,
                end_marker=result.end_marker,
            )
        return result

    async def _drive(self, gen: Generator[Effect, Any, Any]) -> Any:
        send_value: Any = None
        error: BaseException | None = None
        streams: list[Any] = []  # streams opened for the call and not (yet) returned
        try:
            while True:
                try:
                    effect = gen.send(send_value) if error is None else gen.throw(error)
                except StopIteration as stop:
                    result = stop.value
                    if isinstance(result, StreamStart):
                        streams = [s for s in streams if s is not result.handle]
                    return result
                send_value, error = None, None
                if type(effect) is not Send and type(effect) is not Sleep:
                    gen.close()
                    raise unknown_effect(effect)
                # Every exception goes to the engine, which decides to retry; a cancelled
                # task too, so that a job it started is cancelled on the way out.
                try:
                    if type(effect) is Send:
                        send_value = await self._send(effect)
                        if not isinstance(send_value, Response):
                            streams.append(send_value)
                    elif type(effect) is Sleep:
                        await self.engine.settings.clock.asleep(effect.seconds, effect.cancel)
                except BaseException as exc:
                    error = exc
        finally:
            for stream in streams:  # the call failed after opening them: close them
                await stream.aclose()

    async def _send(self, effect: Send) -> Any:
        limits = self._limits
        if not (limits.capped or effect.requests_per_minute):
            return await self._http.send(effect)  # no limit applies: spare the bookkeeping
        await limits.acquire(effect.provider, effect.requests_per_minute)
        try:
            answer = await self._http.send(effect)
        except BaseException:
            limits.release()
            raise
        if isinstance(answer, Response):
            limits.release()
        else:
            answer.on_close = limits.release  # a stream holds its slot until closed
        return answer

    def _batch(self, rows: Any, options: Any) -> Any:
        """``batch()``: rows run on this client's engine and session (``infermux.batch``)."""
        from infermux.batch.results import AsyncBatchResults

        return AsyncBatchResults(self, rows, options)

    async def aclose(self) -> None:
        """Close the HTTP client if the client created it (not one passed as ``http_client``)."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
