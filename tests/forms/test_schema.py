"""Loading a form: JSON Schema + UI schema -> typed fields."""
from __future__ import annotations

import pytest

import forms
from forms.model import Kind

from .conftest import load


def _field(form, *names):
    f = form.root
    for name in names:
        f = f.item if name == "[]" else next(c for c in f.children if c.name == name)
    return f


def test_the_same_content_gives_the_same_cached_form():
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert forms.load_form(schema, {}) is forms.load_form(dict(schema), None)


def test_phq9_items_are_radio_choices_labelled_from_oneof_titles(phq9):
    item = _field(phq9, "phq9_1")
    assert (item.kind, item.widget, item.required) == (Kind.CHOICE, "radio", True)
    assert [(c.value, c.label) for c in item.choices][:2] == [(0, "Not at all"), (1, "Several days")]


def test_ui_order_decides_the_order_of_fields(consent):
    assert [f.name for f in consent.fields] == [
        "patient_name", "consent_given", "consent_type", "document_reference", "consent_date", "note"]


def test_ui_order_wildcard_places_the_remaining_fields(medications):
    assert [f.name for f in medications.fields] == ["medications", "adherence", "weight_kg", "review_date"]


def test_each_json_type_gets_its_kind(medications):
    row = _field(medications, "medications", "[]")
    kinds = {c.name: c.kind for c in row.children}
    assert kinds == {"id": Kind.HIDDEN, "name": Kind.TEXT, "dose": Kind.TEXT, "route": Kind.CHOICE, "doses_per_day": Kind.INTEGER,
                     "over_the_counter": Kind.BOOLEAN}
    assert _field(medications, "weight_kg").kind == Kind.NUMBER
    assert _field(medications, "review_date").kind == Kind.DATE
    assert _field(medications, "adherence").kind == Kind.OBJECT
    assert _field(medications, "medications").kind == Kind.ARRAY


def test_an_array_of_enumerated_strings_is_a_multiple_choice_labelled_by_enum_names(medications):
    aids = _field(medications, "adherence", "aids")
    assert (aids.kind, aids.widget) == (Kind.MULTICHOICE, "checkboxes")
    assert [c.label for c in aids.choices] == ["Pill organiser", "Phone reminders", "Blister packs"]


def test_bare_enum_values_read_as_words():
    form = forms.load_form({"properties": {"plan": {"type": "string", "enum": ["adjust_medication", "none"]}}})
    assert [c.label for c in form.fields[0].choices] == ["Adjust medication", "None"]


def test_a_textarea_widget_makes_long_text(consent):
    assert _field(consent, "note").kind == Kind.TEXTAREA


def test_bounds_are_read(medications):
    b = _field(medications, "weight_kg").bounds
    assert (b.exclusive_minimum, b.maximum) == (0, 400)


def test_ui_title_help_placeholder_and_hidden_label_are_read():
    form = forms.load_form(
        {"properties": {"age": {"type": "integer", "title": "Age"}}},
        {"age": {"ui:title": "Age of person", "ui:help": "In years", "ui:placeholder": "42",
                 "ui:options": {"label": False}}})
    age = form.fields[0]
    assert (age.label, age.help, age.placeholder, age.label_hidden) == ("Age of person", "In years", "42", True)


def test_readonly_fields_show_as_display_text():
    form = forms.load_form({"properties": {"a": {"type": "integer"}, "b": {"type": "string", "readOnly": True}}},
                           {"a": {"ui:readonly": True}})
    assert [f.widget for f in form.fields] == ["display", "display"]


def test_a_required_yes_no_question_is_a_radio_pair_and_an_optional_one_a_checkbox():
    form = forms.load_form({"required": ["reached"], "properties": {
        "reached": {"type": "boolean", "title": "Reached"}, "questions": {"type": "boolean"}}})
    assert [f.widget for f in form.fields] == ["radio", "checkbox"]
    assert [c.label for c in form.fields[0].choices] == ["Yes", "No"]


def test_a_field_declared_in_then_is_conditional_and_placed_after_the_field_it_depends_on():
    form = forms.load_form({
        "properties": {"outcome": {"enum": ["reached", "not_reached"]}, "note": {"type": "string"}},
        "if": {"properties": {"outcome": {"const": "not_reached"}}, "required": ["outcome"]},
        "then": {"properties": {"attempts": {"type": "integer"}}, "required": ["attempts"]}})
    assert [f.name for f in form.fields] == ["outcome", "attempts", "note"]
    attempts = form.fields[1]
    assert attempts.conditional and attempts.required


def test_a_field_required_only_by_a_branch_is_conditional(consent):
    assert _field(consent, "consent_type").conditional
    assert not _field(consent, "consent_given").conditional


def test_local_refs_are_resolved():
    form = forms.load_form({"$defs": {"goal": {"type": "object", "properties": {"text": {"type": "string"}}}},
                            "properties": {"goals": {"type": "array", "items": {"$ref": "#/$defs/goal"}}}})
    assert [c.name for c in form.fields[0].item.children] == ["text"]


def test_draft07_dependencies_in_the_react_jsonschema_form_style_make_conditional_fields():
    form = forms.load_form({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "properties": {"smoker": {"type": "string", "enum": ["yes", "no"]}},
        "dependencies": {"smoker": {"oneOf": [
            {"properties": {"smoker": {"enum": ["yes"]}, "per_day": {"type": "integer"}}, "required": ["per_day"]},
            {"properties": {"smoker": {"enum": ["no"]}}}]}}})
    per_day = form.fields[1]
    assert (per_day.name, per_day.conditional, per_day.required) == ("per_day", True, True)


def test_task_data_options_make_a_choice_without_static_answers():
    form = forms.load_form({"properties": {"fruit": {"type": "string",
                                                     "anyOf": ["options_from_task_data_var:fruits"]}}})
    assert (form.fields[0].kind, form.fields[0].choices_from) == (Kind.CHOICE, "fruits")


def test_a_schema_that_is_not_json_schema_is_refused_with_where():
    with pytest.raises(forms.FormDefinitionError, match="/properties/age/type"):
        forms.load_form({"properties": {"age": {"type": "whole number"}}})


def test_an_unknown_dialect_is_refused():
    with pytest.raises(forms.FormDefinitionError, match="unknown"):
        forms.load_form({"$schema": "https://example.org/my-schema", "properties": {}})


def test_medication_rows_are_labelled_by_the_items_title(medications):
    assert _field(medications, "medications", "[]").label == "Medicine"


def test_load_is_independent_of_the_fixture_loader():
    assert load("phq9").title.startswith("PHQ-9")
