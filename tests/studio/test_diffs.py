"""The review page's readable lists: what changed in a test file's cases, a form and a decision table."""
from __future__ import annotations

from engine.studio.diffs import json_diff


def test_a_longer_expected_path_says_what_was_added_and_where():
    old = {"case": {"expected_path": ["start", "set_up", "identification"]}}
    new = {"case": {"expected_path": ["start", "set_up", "gateway", "welcome_call", "identification"]}}
    assert json_diff(old, new) == ['case.expected_path: "gateway", "welcome_call" added after "set_up"']


def test_removed_and_replaced_items_are_named():
    assert json_diff({"nurse": ["a", "b", "c"]}, {"nurse": ["x", "b"]}) == ['nurse: "a" replaced by "x"; "c" removed']


def test_other_values_show_before_and_after():
    assert json_diff({"status": "waiting"}, {"status": "completed"}) == ['status: "waiting" -> "completed"']
