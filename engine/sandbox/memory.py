"""A memory budget for one run: how much the process's resident memory may grow while pathway code runs.

Each single operation is bounded by the allocation guards, but a loop of allowed ones (a million-item list per
iteration) could still fill gigabytes before its time limit. The time limit's check samples the resident set
size (Linux /proc/self/statm, else the peak from getrusage) at most once a millisecond and refuses growth past
`max_memory_bytes`, counted from the first sample. It measures the whole process, so it is a coarse fence against
runaway loops, not an accounting.
"""
from __future__ import annotations

import os
import sys

from engine.sandbox.errors import MemoryLimitExceeded

try:
    import resource
except ImportError:  # not on Windows
    resource = None

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_MAXRSS_UNIT = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is in bytes on macOS, KiB elsewhere


def resident_bytes() -> int | None:
    """Current resident memory of the process, or its peak where the current value cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        pass
    if resource is not None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * _MAXRSS_UNIT
    return None


class MemoryWatch:
    """Growth of resident memory from the first sample: the first check of the run (its first loop step,
    function call...), so straight-line code never reads it."""

    def __init__(self, limit_bytes: int):
        self.limit = limit_bytes
        self.start: int | None = None

    def check(self) -> None:
        if self.start is None:
            self.start = resident_bytes() or 0
            return
        if not self.start:
            return
        now = resident_bytes()
        if now is not None and now - self.start > self.limit:
            raise MemoryLimitExceeded(
                f"the code used more than {self.limit / 1_000_000:,.0f} MB of memory "
                f"(the process grew by {(now - self.start) / 1_000_000:,.0f} MB)")
