"""Scripts executed by SandboxEnvironment: task data in and out, imports, print."""
from __future__ import annotations

from datetime import date

import pytest

from engine.sandbox import ImportRefused, RefusedCode, SandboxEnvironment


def test_script_adds_new_variables_to_task_data(env, run_script):
    assert run_script(env, "total = price * 2", price=3) == {"price": 3, "total": 6}


def test_script_changes_existing_variables_in_place(env):
    context = {"visits": [1], "count": 1}
    env.execute("visits.append(2)\ncount += 1", context)
    assert context == {"visits": [1, 2], "count": 2}


def test_del_removes_a_variable_from_task_data(env, run_script):
    assert run_script(env, "del scratch", scratch=1, keep=2) == {"keep": 2}


def test_helpers_modules_and_functions_do_not_leak_into_task_data(env, run_script):
    script = (
        "import datetime\nimport math\nfrom datetime import timedelta as td\nimport business_calendar\n"
        "def double(v):\n    return v * 2\nhalf = lambda v: v / 2\n"
        "due = add_business_days(date(2026, 12, 24), 2)\nvalue = double(math.floor(2.5))\n"
    )
    assert run_script(env, script) == {"due": date(2026, 12, 29), "value": 4}


def test_loop_and_temporary_underscore_names_do_not_leak(env, run_script):
    assert run_script(env, "for _ in range(2):\n    pass\na, (b, c) = 1, (2, 3)") == {"a": 1, "b": 2, "c": 3}


def test_a_failed_script_leaves_task_data_unchanged(env):
    context = {"visits": [1], "count": 1}
    with pytest.raises(ZeroDivisionError):
        env.execute("visits.append(2)\ncount = 5\nnew = 1\ndel visits\n1 / 0", context)
    assert context == {"visits": [1], "count": 1}


@pytest.mark.parametrize("script", [
    "import datetime\nresult = datetime.date(2026, 1, 1).isoformat()",
    "from datetime import timedelta\nresult = timedelta(days=1).days",
    "import math\nresult = math.sqrt(16)",
    "import json\nresult = json.loads(json.dumps({'a': [1]}))",
    "import business_calendar\nresult = business_calendar.is_business_day('2026-12-28')",
    "import datetime as dt\nresult = dt.date.today() is not None",
])
def test_allowed_imports_work(env, run_script, script):
    assert run_script(env, script)["result"]


@pytest.mark.parametrize("statement, module", [
    ("import os", "os"),
    ("import sys", "sys"),
    ("import subprocess", "subprocess"),
    ("import socket", "socket"),
    ("import os.path", "os.path"),
    ("from os import path", "os"),
    ("import importlib", "importlib"),
    ("import builtins", "builtins"),
    ("import decimal", "decimal"),
])
def test_imports_outside_the_allow_list_are_refused_by_name(env, run_script, statement, module):
    with pytest.raises(RefusedCode, match=f"import of '{module}' is not allowed in pathway scripts"):
        run_script(env, statement)


def test_relative_imports_are_refused(env, run_script):
    with pytest.raises(RefusedCode, match="relative imports are not allowed"):
        run_script(env, "from . import calendar")


def test_the_runtime_import_guard_refuses_what_the_compiler_would(env):
    guarded_import = env.namespace.builtins["__import__"]
    with pytest.raises(ImportRefused, match="import of 'os' is not allowed in pathway scripts"):
        guarded_import("os")
    assert guarded_import("math").sqrt(9) == 3


def test_the_datetime_module_given_to_scripts_is_not_the_real_one(env, run_script):
    with pytest.raises(AttributeError, match="no attribute 'sys'"):
        run_script(env, "import datetime\nx = datetime.sys")


def test_print_is_collected_not_written_to_stdout(env, run_script, capsys):
    assert run_script(env, "print('hello', 42)\noutput = printed")["output"] == "hello 42\n"
    assert capsys.readouterr().out == ""


def test_ordinary_exceptions_can_be_caught(env, run_script):
    assert run_script(env, "try:\n    x = 1 / 0\nexcept ZeroDivisionError as e:\n    error = str(e)") == {
        "error": "division by zero"}


def test_augmented_assignment_and_item_assignment_work(env, run_script):
    script = "n = 2\nn **= 3\nn <<= 1\nnotes = {}\nnotes['a'] = [0] * 3\nnotes['a'][1:2] = [5, 6]\ntext = 'a'\ntext *= 3"
    assert run_script(env, script) == {"n": 16, "notes": {"a": [0, 5, 6, 0]}, "text": "aaa"}


def test_every_augmented_assignment_operator_works(env, run_script):
    script = "n = 17\nn %= 5\nn -= 1\nn //= 1\nn |= 8\nn &= 12\nn ^= 1\nn >>= 1\nf = 1.0\nf /= 4\nt = '%s'\nt %= 'x'"
    assert run_script(env, script) == {"n": 4, "f": 0.25, "t": "x"}


def test_json_loads_takes_plain_text_only(env, run_script):
    assert run_script(env, "import json\nx = json.loads('[1]')") == {"x": [1]}
    with pytest.raises(TypeError, match="cls"):
        run_script(env, "import json\nx = json.loads('[1]', cls=dict)")


def test_ordinary_string_formatting_works(env, run_script):
    script = "a = f'{name!r} {score:.1f} {when:%Y-%m-%d}'\nb = '%s-%03d' % ('x', 7)\nc = ', '.join(['a', 'b'])"
    data = run_script(env, script, name="Ann", score=2.25, when=date(2026, 12, 24))
    assert (data["a"], data["b"], data["c"]) == ("'Ann' 2.2 2026-12-24", "x-007", "a, b")


def test_extra_environment_globals_are_not_stored_in_task_data(run_script):
    environment = SandboxEnvironment(environment_globals={"threshold": 7, "flag": lambda: True})
    assert run_script(environment, "high = score > threshold and flag()", score=9) == {"score": 9, "high": True}
