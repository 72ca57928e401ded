"""A simulated clock for one thread: a test case runs on its own moments (timers fire, `date.today()` reads the
case's day) while every other thread of the process (a web server's other requests, the timer sweep) keeps the
clock it had.

The engine's clock (`engine.time.clock`) is one per process. While a case runs, the process clock is a
`ThreadClock`: each thread that set a moment of its own reads it, every other thread reads the clock that was
there before. The first run puts it in place, the last one out takes it away."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime

from engine.time import clock

_local = threading.local()
_lock = threading.Lock()
_users = 0
_installed: ThreadClock | None = None


class ThreadClock:
    def __init__(self, underlying):
        self.underlying = underlying

    def now(self) -> datetime:
        own = getattr(_local, "clock", None)
        return own.now() if own is not None else self.underlying.now()


@contextmanager
def simulated(frozen: clock.FrozenClock):
    """Within this block, this thread's engine clock is `frozen` (advance it to move time)."""
    global _users, _installed
    with _lock:
        if _users == 0:
            _installed = ThreadClock(clock.get_clock())
            clock.set_clock(_installed)
        _users += 1
    previous = getattr(_local, "clock", None)
    _local.clock = frozen
    try:
        yield frozen
    finally:
        _local.clock = previous
        with _lock:
            _users -= 1
            if _users == 0:
                if clock.get_clock() is _installed:  # nobody put another clock in place meanwhile
                    clock.set_clock(_installed.underlying)
                _installed = None
