"""The memory budget holds for any script: loops, straight-line code, one long statement, and a script that
catches the refusal. The budgets here are small (30 MB) so that the tests themselves stay modest."""
from __future__ import annotations

import os

import pytest

from engine.sandbox import MemoryLimitExceeded, SandboxEnvironment, SandboxLimits

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/statm"),
                                reason="needs the current resident size (Linux)")

ROWS = "list(range(200000))"  # about 7 MB each; forty of them are about 290 MB
BUDGET = SandboxLimits(time_limit_seconds=5, max_memory_bytes=30_000_000)


@pytest.fixture
def budgeted() -> SandboxEnvironment:
    return SandboxEnvironment(BUDGET)


def test_straight_line_allocations_stop_at_the_memory_budget(budgeted, run_script):
    script = "\n".join(f"a{i} = {ROWS}" for i in range(40))
    with pytest.raises(MemoryLimitExceeded, match="the code used more than 30 MB of memory"):
        run_script(budgeted, script)


def test_allocations_piled_up_in_one_statement_stop_at_the_memory_budget(budgeted, run_script):
    script = "rows = (" + ", ".join([ROWS] * 40) + ")"
    with pytest.raises(MemoryLimitExceeded, match="the code used more than 30 MB of memory"):
        run_script(budgeted, script)


def test_unpacked_ranges_piled_up_in_one_statement_stop_at_the_memory_budget(budgeted, run_script):
    script = "r = range(200000)\nrows = [" + ", ".join(["*r"] * 40) + "]"
    with pytest.raises(MemoryLimitExceeded):
        run_script(budgeted, script)


def test_a_script_cannot_swallow_its_memory_budget(budgeted, run_script):
    swallow = f"try:\n    for i in range(40):\n        rows.append({ROWS})\nexcept Exception:\n    pass\n"
    with pytest.raises(MemoryLimitExceeded):
        run_script(budgeted, "rows = []\n" + swallow * 20)


def test_calls_and_displays_keep_their_values_with_the_checks_between_them(env, run_script):
    script = ("a = [len('ab'), *[1, 2], *range(2), max(0, 0)]\nb = dict(x=len('a'), y=min(3, 4))\n"
              "c = {len('a'): len('bb'), **dict(z=0)}\nd = (str(1), str(2))\ne = {abs(-1), abs(-2)}")
    assert run_script(env, script) == {"a": [2, 1, 2, 0, 1, 0], "b": {"x": 1, "y": 3}, "c": {1: 2, "z": 0},
                                       "d": ("1", "2"), "e": {1, 2}}
