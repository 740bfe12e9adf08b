"""The asynchronous client.

GENERATED from sync_client.py by scripts/generate_async_client.py: do not edit
by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx2

from infermux.client._base import build_engine
from infermux.client.async_media_tasks import AsyncMediaTasks
from infermux.client.async_services import AsyncServices
from infermux.clock import Clock
from infermux.registry.store import ProviderRegistry
from infermux.transport.retry import RetryPolicy

__all__ = ["AsyncInferenceClient"]


class AsyncInferenceClient(AsyncServices, AsyncMediaTasks):
    """Call any hosted inference provider through its installed plugin.

    Example::

        from infermux import AsyncInferenceClient

        client = AsyncInferenceClient(provider="together", api_key="...")
        out = await client.chat_completion(
            [{"role": "user", "content": "Hello!"}], model="meta-llama/Meta-Llama-3-8B-Instruct"
        )
        print(out.choices[0].message.content)

    Args:
        provider: a provider id (``"together"``, ``"hf-inference"`` ...), or ``"auto"`` to
            pick among the providers the Hub maps the model to.
        model: the default model for calls that do not name one.
        api_key: a provider key (sent direct) or a Hugging Face token (routed through the
            Hugging Face router). ``token`` is an alias. Defaults to the provider's
            environment variable, then ``HF_TOKEN``.
        base_url: override the provider's direct API root.
        routing: ``"auto"`` (by key), ``"direct"`` or ``"router"``.
        timeout: seconds an attempt may take in total (connect: at most 10 s); on a
            stream, the most seconds between two events. See docs/guide/limits.md.
        total_timeout: seconds the whole call may take, retries, job polling and
            streaming included (None, the default: no overall bound).
        max_retries: retries on connection errors, 408, 429 and 5xx (0 turns them off).
        headers: extra headers sent with every request.
        http_client: an ``httpx2.AsyncClient`` every request goes through (not closed by us).
        poll_interval, job_timeout: how often and how long asynchronous jobs are polled.
        model_mappings: ``{provider: {hub_model_id: provider_model_id}}`` overrides.
        provider_preference: order of providers tried by ``provider="auto"``.
        failover: with ``provider="auto"``, try the next provider on retryable errors.
        hub_lookup: set False to never ask the Hub for model mappings.
        wait_for_model: wait for a loading model (503 with ``estimated_time``).
        retry: full control of retries and waits (a :class:`~infermux.RetryPolicy`);
            ``max_retries`` is ignored when it is given.
        use_cache: Hugging Face serverless only: False asks for a fresh answer.
        model_aliases: ``{provider: {task: {"small": model_id, ...}}}`` overrides.
        bill_to: an organisation billed for routed calls (``X-HF-Bill-To``); no effect direct.
        requests_per_minute: a client-side budget, one number or ``{provider: rpm}``;
            providers may declare a default (hf-inference: 3,000).
        max_concurrency: at most this many requests in flight for this client.
        mapping_ttl: seconds a Hub model mapping stays cached (default 300).
        max_response_bytes, max_media_bytes, max_event_bytes: caps on an answer's
            (decompressed) body, on a media answer or download, and on one stream event
            (defaults 64 MiB, 1 GiB, 16 MiB); over a cap, ResponseTooLargeError.
        clock: where waits and deadlines read the time (default: the system clock); tests
            pass ``infermux.testing.FakeClock()`` to run back-off and polling in no real time.
        registry: a provider registry other than the process-wide one (tests, isolation).
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        provider: str | None = None,
        api_key: str | None = None,
        token: str | None = None,
        base_url: str | None = None,
        routing: str = "auto",
        timeout: float | None = 120.0,
        max_retries: int = 2,
        headers: Mapping[str, str] | None = None,
        http_client: httpx2.AsyncClient | None = None,
        router_url: str | None = None,
        hub_url: str | None = None,
        poll_interval: float = 1.0,
        job_timeout: float = 600.0,
        model_mappings: Mapping[str, Mapping[str, str]] | None = None,
        provider_preference: Sequence[str] | None = None,
        failover: bool = True,
        hub_lookup: bool = True,
        wait_for_model: bool = True,
        retry: RetryPolicy | None = None,
        use_cache: bool | None = None,
        model_aliases: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
        bill_to: str | None = None,
        requests_per_minute: float | Mapping[str, float] | None = None,
        max_concurrency: int | None = None,
        mapping_ttl: float = 300.0,
        total_timeout: float | None = None,
        max_response_bytes: int | None = None,
        max_media_bytes: int | None = None,
        max_event_bytes: int | None = None,
        registry: ProviderRegistry | None = None,
        clock: Clock | None = None,
    ) -> None:
        engine = build_engine(
            provider=provider,
            model=model,
            api_key=api_key,
            token=token,
            base_url=base_url,
            routing=routing,
            timeout=timeout,
            max_retries=max_retries,
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
            retry=retry,
            use_cache=use_cache,
            model_aliases=model_aliases,
            bill_to=bill_to,
            requests_per_minute=requests_per_minute,
            mapping_ttl=mapping_ttl,
            total_timeout=total_timeout,
            max_response_bytes=max_response_bytes,
            max_media_bytes=max_media_bytes,
            max_event_bytes=max_event_bytes,
            registry=registry,
            clock=clock,
        )
        super().__init__(engine, http_client, max_concurrency)
