"""The one code path every call takes, sync or async.

A call runs as a generator that *yields effects* (:class:`Send` a request, :class:`Sleep`)
and receives their results; it never does I/O itself. The sync client drives it with
blocking calls, the async client with ``await``, so routing, model mapping, retries,
failover and job polling are written once and behave identically in both.

The parts: ``effects`` (what is yielded), ``calls`` (a call and the settings),
``resolution`` (provider and model), ``sending`` (one request with retries), ``jobs``
(follow-up chains), ``failures`` (typed errors, redaction), ``core`` (the Engine).
"""

from infermux.engine.calls import BillToIgnoredWarning, Candidate, EngineSettings, TaskRequest
from infermux.engine.core import Engine
from infermux.engine.effects import (
    CancelToken,
    Effect,
    JobProgress,
    Send,
    Sleep,
    StreamStart,
    unknown_effect,
)
from infermux.engine.failures import http_error

__all__ = [
    "BillToIgnoredWarning",
    "CancelToken",
    "Candidate",
    "Effect",
    "Engine",
    "EngineSettings",
    "JobProgress",
    "Send",
    "Sleep",
    "StreamStart",
    "TaskRequest",
    "http_error",
    "unknown_effect",
]
