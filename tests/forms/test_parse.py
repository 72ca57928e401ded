"""Reading a post: typed values, rows, multiple choice, what could not be read kept as typed."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

import forms


def draft(form, post, **kw):
    return forms.parse_submission(form, post, draft=True, **kw)


def test_whole_numbers_numbers_dates_and_booleans_are_typed(medications):
    data, errors = draft(medications, {
        "adherence[doses_missed]": " 2 ", "weight_kg": "72.5", "review_date": "2026-04-01",
        "medications[0][name]": "Metformin", "medications[0][dose]": "500 mg",
        "medications[0][over_the_counter]": "true", "medications[0][doses_per_day]": "2"})
    assert errors == {}
    assert data["adherence"] == {"doses_missed": 2, "aids": []}
    assert data["weight_kg"] == 72.5 and data["review_date"] == "2026-04-01"
    assert data["medications"] == [{"name": "Metformin", "dose": "500 mg", "doses_per_day": 2,
                                    "over_the_counter": True}]


def test_a_choice_answer_is_read_as_its_json_value(phq9):
    data, _ = draft(phq9, {"phq9_1": "3"})
    assert data == {"phq9_1": 3}


def test_text_that_is_not_a_number_is_kept_as_typed_with_a_message(medications):
    data, errors = draft(medications, {"weight_kg": "seventy"})
    assert data["weight_kg"] == "seventy"
    assert errors == {"weight_kg": "Enter a number greater than 0 and no more than 400"}


def test_an_impossible_date_is_kept_as_typed_with_a_message(medications):
    data, errors = draft(medications, {"review_date": "2026-02-30"})
    assert data["review_date"] == "2026-02-30"
    assert errors["review_date"].startswith("Enter a real date")


def test_a_multiple_choice_reads_every_ticked_box_from_a_multidict(medications):
    post = MultiDict([("adherence[aids]", "reminders"), ("adherence[aids]", "pill_organiser")])
    data, _ = draft(medications, post)
    assert data["adherence"]["aids"] == ["reminders", "pill_organiser"]


def test_a_multiple_choice_reads_a_list_in_a_plain_mapping(medications):
    data, _ = draft(medications, {"adherence[aids]": ["blister_packs"]})
    assert data["adherence"]["aids"] == ["blister_packs"]


def test_blank_rows_are_left_out_and_rows_are_numbered_from_zero(medications):
    post = {"medications[3][name]": "Insulin", "medications[3][dose]": "10 u",
            "medications[5][name]": "", "medications[5][dose]": " ", "medications[5][route]": ""}
    data, _ = draft(medications, post)
    assert data["medications"] == [{"name": "Insulin", "dose": "10 u", "over_the_counter": False}]


def test_an_emptied_list_reads_as_an_empty_list(medications):
    data, _ = draft(medications, {"medications[0][name]": ""})
    assert data["medications"] == []


def test_the_remove_button_without_script_removes_its_row(medications):
    post = [("medications[0][name]", "A"), ("medications[0][dose]", "1"),
            ("medications[1][name]", "B"), ("medications[1][dose]", "2"), ("action", "remove:medications[0]")]
    data, errors = forms.parse_submission(medications, post)
    assert [m["name"] for m in data["medications"]] == ["B"]
    assert errors == {}  # a row change is saved as a draft: no required checks


def test_the_move_up_button_without_script_moves_its_row(medications):
    post = [("medications[0][name]", "A"), ("medications[0][dose]", "1"),
            ("medications[1][name]", "B"), ("medications[1][dose]", "2"), ("action", "up:medications[1]")]
    data, _ = forms.parse_submission(medications, post)
    assert [m["name"] for m in data["medications"]] == ["B", "A"]


def test_a_hidden_id_travels_with_its_row(medications):
    post = [("medications[0][id]", "m1"), ("medications[0][name]", "A"), ("medications[0][dose]", "1")]
    data, _ = draft(medications, post)
    assert data["medications"][0]["id"] == "m1"


def test_read_only_fields_come_from_the_task_data_not_the_post(consent):
    data, _ = draft(consent, {"patient_name": "Mallory", "consent_given": "true"},
                    task_data={"patient_name": "Ada Lovelace"})
    assert data["patient_name"] == "Ada Lovelace"


def test_an_unticked_optional_checkbox_reads_as_false():
    form = forms.load_form({"properties": {"questions": {"type": "boolean"}}})
    assert draft(form, {})[0] == {"questions": False}


def test_a_yes_no_radio_left_unanswered_is_absent(consent):
    assert "consent_given" not in draft(consent, {})[0]


def test_a_blank_optional_section_is_left_out():
    form = forms.load_form({"properties": {"order": {"type": "object", "required": ["table"], "properties": {
        "table": {"type": "integer"}, "drink": {"type": "string"}}}}})
    assert forms.parse_submission(form, {"order[table]": "", "order[drink]": ""}) == ({}, {})


def test_a_conditional_field_whose_condition_does_not_hold_is_dropped(consent):
    data, _ = draft(consent, {"consent_given": "true", "consent_type": "verbal", "document_reference": "D-1"})
    assert "document_reference" not in data


def test_a_conditional_field_whose_condition_holds_is_read(consent):
    data, _ = draft(consent, {"consent_given": "true", "consent_type": "written", "document_reference": "D-1"})
    assert data["document_reference"] == "D-1"


def test_a_chain_of_conditions_is_followed(consent):
    data, _ = draft(consent, {"consent_given": "false", "consent_type": "written", "document_reference": "D-1"})
    assert "consent_type" not in data and "document_reference" not in data


def test_windows_line_breaks_of_a_textarea_become_newlines(consent):
    data, _ = draft(consent, {"note": "line one\r\nline two"})
    assert data["note"] == "line one\nline two"


def test_answers_listed_in_the_task_data_are_read_as_their_values():
    form = forms.load_form({"properties": {"n": {"type": "integer", "anyOf": ["options_from_task_data_var:ns"]}}})
    data, errors = draft(form, {"n": "2"}, task_data={"ns": [{"value": 1, "label": "one"},
                                                             {"value": 2, "label": "two"}]})
    assert (data, errors) == ({"n": 2}, {})


def test_the_action_names_a_submit_a_draft_or_a_row_change():
    assert forms.submission_action({}).kind == "submit"
    assert forms.submission_action({"action": "draft"}).kind == "draft"
    assert forms.submission_action({"action": "add:medications"}) == forms.Action("add", "medications")
    assert forms.submission_action({"action": "something else"}).kind == "draft"


def test_unanswered_names_the_answers_a_post_left_empty(consent):
    data, _ = draft(consent, {"consent_given": "true", "consent_type": "verbal", "note": ""},
                    task_data={"patient_name": "Ada Lovelace"})
    assert set(forms.unanswered(consent, data)) == {"consent_date", "note", "document_reference"}


def test_unanswered_leaves_out_read_only_fields(consent):
    assert "patient_name" not in forms.unanswered(consent, {})
