"""The engine's clock: one place that says what time it is, replaceable in tests and simulations.

SpiffWorkflow's timer events read `datetime.now(timezone.utc)` from their own module; `install()` points that
name at a datetime subclass whose `now()` asks this clock, so timers, due dates and the sweep all agree on
simulated time.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone


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


class OffsetClock:
    """Real time moved by a fixed offset: it keeps ticking, from another day (a demo served as of a chosen date)."""

    def __init__(self, offset: timedelta):
        self.offset = offset

    @classmethod
    def starting_at(cls, moment: datetime) -> OffsetClock:
        moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        return cls(moment - datetime.now(timezone.utc))

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


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


def _now_in(tz=None) -> datetime:
    """The clock's now as `datetime.now(tz)` gives it: aware in `tz`, or naive local time without one."""
    moment = _clock.now()
    return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        return _now_in(tz)

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


class ScriptDatetime(datetime):
    """`datetime` as pathway scripts see it: now()/today()/utcnow() read the engine's clock (so simulated time
    and `run-timers --at` reach scripts too). Every value it makes is a plain datetime, so task data keeps
    serializing as before."""

    def __new__(cls, *args, **kwargs):
        return datetime(*args, **kwargs)

    @classmethod
    def now(cls, tz=None):
        return _now_in(tz)

    @classmethod
    def today(cls):
        return cls.now()

    @classmethod
    def utcnow(cls):
        return _clock.now().replace(tzinfo=None)

    @classmethod
    def fromtimestamp(cls, *args, **kwargs):
        return datetime.fromtimestamp(*args, **kwargs)

    @classmethod
    def fromisoformat(cls, text):
        return datetime.fromisoformat(text)

    @classmethod
    def strptime(cls, text, fmt):
        return datetime.strptime(text, fmt)

    @classmethod
    def combine(cls, *args, **kwargs):
        return datetime.combine(*args, **kwargs)


class ScriptDate(date):
    """`date` for pathway scripts: today() is the engine clock's UTC date; values are plain dates."""

    def __new__(cls, *args, **kwargs):
        return date(*args, **kwargs)

    @classmethod
    def today(cls):
        return _clock.now().date()

    @classmethod
    def fromisoformat(cls, text):
        return date.fromisoformat(text)

    @classmethod
    def fromtimestamp(cls, stamp):
        return date.fromtimestamp(stamp)

    @classmethod
    def fromordinal(cls, n):
        return date.fromordinal(n)
