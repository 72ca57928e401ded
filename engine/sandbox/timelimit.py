"""The time limit of one run of pathway code, and its memory budget.

Two mechanisms share one deadline:

* `check()`, bound as `_sandbox_check_`, which the policy calls at the head of every loop body, comprehension
  step, function and lambda of the pathway code, at the start of its `except`/`finally` blocks, and between
  any two operations of straight-line code that can allocate (checkpoints.py). (A trace function alone cannot
  do this: CPython 3.11 reports no line events for `while True: pass`, and drops a trace function once it
  raises, so a script could catch the violation and go on untraced.)
* a trace function (sys.settrace, the previous one restored afterwards) installed only while pathway code calls a
  Python helper wrapped with `traced` (the business-day calendar, extra environment globals): the helper's lines
  raise once the deadline has passed. Pathway code itself runs untraced, at full speed.

The environment calls `finish()` when the code returns, so a violation can never be swallowed.
`check()` also samples the memory budget (memory.py) at most once a millisecond, the first time a millisecond
into the run: nearly every script and expression is done by then and never pays for a sample, and the growth
it leaves uncounted is what a millisecond can allocate (page faults cap it at a few tens of MB).
"""
from __future__ import annotations

import functools
import math
import os
import sys
import threading
import time

from engine.sandbox.compiler import FILENAME as PATHWAY_CODE
from engine.sandbox.errors import MemoryLimitExceeded, TimeLimitExceeded
from engine.sandbox.memory import MemoryWatch

_SANDBOX_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_MEMORY_SAMPLE_SECONDS = 0.001
_monotonic = time.monotonic
_active = threading.local()


class Deadline:
    def __init__(self, seconds: float, what: str = "script", memory_limit: int | None = None):
        self.seconds = seconds
        self.what = what
        self.expired = False
        self.memory_limit = memory_limit
        self._memory: MemoryWatch | None = None
        self._violation: MemoryLimitExceeded | None = None  # raised again by every later check, once seen
        self._end = self._next_sample = self._due = 0.0
        self._outer: Deadline | None = None

    def __enter__(self) -> Deadline:
        start = _monotonic()
        self._end = self._due = start + self.seconds
        if self.memory_limit is not None:
            self._memory = MemoryWatch(self.memory_limit)
            self._next_sample = start + _MEMORY_SAMPLE_SECONDS  # the first sample there is the baseline
            self._due = min(self._end, self._next_sample)
        self._outer = getattr(_active, "deadline", None)
        _active.deadline = self
        return self

    def __exit__(self, *exc_info) -> bool:
        _active.deadline = self._outer
        return False

    def error(self) -> TimeLimitExceeded:
        return TimeLimitExceeded(f"{self.what} exceeded its time limit of {self.seconds} s")

    def check(self) -> bool:
        """`_sandbox_check_()`: True, or TimeLimitExceeded once the deadline has passed (MemoryLimitExceeded
        once the memory budget was). It runs between most statements, so its usual path is one clock read."""
        if _monotonic() < self._due:
            return True
        return self._look()

    def _look(self) -> bool:
        now = _monotonic()
        if self.expired or now > self._end:
            self.expired = True
            self._due = -math.inf
            raise self.error()
        if self._violation is not None:
            raise self._violation
        if self._memory is not None and now >= self._next_sample:
            self._next_sample = now + _MEMORY_SAMPLE_SECONDS
            try:
                self._memory.check()
            except MemoryLimitExceeded as violation:
                self._violation, self._due = violation, -math.inf
                raise
        self._due = min(self._end, self._next_sample) if self._memory is not None else self._end
        return True

    def finish(self) -> None:
        """After the code returned: raise if it ran past its deadline (a violation it swallowed, a long C call)
        or swallowed a memory violation."""
        if self.expired or _monotonic() > self._end:
            self.expired = True
            raise self.error()
        if self._violation is not None:
            raise self._violation

    def trace_call(self, frame, event, arg):
        filename = frame.f_code.co_filename
        if filename == PATHWAY_CODE or filename.startswith(_SANDBOX_DIR):
            return None
        return self._trace_line

    def _trace_line(self, frame, event, arg):
        if event == "line" and time.monotonic() > self._end:
            self.expired = True
            raise self.error()
        return self._trace_line


def check_active() -> None:
    """The check of the code running in this thread, if any: for a guard about to build a text or a sequence
    (the statements around it get no check of their own, see checkpoints.py)."""
    deadline = getattr(_active, "deadline", None)
    if deadline is not None:
        deadline.check()


def traced(function):
    """Wrap a Python helper so that, when pathway code calls it, its own lines run under the deadline."""

    @functools.wraps(function)
    def call(*args, **kwargs):
        deadline = getattr(_active, "deadline", None)
        if deadline is None:
            return function(*args, **kwargs)
        deadline.check()
        previous = sys.gettrace()
        sys.settrace(deadline.trace_call)
        try:
            return function(*args, **kwargs)
        finally:
            sys.settrace(previous)

    return call
