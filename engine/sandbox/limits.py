"""The sandbox's limits and a bounded estimate of a value's size."""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True)
class SandboxLimits:
    """Limits applied to every script and expression.

    time_limit_seconds: wall time of one script or expression.
    max_data_bytes: the JSON size of task data after a script, and the longest text a script may build.
    max_sequence_length: the most items in a list, tuple or range a script may build at once.
    max_int_digits: the largest integer (decimal digits) a script may build or leave in task data; CPython's
        own int<->str limit, so also the largest integer the JSON of the workflow state can hold.
    max_memory_bytes: how much the process's resident memory may grow during one run.
    """

    time_limit_seconds: float = 2.0
    max_data_bytes: int = 1_000_000
    max_sequence_length: int = 1_000_000
    max_int_digits: int = 4300
    max_memory_bytes: int = 256_000_000

    def __post_init__(self):
        for name in ("time_limit_seconds", "max_data_bytes", "max_sequence_length", "max_int_digits",
                     "max_memory_bytes"):
            if not getattr(self, name) > 0:
                raise ValueError(f"SandboxLimits.{name} must be positive")

    @property
    def max_int_bits(self) -> int:
        return math.ceil(self.max_int_digits / math.log10(2))


SCALARS = (bool, int, float, complex, type(None))
_IMMUTABLE = frozenset({str, int, float, bool, complex, type(None), bytes, date, datetime, time, timedelta})


class OversizedInteger(Exception):
    """approx_json_size met an integer of more than `max_int_bits` bits."""

    def __init__(self, bits: int):
        super().__init__(bits)
        self.bits = bits


def approx_json_size(value, budget: int, max_int_bits: float = math.inf) -> int:
    """Roughly how many characters `value` takes as JSON (or as text), shared references counted each time.

    Stops as soon as the count passes `budget`, so the work done is bounded by the budget even for values that
    would be enormous when written out (a list holding the same big list a million times). Cyclic values count
    as over budget. Raises OversizedInteger for an int of more than `max_int_bits` bits: it has few characters,
    but more digits than JSON can write (CPython's int-to-text limit), so it could never be stored.
    """
    total = 0
    stack = [value]
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str:
            total += len(item) + 2
        elif kind is int:
            bits = item.bit_length()
            if bits > max_int_bits:
                raise OversizedInteger(bits)
            total += (bits * 77 >> 8) + 2
        elif kind is float:
            total += 24
        elif kind is bool or item is None:
            total += 5
        elif kind is list or kind is tuple:
            total += 2 + 2 * len(item)
            if total <= budget:
                push(item)
        elif kind is dict:
            total += 2 + 4 * len(item)
            if total <= budget:
                push(item.keys())
                push(item.values())
        else:
            total += _other_size(item, push)
        if total > budget:
            return total
    return total


def _other_size(item, push) -> int:
    """Size of a value of a less common type (subclasses, sets, bytes, dates...); pushes its children."""
    if isinstance(item, str):
        return len(item) + 2
    if isinstance(item, int):
        return (item.bit_length() * 77 >> 8) + 2
    if isinstance(item, dict):
        push(item.keys())
        push(item.values())
        return 2 + 4 * len(item)
    if isinstance(item, list | tuple | set | frozenset):
        push(item)
        return 2 + 2 * len(item)
    if isinstance(item, bytes):
        return 2 * len(item) + 2
    return 32


def copy_data(value):
    """A deep copy of JSON-like task data (dicts, lists, scalars, dates); other values go through deepcopy."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is dict:
        return {key: copy_data(item) for key, item in value.items()}
    if kind is list:
        return [copy_data(item) for item in value]
    if kind is tuple:
        return tuple(copy_data(item) for item in value)
    return copy.deepcopy(value)
