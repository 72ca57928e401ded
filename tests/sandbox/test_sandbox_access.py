"""Escapes through attributes, builtins and formatting are refused with a message naming what was refused."""
from __future__ import annotations

import pytest

from engine.sandbox import AccessRefused, RefusedCode


@pytest.mark.parametrize("script, refused", [
    ("x = ().__class__.__bases__[0].__subclasses__()", '"__class__" is an invalid attribute name'),
    ("def f():\n    pass\nx = f.__globals__", '"__globals__" is an invalid attribute name'),
    ("g = (i for i in [1])\nx = g.gi_frame", '"gi_frame" is a restricted name'),
    ("x = __builtins__", '"__builtins__" is an invalid variable name'),
    ("x = __import__('os')", '"__import__" is an invalid variable name'),
    ("exec('import os')", "Exec calls are not allowed"),
    ("eval('1')", "Eval calls are not allowed"),
    ("class Sneaky:\n    pass", "class definitions are not allowed in pathway scripts"),
    ("breakpoint()", '"breakpoint" is a reserved name'),
])
def test_private_names_and_dynamic_code_are_refused_before_running(env, run_script, script, refused):
    with pytest.raises(RefusedCode, match=refused):
        run_script(env, script)


@pytest.mark.parametrize("script", [
    "x = getattr((), '__class__')",
    "x = getattr((), '__cla' + 'ss__', None)",
    "x = getattr(getattr, '__self__')",
])
def test_getattr_cannot_reach_private_attributes(env, run_script, script):
    with pytest.raises(AccessRefused, match="access to attribute '__"):
        run_script(env, script)


def test_hasattr_reports_private_attributes_as_missing(env, run_script):
    assert run_script(env, "x = hasattr((), '__class__')") == {"x": False}


def test_mro_is_refused_because_it_reaches_base_exception(env, run_script):
    with pytest.raises(AccessRefused, match="access to attribute 'mro'"):
        run_script(env, "base = ZeroDivisionError.mro()[-2]")


@pytest.mark.parametrize("script", [
    "x = '{0.__class__}'.format(1)",
    "x = str.format('{0.__class__}', 1)",
    "x = '{x.__class__}'.format_map({'x': 1})",
    "x = str.format_map('{x.__class__}', {'x': 1})",
    "f = getattr('', 'format')",
])
def test_str_format_and_format_map_are_refused(env, run_script, script):
    with pytest.raises(AccessRefused, match=r"str\.format(_map)?\(\) is not allowed in pathway scripts"):
        run_script(env, script)


@pytest.mark.parametrize("builtin", [
    "open", "type", "dir", "vars", "globals", "locals", "iter", "setattr", "delattr", "compile", "input",
    "object", "super", "memoryview", "bytearray",
])
def test_dangerous_builtins_are_refused_by_name(env, run_script, builtin):
    with pytest.raises(AccessRefused, match=f"{builtin}\\(\\) is not allowed in pathway scripts"):
        run_script(env, f"x = {builtin}('/tmp/x', 'w')")


def test_exec_and_eval_taken_as_values_are_refused(env, run_script):
    with pytest.raises(AccessRefused, match="exec\\(\\) is not allowed"):
        run_script(env, "run = exec\nrun('x = 1')")


@pytest.mark.parametrize("name", ["SystemExit", "KeyboardInterrupt", "GeneratorExit", "BaseException"])
def test_exceptions_that_escape_error_handling_are_not_available(env, run_script, name):
    with pytest.raises(NameError, match=name):
        run_script(env, f"raise {name}()")


@pytest.mark.parametrize("script", [
    "date.today = None",
    "datetime.date = None",
    "del datetime.date",
    "import math\nmath.pi = 3",
    "def f():\n    pass\nf.flag = 1",
])
def test_attributes_of_shared_objects_cannot_be_changed(env, run_script, script):
    with pytest.raises(AccessRefused, match="is not allowed in pathway scripts"):
        run_script(env, script)


def test_math_functions_that_build_huge_integers_are_left_out(env, run_script):
    with pytest.raises(AttributeError, match="factorial"):
        run_script(env, "import math\nx = math.factorial(10**6)")
