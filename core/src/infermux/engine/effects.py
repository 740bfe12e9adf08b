"""What the engine yields (Send, Sleep), what it returns for streams, and job progress."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infermux.errors import InfermuxError
from infermux.helpers.base import (
    HTTPRequest,
    SSEEvent,
)
from infermux.provenance import ResponseInfo
from infermux.transport.bounds import DEFAULT_LIMITS, SizeLimits


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
    #: Byte caps on the answer (a body, media, one stream event).
    limits: SizeLimits = DEFAULT_LIMITS
    #: A clean-up request (cancelling a job the call is abandoning): it has its own short
    #: timeout and is sent even once the call's total deadline has passed.
    cleanup: bool = False


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
    #: Most seconds between two events (the client's ``timeout``; None: unbounded).
    event_timeout: float | None = None
    #: When the whole call must be over (``time.monotonic()``; ``total_timeout``).
    deadline: float | None = None
    #: Most bytes of one event.
    max_event_bytes: int | None = None
    #: The data of the event that always ends the provider's streams (``[DONE]``), if any.
    end_marker: str | None = None


def unknown_effect(effect: object) -> InfermuxError:
    """The error a driver raises for an effect it does not know (instead of resuming the
    engine with None, which would fail later and far from the cause)."""
    return InfermuxError(
        f"The engine yielded {type(effect).__name__}, an effect this client cannot perform "
        "(its drivers know Send and Sleep). This is a bug in infermux; please report it."
    )
