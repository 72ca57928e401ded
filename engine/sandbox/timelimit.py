"""The time limit of one run of pathway code, and its memory budget.

Two mechanisms share one deadline:

* `check()`, bound as `_sandbox_check_`, which the policy calls at the head of every loop body, comprehension
  step, function and lambda of the pathway code, and at the start of its `except`/`finally` blocks. (A trace
  function alone cannot do this: CPython 3.11 reports no line events for `while True: pass`, and drops a trace
  function once it raises, so a script could catch the violation and go on untraced.)
* a trace function (sys.settrace, the previous one restored afterwards) installed only while pathway code calls a
  Python helper wrapped with `traced` (the business-day calendar, extra environment globals): the helper's lines
  raise once the deadline has passed. Pathway code itself runs untraced, at full speed.

The environment calls `finish()` when the code returns, so a violation can never be swallowed.
`check()` also samples the memory budget (memory.py) at most once a millisecond.
"""
from __future__ import annotations

import functools
import os
import sys
import threading
import time

from engine.sandbox.compiler import FILENAME as PATHWAY_CODE
from engine.sandbox.errors import TimeLimitExceeded
from engine.sandbox.memory import MemoryWatch

_SANDBOX_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_MEMORY_SAMPLE_SECONDS = 0.001
_active = threading.local()


class Deadline:
    def __init__(self, seconds: float, what: str = "script", memory_limit: int | None = None):
        self.seconds = seconds
        self.what = what
        self.expired = False
        self.memory_limit = memory_limit
        self._memory: MemoryWatch | None = None
        self._end = self._next_sample = 0.0
        self._outer: Deadline | None = None

    def __enter__(self) -> Deadline:
        if self.memory_limit is not None:
            self._memory = MemoryWatch(self.memory_limit)
        self._end = time.monotonic() + self.seconds
        self._next_sample = self._end - self.seconds  # the first check samples the baseline
        self._outer = getattr(_active, "deadline", None)
        _active.deadline = self
        return self

    def __exit__(self, *exc_info) -> bool:
        _active.deadline = self._outer
        return False

    def error(self) -> TimeLimitExceeded:
        return TimeLimitExceeded(f"{self.what} exceeded its time limit of {self.seconds} s")

    def check(self) -> bool:
        """`_sandbox_check_()`: True, or TimeLimitExceeded once the deadline has passed."""
        now = time.monotonic()
        if self.expired or now > self._end:
            self.expired = True
            raise self.error()
        if self._memory is not None and now >= self._next_sample:
            self._next_sample = now + _MEMORY_SAMPLE_SECONDS
            self._memory.check()
        return True

    def finish(self) -> None:
        """After the code returned: raise if it ran past its deadline (a violation it swallowed, a long C call)."""
        if self.expired or time.monotonic() > self._end:
            self.expired = True
            raise self.error()

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
