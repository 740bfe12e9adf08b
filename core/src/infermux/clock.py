"""Where infermux reads the time and waits: a :class:`Clock` the client is given.

Everything that waits (retry back-off, job polling and its deadline, the client-side request
budget) reads ``clock.now()`` and sleeps through ``clock.sleep`` / ``clock.asleep``, never
``time`` or ``asyncio`` directly. The default is the system's monotonic clock; tests pass
``infermux.testing.FakeClock`` (virtual time that advances when slept on), so a test of a
600-second job deadline runs in milliseconds and never depends on the machine's speed.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infermux.engine.effects import CancelToken

__all__ = ["Clock"]

#: How often an async wait on a cancel token looks at it (a token set from another thread
#: cannot wake an event loop by itself).
_CANCEL_CHECK_INTERVAL = 0.05


class Clock:
    """The system clock: ``time.monotonic`` and real sleeps.

    Subclass it to change how time passes (see ``infermux.testing.FakeClock``); the three
    methods are the whole interface.
    """

    __slots__ = ()

    def now(self) -> float:
        """Seconds on a monotonic scale (only differences mean anything)."""
        return time.monotonic()

    def sleep(self, seconds: float, cancel: CancelToken | None = None) -> None:
        """Block for ``seconds``, returning early when ``cancel`` fires."""
        if cancel is not None:
            cancel.wait(max(seconds, 0.0))
        elif seconds > 0:
            time.sleep(seconds)

    async def asleep(self, seconds: float, cancel: CancelToken | None = None) -> None:
        """Await ``seconds``, returning early when ``cancel`` fires."""
        import asyncio  # here: the sync client never pays for importing asyncio

        if cancel is None:
            if seconds > 0:
                await asyncio.sleep(seconds)
            return
        deadline = self.now() + seconds
        while not cancel.cancelled:
            left = deadline - self.now()
            if left <= 0:
                return
            await asyncio.sleep(min(_CANCEL_CHECK_INTERVAL, left))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


#: The clock every client uses unless given another.
SYSTEM_CLOCK = Clock()
