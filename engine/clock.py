"""The engine's clock: one place that says what time it is, replaceable in tests and simulations.

SpiffWorkflow's timer events read `datetime.now(timezone.utc)` from their own module; `install()` points that
name at a datetime subclass whose `now()` asks this clock, so timers, due dates and the sweep all agree on
simulated time.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FrozenClock:
    """A clock that only moves when told to (scenario tests walk months in milliseconds)."""

    def __init__(self, start: datetime | None = None):
        start = start or datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
        if start.tzinfo is None:
            start = start.replace(tzinfo=timezone.utc)
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | None = None, **kwargs) -> datetime:
        with self._lock:
            self._now += delta if delta is not None else timedelta(**kwargs)
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


_clock = SystemClock()


def now() -> datetime:
    """Aware UTC now, from the current clock."""
    return _clock.now()


def set_clock(clock) -> None:
    global _clock
    _clock = clock


def get_clock():
    return _clock


@contextmanager
def use_clock(clock):
    previous = _clock
    set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        moment = _clock.now()
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)

    @classmethod
    def utcnow(cls):
        return _clock.now().replace(tzinfo=None)


_installed = False


def install() -> None:
    """Make SpiffWorkflow's timer events read this clock (idempotent)."""
    global _installed
    if _installed:
        return
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _ClockedDatetime
    _installed = True
