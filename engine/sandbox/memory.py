"""A memory budget for one run: how much the process's resident memory may grow while pathway code runs.

Each single operation is bounded by the allocation guards, but a loop of allowed ones (a million-item list per
iteration), or a long run of statements, could still fill gigabytes before its time limit. The time limit's
check, which runs between any two operations that can allocate (checkpoints.py), samples the resident set size
(Linux /proc/self/statm, else the peak from getrusage) at most once a millisecond and refuses growth past
`max_memory_bytes`, counted from the first sample. It measures the whole process, so it is a coarse fence against
runaway code, not an accounting.

/proc/self/statm is kept open and read with pread: 3 us a sample instead of 16 us for open, read and close.
After a fork (a prefork worker) the child opens its own.
"""
from __future__ import annotations

import os
import sys
import threading

from engine.sandbox.errors import MemoryLimitExceeded

try:
    import resource
except ImportError:  # not on Windows
    resource = None

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_MAXRSS_UNIT = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is in bytes on macOS, KiB elsewhere


_statm: list[int] = []  # the open /proc/self/statm of this process, once read
_statm_lock = threading.Lock()


def _forget_statm() -> None:
    for fd in _statm:
        os.close(fd)
    _statm.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_statm)


def _read_statm() -> bytes:
    if not _statm:
        with _statm_lock:
            if not _statm:
                _statm.append(os.open("/proc/self/statm", os.O_RDONLY))
    return os.pread(_statm[0], 128, 0)


def resident_bytes() -> int | None:
    """Current resident memory of the process, or its peak where the current value cannot be read."""
    try:
        return int(_read_statm().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        pass
    if resource is not None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * _MAXRSS_UNIT
    return None


class MemoryWatch:
    """Growth of resident memory from the first sample, which the deadline takes a millisecond into the run
    (see timelimit.py)."""

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
