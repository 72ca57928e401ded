"""Checking a submission: full JSON Schema validation, worded for a care manager, one message per field."""
from __future__ import annotations

import forms

PHQ9_ALL = {f"phq9_{i}": "0" for i in range(1, 10)}


def submit(form, post, **kw):
    return forms.parse_submission(form, post, draft=False, **kw)


def test_a_complete_phq9_passes(phq9):
    data, errors = submit(phq9, PHQ9_ALL)
    assert errors == {} and data == {f"phq9_{i}": 0 for i in range(1, 10)}


def test_missing_phq9_answer_gets_a_field_message(phq9):
    post = {k: v for k, v in PHQ9_ALL.items() if k != "phq9_4"}
    assert submit(phq9, post)[1] == {"phq9_4": "Choose an answer"}


def test_a_whole_number_out_of_bounds_says_the_bounds(medications):
    errors = forms.validate(medications, {"medications": [], "adherence": {"doses_missed": 9}})
    assert errors == {"adherence.doses_missed": "Enter a whole number between 0 and 7"}


def test_a_number_that_is_not_whole_where_a_whole_number_is_asked_says_so(medications):
    _, errors = submit(medications, {"adherence[doses_missed]": "1.5"})
    assert errors["adherence.doses_missed"] == "Enter a whole number between 0 and 7"


def test_messages_come_in_page_order_with_row_paths(medications):
    _, errors = submit(medications, {"medications[0][dose]": "5 mg", "weight_kg": "-1",
                                     "adherence[aids]": "reminders"})
    assert list(errors) == ["medications.0.name", "adherence.doses_missed", "weight_kg"]
    assert errors["medications.0.name"] == "Enter name"


def test_an_optional_section_left_blank_asks_for_nothing(medications):
    assert submit(medications, {"medications[0][name]": "A", "medications[0][dose]": "1"})[1] == {}


def test_conditional_field_is_required_only_when_its_condition_holds(consent):
    verbal = {"consent_given": "true", "consent_type": "verbal"}
    written = {"consent_given": "true", "consent_type": "written"}
    assert submit(consent, verbal, task_data={"patient_name": "Ada"})[1] == {}
    assert submit(consent, written, task_data={"patient_name": "Ada"})[1] == {
        "document_reference": "Enter document reference"}


def test_a_branch_requirement_applies_when_its_condition_holds(consent):
    errors = submit(consent, {"consent_given": "true"}, task_data={"patient_name": "Ada"})[1]
    assert errors == {"consent_type": "Choose an answer"}


def test_a_missing_read_only_value_gets_a_message_not_a_crash(consent):
    errors = submit(consent, {"consent_given": "false"})[1]
    assert errors == {"patient_name": "This information is missing from the task"}


def test_a_draft_reports_only_what_could_not_be_read(medications):
    data, errors = forms.parse_submission(medications, {"weight_kg": "heavy", "action": "draft"})
    assert errors == {"weight_kg": "Enter a number greater than 0 and no more than 400"}
    assert data["weight_kg"] == "heavy"


def test_typed_values_survive_an_invalid_submission(medications):
    data, errors = submit(medications, {
        "medications[0][name]": "Metformin", "medications[0][dose]": "500 mg",
        "medications[0][doses_per_day]": "twice", "adherence[doses_missed]": "3", "weight_kg": "81.5"})
    assert errors == {"medications.0.doses_per_day": "Enter a whole number between 1 and 12"}
    assert data["medications"][0]["doses_per_day"] == "twice"
    assert data["adherence"]["doses_missed"] == 3 and data["weight_kg"] == 81.5


def test_a_spiffarena_validation_error_message_replaces_the_wording():
    form = forms.load_form({"properties": {"phone": {"type": "string", "pattern": "^[0-9 ]+$",
                                                     "validationErrorMessage": "Enter digits only"}}})
    assert forms.validate(form, {"phone": "call me"}) == {"phone": "Enter digits only"}


def test_a_pattern_without_a_message_gets_a_plain_one():
    form = forms.load_form({"properties": {"mrn": {"type": "string", "pattern": "^[0-9]+$"}}})
    assert forms.validate(form, {"mrn": "x"}) == {"mrn": "Enter the answer in the format asked for"}


def test_a_value_outside_the_options_in_the_task_data_is_refused():
    form = forms.load_form({"properties": {"fruit": {"type": "string",
                                                     "anyOf": ["options_from_task_data_var:fruits"]}}})
    task_data = {"fruits": [{"value": "apple", "label": "Apple"}]}
    assert submit(form, {"fruit": "apple"}, task_data=task_data)[1] == {}
    assert submit(form, {"fruit": "pear"}, task_data=task_data)[1] == {"fruit": "Choose from the options given"}


def test_a_minimum_from_a_conditional_branch_is_the_one_the_message_gives():
    form = forms.load_form({"properties": {"outcome": {"enum": ["reached", "not_reached"]},
                                           "attempts": {"type": "integer", "minimum": 1, "maximum": 5}},
                            "if": {"properties": {"outcome": {"const": "not_reached"}}, "required": ["outcome"]},
                            "then": {"properties": {"attempts": {"minimum": 2}}}})
    errors = forms.validate(form, {"outcome": "not_reached", "attempts": 1})
    assert errors == {"attempts": "Enter a whole number between 2 and 5"}


def test_a_required_repeating_group_needs_its_minimum_rows(medications):
    form = forms.load_form({"required": ["team"], "properties": {"team": {
        "type": "array", "minItems": 1, "items": {"type": "object", "title": "Member",
                                                  "properties": {"name": {"type": "string"}}}}}})
    assert submit(form, {})[1] == {"team": "Add at least one member"}


def test_a_multiple_choice_with_too_few_ticks_says_how_many():
    form = forms.load_form({"properties": {"toppings": {"type": "array", "minItems": 2, "uniqueItems": True,
                                                        "items": {"enum": ["a", "b", "c"]}}}})
    assert submit(form, {"toppings": "a"})[1] == {"toppings": "Choose at least 2 options"}


def test_a_draft07_form_is_checked_with_draft07_rules():
    form = forms.load_form({"$schema": "http://json-schema.org/draft-07/schema#",
                            "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                            "dependencies": {"a": ["b"]}})
    assert forms.validate(form, {"a": "x"}) == {"b": "Enter b"}


def test_drop_inactive_removes_answers_to_questions_that_do_not_apply(consent):
    data = {"patient_name": "Ada", "consent_given": False, "consent_type": "written", "document_reference": "D",
            "other_task_data": 1}
    assert forms.drop_inactive(consent, data) == {"patient_name": "Ada", "consent_given": False,
                                                  "other_task_data": 1}


def test_data_that_passes_here_passes_the_engines_own_check(consent):
    from jsonschema import Draft202012Validator, FormatChecker

    data, errors = submit(consent, {"consent_given": "true", "consent_type": "written",
                                    "document_reference": "D-7", "consent_date": "2026-03-31"},
                          task_data={"patient_name": "Ada"})
    assert errors == {}
    assert Draft202012Validator(consent.schema, format_checker=FormatChecker()).is_valid(data)


DEPENDENT = {"properties": {"phone": {"type": "string", "title": "Phone"}},
             "dependentSchemas": {"phone": {"required": ["best_time"], "properties": {
                 "best_time": {"type": "string", "title": "Best time to call", "enum": ["morning", "afternoon"]}}}}}


def test_a_dependent_schema_field_applies_only_when_its_trigger_is_answered():
    form = forms.load_form(DEPENDENT)
    assert submit(form, {"best_time": "morning"}) == ({}, {})
    assert submit(form, {"phone": "555 0100"})[1] == {"best_time": "Choose an answer"}
    assert submit(form, {"phone": "555 0100", "best_time": "morning"}) == (
        {"phone": "555 0100", "best_time": "morning"}, {})


def test_dependent_required_makes_a_field_required_once_its_trigger_is_answered():
    form = forms.load_form({"properties": {"email": {"type": "string"}, "consent_to_email": {"type": "string"}},
                            "dependentRequired": {"email": ["consent_to_email"]}})
    assert submit(form, {})[1] == {}
    assert submit(form, {"email": "a@b.c"})[1] == {"consent_to_email": "Enter consent to email"}
