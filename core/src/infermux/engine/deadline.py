"""The call's total deadline (``total_timeout``): one bound over everything a call does.

:func:`within_total_timeout` wraps a call's effect generator. It caps every request's
timeout at the time left, refuses to sleep past the deadline, and once no time is left
throws :class:`~infermux.errors.DeadlineExceededError` into the call (so a job runner
still cancels its job on the way out). Clean-up requests (a job's cancel) pass through
with their own short timeout. A stream returned by the call carries the deadline, which
its iteration enforces too.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import replace
from typing import Any

from infermux.clock import Clock
from infermux.engine.effects import Effect, Send, Sleep, StreamStart
from infermux.errors import DeadlineExceededError

__all__ = ["within_total_timeout"]


def within_total_timeout(
    call: Generator[Effect, Any, Any], total: float | None, clock: Clock
) -> Generator[Effect, Any, Any]:
    """``call`` bounded by ``total`` seconds on ``clock`` (as it is when ``total`` is None)."""
    if total is None:
        return (yield from call)
    clock_now = clock.now
    deadline = clock_now() + total
    send_value: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = call.send(send_value) if error is None else call.throw(error)
        except StopIteration as stop:
            result = stop.value
            if isinstance(result, StreamStart):
                # The stream reads time.monotonic(): carry the time left over to it.
                left = max(0.0, deadline - clock_now())
                result = replace(result, deadline=time.monotonic() + left)
            return result
        send_value, error = None, None
        left = deadline - clock_now()
        if isinstance(effect, Send) and not effect.cleanup:
            if left <= 0:
                error = _exceeded(total, effect.request.url)
                continue
            if effect.timeout is None or effect.timeout > left:
                effect = replace(effect, timeout=left)
        elif isinstance(effect, Sleep) and effect.seconds >= left:
            error = _exceeded(total, None)  # waking after the deadline would be pointless
            continue
        try:
            send_value = yield effect
        except GeneratorExit:
            call.close()
            raise
        except BaseException as exc:  # the driver's error (or an interrupt) goes to the call
            error = exc


def _exceeded(total: float, url: str | None) -> DeadlineExceededError:
    return DeadlineExceededError(
        f"The call did not finish within total_timeout={total:g}s (retries, job polls and "
        "streams included); raise total_timeout, or set it to None for no overall bound.",
        url=url,
        request_sent=False,  # thrown instead of sending: nothing went out
    )
