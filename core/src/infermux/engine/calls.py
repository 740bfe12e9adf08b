"""A call's description (TaskRequest), the client-wide settings, and candidates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infermux.aliases import AliasTable
from infermux.auth import (
    DEFAULT_HUB_URL,
    DEFAULT_ROUTER_URL,
)
from infermux.clock import SYSTEM_CLOCK, Clock
from infermux.engine.effects import CancelToken, JobProgress
from infermux.helpers.base import (
    ModelMapping,
    TaskProviderHelper,
)
from infermux.transport.bounds import DEFAULT_LIMITS, SizeLimits
from infermux.transport.retry import RetryPolicy


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
    #: Bound on a whole call, retries, job polls and streams included (None: none).
    total_timeout: float | None = None
    #: Byte caps on answers (max_response_bytes, max_media_bytes, max_event_bytes).
    limits: SizeLimits = DEFAULT_LIMITS
    #: Where waits and deadlines read the time (``infermux.testing.FakeClock`` in tests).
    clock: Clock = field(default=SYSTEM_CLOCK, repr=False)


class BillToIgnoredWarning(UserWarning):
    """``bill_to`` was set on a call that does not go through the Hugging Face router."""
