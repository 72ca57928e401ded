"""The limits: time, size of built values, size of task data. Each refusal names the limit."""
from __future__ import annotations

import dataclasses
import os
import sys
import time

import pytest

from engine.sandbox import (
    MemoryLimitExceeded,
    SandboxEnvironment,
    SandboxLimits,
    SizeLimitExceeded,
    TimeLimitExceeded,
)


def test_default_limits():
    limits = SandboxLimits()
    assert (limits.time_limit_seconds, limits.max_data_bytes, limits.max_sequence_length) == (2.0, 1_000_000,
                                                                                              1_000_000)
    with pytest.raises(dataclasses.FrozenInstanceError):
        limits.time_limit_seconds = 5


def test_limits_must_be_positive():
    with pytest.raises(ValueError, match="time_limit_seconds must be positive"):
        SandboxLimits(time_limit_seconds=0)
    with pytest.raises(ValueError, match="max_memory_bytes must be positive"):
        SandboxLimits(max_memory_bytes=-1)


# -- time ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("script", [
    "while True:\n    pass",
    "while True: pass",
    "n = 0\nwhile True:\n    n += 1",
    "x = [a * b for a in range(10**5) for b in range(10**5) if False]",
    "x = sum(1 for a in range(10**5) for b in range(10**5))",
    "def spin(n):\n    return spin(n - 1) + spin(n - 1) if n else 0\nspin(40)",
    "x = sorted(range(10**6), key=lambda v: [w for w in range(100)])",
    "x = add_business_days('2026-12-24', 10**8)",
])
def test_code_running_past_its_time_limit_is_stopped(env, run_script, script):
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded, match="script exceeded its time limit of 0.2 s"):
        run_script(env, script)
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("script", [
    "while True:\n    try:\n        while True:\n            pass\n    except Exception:\n        pass",
    "while True:\n    try:\n        while True:\n            pass\n    finally:\n        continue",
    "def spin():\n    try:\n        while True:\n            pass\n    except:\n        return 1\nx = spin()",
])
def test_a_script_cannot_swallow_its_time_limit(env, run_script, script):
    with pytest.raises(TimeLimitExceeded):
        run_script(env, script)


def test_expressions_have_a_time_limit_too(env):
    with pytest.raises(TimeLimitExceeded, match="expression exceeded its time limit of 0.2 s"):
        env.evaluate("[a for a in range(10**6) for b in range(10**6)]", {})


def test_the_previous_trace_function_is_restored(env, run_script):
    def tracer(frame, event, arg):
        return None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        run_script(env, "x = 1")
        with pytest.raises(TimeLimitExceeded):
            run_script(env, "x = add_business_days('2026-12-24', 10**8)")
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)


# -- size of values built by one operation ------------------------------------------------------------------

@pytest.mark.parametrize("script, refused", [
    ("x = 'x' * 10**10", "repeating a text 10,000,000,000 times"),
    ("x = 10**10 * 'x'", "repeating a text 10,000,000,000 times"),
    ("x = b'x' * 10**10", "repeating a text"),
    ("x = [0] * 10**9", "repeating a list 1,000,000,000 times"),
    ("x = (0,) * 10**9", "repeating a tuple"),
    ("x = [[0] * 10**6] * 10**6", "repeating a list of nested values"),
    ("x = 'x'\nx *= 10**10", "repeating a text"),
    ("x = 10**10**10", "integer of about 10,000,000,001 digits; the limit is 4,300 digits"),
    ("x = pow(10, 10**10)", "integer of about"),
    ("x = 7\nx **= 10**10", "integer of about"),
    ("x = 1 << 10**10", "integer of about"),
    ("x = 10**4000 * 10**4000", "this multiplication would be an integer"),
    ("x = round(12345, -10**10)", "integer of about"),
    ("x = (1).to_bytes(10**10, 'big')", r"int.to_bytes\(\) would build 10,000,000,000 bytes"),
    ("x = int.to_bytes(1, 10**10, 'big')", r"int.to_bytes\(\) would build"),
    ("x = list(range(10**12))", r"range\(\) of 1,000,000,000,000 items is over the limit of 1,000,000"),
    ("x = range(10**30)", r"range\(\) of"),
    ("x = 'a'.ljust(10**10)", r"str.ljust\(\) would build 10,000,000,000 characters"),
    ("x = str.rjust('a', 10**10)", r"str.rjust\(\)"),
    ("x = 'a'.center(10**10)", r"str.center\(\)"),
    ("x = '1'.zfill(10**10)", r"str.zfill\(\)"),
    ("x = '\\t'.expandtabs(10**9)", r"str.expandtabs\(\)"),
    ("x = ('a' * 1000).replace('a', 'b' * 10000)", r"str.replace\(\)"),
    ("x = ('a' * 1000).translate({97: 'b' * 10000})", r"str.translate\(\)"),
    ("x = '-'.join(['x' * 100000 for i in range(20)])", r"str.join\(\)"),
    ("x = '%1000000000d' % 1", "this %-format would build"),
    ("x = '%*d' % (10**9, 1)", "this %-format would build"),
    ("x = '%1000000000d'\nx %= 1", "this %-format would build"),
    ("x = f'{1:>10000000000}'", "format spec '>10000000000' pads beyond the limit"),
    ("w = 10**9\nx = f'{1:>{w}}'", "pads beyond the limit"),
    ("x = format(1, '>1000000000')", "pads beyond the limit"),
    ("x = 'x' * 600000\ny = x + x", "joining two texts would build 1,200,000 characters"),
    ("a = ['x' * 1000000]\nfor i in range(20):\n    a = a + a", "joining two sequences would build"),
    ("a = [1]\nfor i in range(30):\n    a.extend(a)", r"list.extend\(\) would build"),
    ("a = [1]\nfor i in range(30):\n    a[:0] = a", "this slice assignment would build"),
    ("a = [1]\nfor i in range(30):\n    a += a", "joining two sequences would build"),
    ("x = sum([[0] * 1000 for i in range(1001)], [])", r"sum\(\) would build 1,001,000 items"),
    ("a = [['x' * 100000] for i in range(20)]\ns = str(a)", "converting a list to text"),
    ("a = [['x' * 100000] for i in range(20)]\ns = repr(a)", "converting a list to text"),
    ("a = [['x' * 100000] for i in range(20)]\ns = f'{a}'", "converting a list to text"),
    ("a = [['x' * 100000] for i in range(20)]\ns = '%s' % (a,)", "converting a tuple to text"),
    ("a = [['x' * 100000] for i in range(20)]\nprint(a)", "converting a list to text"),
    ("import json\na = [['x' * 100000] for i in range(20)]\ns = json.dumps(a)", "converting a list to text"),
    ("import json\ns = json.dumps([1], indent=10**9)", "indent"),
])
def test_huge_values_are_refused_before_they_are_built(env, run_script, script, refused):
    with pytest.raises(SizeLimitExceeded, match=refused):
        run_script(env, script)


@pytest.mark.parametrize("script", [
    "x = 'x' * 1000", "x = [0] * 1000", "x = 2 ** 100", "x = 1 << 100", "x = len(range(1000))",
    "x = 'a'.ljust(20)", "x = [[0] * 3] * 3", "x = sum([[1], [2]], [])", "x = 'ab'.replace('a', 'xy')",
    "x = 2.5 ** 3", "x = pow(2, 10**6, 7)", "x = 10 ** -2", "x = round(1234, -2) + round(2.567, 2) + round(2.5)",
    "x = (258).to_bytes(2, 'big')",
])
def test_ordinary_values_below_the_limits_are_built(env, run_script, script):
    assert "x" in run_script(env, script)


def test_the_integer_limit_is_configurable(run_script):
    environment = SandboxEnvironment(SandboxLimits(max_int_digits=10))
    with pytest.raises(SizeLimitExceeded, match="the limit is 10 digits"):
        run_script(environment, "x = 10 ** 20")


# -- size of task data -----------------------------------------------------------------------------------------

def test_task_data_over_the_limit_after_a_script_is_an_error(run_script):
    environment = SandboxEnvironment(SandboxLimits(max_data_bytes=1000))
    with pytest.raises(SizeLimitExceeded, match="the task data after this script is over 1,000 bytes of JSON"):
        run_script(environment, "rows = [str(i) for i in range(500)]")


def test_task_data_over_the_limit_is_left_as_it_was(run_script):
    environment = SandboxEnvironment(SandboxLimits(max_data_bytes=1000))
    context = {"keep": 1}
    with pytest.raises(SizeLimitExceeded):
        environment.execute("rows = [str(i) for i in range(500)]\nkeep = 2", context)
    assert context == {"keep": 1}


def test_an_expression_value_over_the_limit_is_an_error():
    environment = SandboxEnvironment(SandboxLimits(max_data_bytes=1000))
    with pytest.raises(SizeLimitExceeded, match="the expression's value is over 1,000 bytes"):
        environment.evaluate("[str(i) for i in range(500)]", {})


# -- memory -----------------------------------------------------------------------------------------------------

@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs the current resident size (Linux)")
def test_a_loop_of_allowed_allocations_stops_at_the_memory_budget(run_script):
    environment = SandboxEnvironment(SandboxLimits(time_limit_seconds=5, max_memory_bytes=50_000_000))
    with pytest.raises(MemoryLimitExceeded, match="the code used more than 50 MB of memory"):
        run_script(environment, "rows = [[0] * 10**6 for i in range(100)]")
