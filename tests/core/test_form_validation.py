"""Submitted task data against the task's form (engine.care.task_forms): each schema's own rules, however it is cached."""
from __future__ import annotations

import pytest

from engine.care.task_forms import (
    READ_ONLY,
    FormInvalid,
    as_shown,
    check_cleared,
    read_only_fields,
    validate_submission,
)
from engine.errors import InvalidInput


def test_a_form_schema_is_validated_by_its_own_rules_after_another_was_dropped():
    """Validators are kept by the schema object; a schema made after another was dropped (and that may have
    been given the same id) never gets the dropped one's validator."""
    for round_ in range(200):
        required = "a" if round_ % 2 else "b"
        schema = {"type": "object", "required": [required], "properties": {required: {"type": "integer"}}}
        validate_submission(schema, {required: 1}, "form")
        with pytest.raises(FormInvalid) as refused:
            validate_submission(schema, {"a" if required == "b" else "b": 1}, "form")
        assert list(refused.value.errors) == [required]
        del schema


def test_equal_schemas_given_as_new_objects_validate_alike():
    first = {"type": "object", "properties": {"minutes": {"type": "integer", "minimum": 0}}}
    validate_submission(first, {"minutes": 5})
    with pytest.raises(FormInvalid):
        validate_submission(dict(first), {"minutes": -1})


REVIEW = {"type": "object", "required": ["decision"],
          "properties": {"eligible": {"type": "boolean", "readOnly": True}, "decision": {"enum": ["enrol", "decline"]}},
          "allOf": [{"if": {"properties": {"eligible": {"const": False}}, "required": ["eligible"]},
                     "then": {"properties": {"decision": {"const": "decline"}}}}]}


def test_a_read_only_field_holds_the_tasks_value_when_the_submission_leaves_it_out():
    assert as_shown(REVIEW, {"decision": "enrol"}, {"eligible": False}) == {"eligible": False, "decision": "enrol"}


def test_a_rule_on_a_read_only_field_holds_for_a_submission_that_leaves_it_out():
    with pytest.raises(FormInvalid) as refused:
        validate_submission(REVIEW, as_shown(REVIEW, {"decision": "enrol"}, {"eligible": False}), "review")
    assert list(refused.value.errors) == ["decision"]


def test_changing_a_read_only_field_is_refused_by_name():
    with pytest.raises(FormInvalid) as refused:
        as_shown(REVIEW, {"eligible": True, "decision": "enrol"}, {"eligible": False}, "review")
    assert refused.value.errors == {"eligible": READ_ONLY}


def test_setting_a_read_only_field_the_task_does_not_hold_is_refused():
    with pytest.raises(FormInvalid):
        as_shown(REVIEW, {"eligible": True, "decision": "enrol"}, {})


def test_read_only_fields_inside_conditional_branches_count():
    schema = {"type": "object", "if": {"properties": {"a": {"const": 1}}},
              "then": {"properties": {"score": {"type": "integer", "readOnly": True}}}}
    assert read_only_fields(schema) == {"score"}


def test_clearing_a_read_only_field_is_refused():
    with pytest.raises(InvalidInput, match="cannot clear 'eligible': read-only"):
        check_cleared(REVIEW, ["eligible"], "review")
