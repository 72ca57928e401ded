"""Render prefilled -> what a browser sends -> parse: the same data comes back."""
from __future__ import annotations

import forms

from .conftest import browser_post, load

MEDICATIONS = {
    "medications": [
        {"id": "m1", "name": "Metformin", "dose": "500 mg", "route": "oral", "doses_per_day": 2,
         "over_the_counter": False},
        {"id": "m2", "name": "Vitamin D", "dose": "1000 IU", "over_the_counter": True},
    ],
    "adherence": {"doses_missed": 0, "aids": ["pill_organiser", "blister_packs"]},
    "weight_kg": 81.5,
    "review_date": "2026-05-01",
}


def round_trip(form, data, **kw):
    post = browser_post(forms.render_form(form, data, use_defaults=False, **kw))
    return forms.parse_submission(form, post, task_data=kw.get("task_data"))


def test_phq9_answers_come_back_unchanged(phq9):
    data = {f"phq9_{i}": i % 4 for i in range(1, 10)}
    assert round_trip(phq9, data) == (data, {})


def test_a_medication_list_with_nested_choices_comes_back_unchanged(medications):
    assert round_trip(medications, MEDICATIONS) == (MEDICATIONS, {})


def test_consent_with_its_conditional_document_comes_back_unchanged(consent):
    data = {"patient_name": "Ada", "consent_given": True, "consent_type": "written", "document_reference": "D-1",
            "consent_date": "2026-03-31", "note": "Signed at home.\nCopy given."}
    assert round_trip(consent, data, task_data={"patient_name": "Ada"}) == (data, {})


def test_an_invalid_submission_shown_again_sends_back_what_was_typed(medications):
    post = {"medications[0][name]": "Metformin", "medications[0][dose]": "500 mg",
            "medications[0][doses_per_day]": "twice", "weight_kg": "eighty"}
    data, errors = forms.parse_submission(medications, post)
    assert set(errors) == {"medications.0.doses_per_day", "weight_kg"}
    again, _ = forms.parse_submission(medications, browser_post(forms.render_form(medications, data,
                                                                                   errors=errors)))
    assert again == data


def test_without_script_a_row_is_added_by_filling_the_blank_row_and_pressing_add(medications):
    first = forms.render_form(medications, {"medications": [{"name": "A", "dose": "1"}]})
    post = [(k, v) for k, v in browser_post(first, click=("action", "add:medications"))]
    post = [(k, "B" if k == "medications[1][name]" else "2" if k == "medications[1][dose]" else v)
            for k, v in post]
    data, errors = forms.parse_submission(medications, post)
    assert errors == {} and [m["name"] for m in data["medications"]] == ["A", "B"]
    second = forms.render_form(medications, data)
    names = [k for k, _ in browser_post(second) if k.endswith("[name]")]
    assert names == ["medications[0][name]", "medications[1][name]", "medications[2][name]"]


def test_without_script_the_remove_button_removes_the_row_and_keeps_the_others(medications):
    page = forms.render_form(medications, MEDICATIONS)
    data, errors = forms.parse_submission(medications, browser_post(page, click=("action", "remove:medications[0]")))
    assert [m["id"] for m in data["medications"]] == ["m2"] and errors == {}


def test_every_pathway_like_fixture_form_round_trips_empty():
    for name in ("phq9", "consent", "medications"):
        form = load(name)
        data, _ = forms.parse_submission(form, browser_post(forms.render_form(form, {}, use_defaults=False)),
                                         draft=True)
        again, _ = forms.parse_submission(form, browser_post(forms.render_form(form, data, use_defaults=False)),
                                          draft=True)
        assert again == data
