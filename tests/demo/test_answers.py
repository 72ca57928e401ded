"""Automatic answers for a task's form (the demos, on the command line and in the web app): they answer what is asked."""
from __future__ import annotations

import json
import re

import pytest

from engine.care.task_forms import FormInvalid, validate_submission
from engine.demo.answers import answers, choices_of, sample
from forms import load_form
from forms.validate import validate
from tests.conftest import REPO

FORM = {"type": "object", "required": ["decision", "score"],
        "properties": {"score": {"type": "integer", "readOnly": True}, "decision": {"enum": ["enrol", "decline"]},
                       "note": {"type": "string"}}}


def test_automatic_answers_leave_read_only_fields_to_the_pathway():
    assert answers(FORM) == {"decision": "enrol"}


def test_answers_fill_required_fields_by_type():
    schema = {"type": "object", "required": ["n", "when", "ok", "tags"],
              "properties": {"n": {"type": "integer", "minimum": 2}, "when": {"type": "string", "format": "date"},
                             "ok": {"type": "boolean"}, "tags": {"type": "array", "minItems": 1,
                                                                  "items": {"enum": ["a", "b"]}},
                             "free": {"type": "string"}}}
    result = answers(schema)
    assert (result["n"], result["ok"], result["tags"]) == (2, True, ["a"])
    assert "free" not in result


def test_answers_take_the_next_choice_on_each_visit():
    schema = {"properties": {"d": {"enum": ["continue", "discharge"]}}, "required": ["d"]}
    assert [answers(schema, visit=v)["d"] for v in range(3)] == ["continue", "discharge", "discharge"]


def test_answers_follow_local_refs():
    schema = {"$defs": {"yn": {"enum": ["yes", "no"]}}, "required": ["q"], "properties": {"q": {"$ref": "#/$defs/yn"}}}
    assert answers(schema) == {"q": "yes"}


MISSED_VISIT = {
    "type": "object", "required": ["follow_up"],
    "properties": {"follow_up": {
        "type": "object", "required": ["action"],
        "properties": {"action": {"type": "string", "oneOf": [{"const": "rebooked"}, {"const": "declined"}]},
                       "rebooked_for": {"type": "string", "format": "date"}},
        "allOf": [{"if": {"properties": {"action": {"const": "rebooked"}}, "required": ["action"]},
                   "then": {"required": ["rebooked_for"]}}]}}}


def test_a_field_required_only_under_a_condition_is_answered_when_the_condition_holds(frozen_clock):
    assert answers(MISSED_VISIT)["follow_up"] == {"action": "rebooked", "rebooked_for": "2026-01-05"}


def test_a_field_required_only_under_a_condition_is_left_out_when_it_does_not_hold():
    assert answers(MISSED_VISIT, visit=1)["follow_up"] == {"action": "declined"}


def test_given_answers_are_kept_and_what_they_open_is_answered():
    schema = {"type": "object", "required": ["outcome"],
              "properties": {"outcome": {"enum": ["reached", "no_answer"]}, "note": {"type": "string"}},
              "if": {"properties": {"outcome": {"const": "no_answer"}}}, "then": {"required": ["note"]}}
    assert answers(schema, given={"outcome": "no_answer"}) == {"outcome": "no_answer", "note": "demo"}


def test_dependent_required_fields_are_answered_with_the_field_they_depend_on():
    schema = {"type": "object", "required": ["smokes"], "properties": {
        "smokes": {"type": "boolean"}, "packs_a_day": {"type": "integer", "minimum": 1}},
        "dependentRequired": {"smokes": ["packs_a_day"]}}
    assert answers(schema) == {"smokes": True, "packs_a_day": 1}


def test_a_condition_narrowing_a_field_to_a_constant_is_followed():
    schema = {"type": "object", "required": ["given"], "properties": {
        "given": {"type": "boolean"}, "explained": {"type": "boolean"}},
        "if": {"properties": {"given": {"const": True}}}, "then": {"properties": {"explained": {"const": True}},
                                                                   "required": ["explained"]}}
    assert answers(schema) == {"given": True, "explained": True}


def test_a_text_field_with_a_pattern_gets_a_matching_answer():
    schema = {"type": "object", "required": ["code"],
              "properties": {"code": {"type": "string", "pattern": "^[A-TV-Z][0-9][0-9A-Z](\\.[0-9A-Z]{1,4})?$"}}}
    code = answers(schema)["code"]
    assert re.fullmatch(schema["properties"]["code"]["pattern"].strip("^$"), code), code


def test_the_same_form_and_visit_give_the_same_answers():
    schema = {"type": "object", "required": ["time"],
              "properties": {"time": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}}}
    assert answers(schema, visit=3) == answers(schema, visit=3)


def test_a_multiple_choice_with_unique_items_gets_distinct_choices():
    schema = {"type": "object", "required": ["aids"], "properties": {"aids": {
        "type": "array", "minItems": 2, "uniqueItems": True, "items": {"enum": ["cane", "walker", "none"]}}}}
    assert answers(schema, visit=2)["aids"] == ["none", "cane"]


# --- every shipped form -----------------------------------------------------------------------------------------

FORM_FILES = sorted((REPO / "pathways" / "forms").glob("*-schema.json"))


def _visits(schema) -> int:
    """Enough visits for every choice of every field to be taken once: the longest list of choices."""
    if isinstance(schema, dict):
        return max([len(choices_of(schema)), 1, *(_visits(v) for v in schema.values())])
    if isinstance(schema, list):
        return max([1, *(_visits(v) for v in schema)])
    return 1


def _with_read_only(schema: dict, data: dict) -> dict:
    """The read-only fields as a pathway would have set them (the form shows them, a submission keeps them)."""
    fixed = {name: sample(prop, schema) for name, prop in (schema.get("properties") or {}).items()
             if isinstance(prop, dict) and prop.get("readOnly") is True}
    return {**fixed, **data}


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.name.removesuffix("-schema.json"))
def test_automatic_answers_fill_every_shipped_form_at_every_visit(path):
    schema = json.loads(path.read_text())
    problems = {}
    for visit in range(_visits(schema)):
        data = _with_read_only(schema, answers(schema, visit=visit))
        try:
            validate_submission(schema, data, path.name)
        except FormInvalid as exc:
            problems[visit] = exc.errors
        form = load_form(schema)
        errors = validate(form, data)
        if errors:
            problems[f"{visit} (web form)"] = errors
    assert not problems, f"the automatic answers cannot fill {path.name}: {problems}"


def test_every_shipped_form_is_checked():
    assert len(FORM_FILES) >= 29
