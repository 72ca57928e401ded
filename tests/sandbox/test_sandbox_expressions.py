"""Expressions (conditions, timers, DMN entries) evaluated by SandboxEnvironment."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from engine.sandbox import RefusedCode, SandboxEnvironment
from engine.sandbox.compiler import _compile


def test_expression_sees_task_data_as_names(env):
    assert env.evaluate("age >= 65 and 'diabetes' in conditions", {"age": 70, "conditions": ["diabetes"]})


def test_task_data_wins_over_external_context(env):
    assert env.evaluate("(a, b)", {"a": 1}, {"a": 0, "b": 2}) == (1, 2)


def test_expression_does_not_change_task_data(env):
    data = {"a": 1}
    assert env.evaluate("(b := a + 1)", data) == 2
    assert data == {"a": 1}


def test_expression_can_use_the_prebound_date_helpers(env):
    assert env.evaluate("date(2026, 12, 24) + timedelta(days=1)", {}) == date(2026, 12, 25)
    assert env.evaluate("datetime.datetime(2026, 1, 1, tzinfo=timezone.utc)", {}) == datetime(
        2026, 1, 1, tzinfo=timezone.utc)


def test_expression_can_use_the_business_day_helpers(env):
    assert env.evaluate("business_days_duration(discharge_date, 2)", {"discharge_date": "2026-12-24"}) == "P5D"
    assert env.evaluate("is_business_day('2026-12-25')", {}) is False


def test_task_data_may_shadow_a_prebound_helper(env):
    assert env.evaluate("date", {"date": "2026-01-01"}) == "2026-01-01"


def test_str_is_still_usable_as_a_type(env):
    assert env.evaluate("isinstance(x, str) and str(5) == '5' and str.upper(x) == 'AB'", {"x": "ab"})


def test_a_statement_is_refused_as_an_expression_with_its_line(env):
    with pytest.raises(RefusedCode, match="Line 1: SyntaxError") as refused:
        env.evaluate("x = 1", {})
    assert refused.value.lineno == 1
    assert isinstance(refused.value, SyntaxError)


def test_an_unknown_name_is_a_name_error(env):
    with pytest.raises(NameError, match="'missing'"):
        env.evaluate("missing + 1", {})


def test_compiled_code_is_cached_per_source_string(env):
    env.evaluate("cache_probe_value + 1", {"cache_probe_value": 1})
    hits = _compile.cache_info().hits
    env.evaluate("cache_probe_value + 1", {"cache_probe_value": 2})
    assert _compile.cache_info().hits == hits + 1


def test_extra_environment_globals_are_available():
    environment = SandboxEnvironment(environment_globals={"risk_threshold": 7})
    assert environment.evaluate("score > risk_threshold", {"score": 8})
