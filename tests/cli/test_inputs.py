"""The pure helpers: --set values, auto answers, tables and relative times."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.cli import output
from engine.cli.context import parse_sets, parse_value
from engine.errors import InvalidInput

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, value", [
    ("42", 42), ("2.5", 2.5), ("true", True), ("null", None), ("[1, 2]", [1, 2]), ("hello", "hello"),
    ('"42"', "42"), ("NaN", "NaN"), ("", ""),
])
def test_set_value_is_json_when_it_parses_else_text(text, value):
    assert parse_value(text) == value


def test_set_keeps_equals_signs_in_the_value():
    assert parse_sets(("expr=a=b",)) == {"expr": "a=b"}


def test_set_without_equals_is_invalid_input():
    with pytest.raises(InvalidInput):
        parse_sets(("decision",))


def test_relative_future_in_days():
    assert output.relative(NOW + timedelta(days=3, hours=1), NOW) == "in 3 days"


def test_relative_past_in_hours_is_overdue():
    assert output.relative(NOW - timedelta(hours=2, minutes=5), NOW) == "2 h overdue"


def test_short_is_utc_iso_minutes():
    moment = datetime(2026, 1, 5, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    assert output.short(moment) == "2026-01-05T09:30Z"


def test_table_aligns_columns():
    text = output.table(["id", "name"], [[1, "alpha"], [22, None]])
    assert text.splitlines() == ["ID  NAME", "1   alpha", "22  -"]
