"""Submitted task data against the task's form (engine.formdata): each schema's own rules, however it is cached."""
from __future__ import annotations

import pytest

from engine.formdata import FormInvalid, validate_submission


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
