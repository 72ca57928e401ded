"""The forms of the mood screening (PHQ-9, GAD-7, the physician's reviews) and of the AHC HRSN social needs
screening: valid JSON Schema 2020-12 with SpiffArena UI schemas, the instruments' standard wording, and the
answers they accept and refuse."""
from __future__ import annotations

import json

import pytest

from engine.care.task_forms import FormInvalid, validate_submission
from engine.deploy.validation import check_json_schema
from tests.engine.pathway_helpers import phq9_answers
from tests.pathways.library import PATHWAYS

FORMS = PATHWAYS / "forms"
MINE = ["mood_screening-phq9", "mood_screening-gad7", "mood_screening-safety_assessment",
        "mood_screening-severe_symptoms_review", "assessment-social_needs"]
FREQUENCY = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
NO_NEEDS = {
    "living_situation": "steady_place", "housing_problems": ["none"], "food_worried": "never_true",
    "food_did_not_last": "never_true", "transportation": "no", "utilities": "no",
    "physically_hurt": 1, "insulted": 1, "threatened": 1, "screamed_or_cursed": 1,
}


def schema(name):
    return json.loads((FORMS / f"{name}-schema.json").read_text())


def ui(name):
    return json.loads((FORMS / f"{name}-uischema.json").read_text())


def accepts(name, data) -> bool:
    try:
        validate_submission(schema(name), data, name)
    except FormInvalid:
        return False
    return True


def gad7_answers(total):
    return {f"gad7_{item}": min(3, max(0, total - 3 * (item - 1))) for item in range(1, 8)}


@pytest.mark.parametrize("name", MINE)
def test_form_declares_json_schema_draft_2020_12(name):
    assert schema(name)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", MINE)
def test_form_is_valid_json_schema_2020_12(name):
    assert check_json_schema(f"{name}-schema.json", schema(name)) == []


@pytest.mark.parametrize("name", MINE)
def test_ui_order_lists_every_field(name):
    assert sorted(ui(name)["ui:order"]) == sorted(schema(name)["properties"])


def test_phq9_items_use_the_standard_answer_labels():
    assert [o["title"] for o in schema("mood_screening-phq9")["properties"]["phq9_1"]["oneOf"]] == FREQUENCY


def test_phq9_item_9_has_its_standard_wording():
    assert schema("mood_screening-phq9")["properties"]["phq9_9"]["title"] == (
        "9. Thoughts that you would be better off dead or of hurting yourself in some way")


def test_phq9_item_9_help_warns_that_it_opens_the_safety_assessment():
    assert "safety assessment" in ui("mood_screening-phq9")["phq9_9"]["ui:help"]


@pytest.mark.parametrize("total", [0, 9, 27])
def test_phq9_form_accepts_nine_answers_without_minutes(total):
    assert accepts("mood_screening-phq9", phq9_answers(total))


def test_phq9_form_accepts_difficulty_and_minutes():
    assert accepts("mood_screening-phq9", {**phq9_answers(5), "phq9_difficulty": "somewhat_difficult",
                                           "minutes_spent": 12})


def test_phq9_form_refuses_an_answer_above_3():
    assert not accepts("mood_screening-phq9", {**phq9_answers(5), "phq9_4": 4})


def test_phq9_form_requires_item_9():
    answers = phq9_answers(5)
    del answers["phq9_9"]
    assert not accepts("mood_screening-phq9", answers)


def test_gad7_items_use_the_standard_answer_labels():
    assert [o["title"] for o in schema("mood_screening-gad7")["properties"]["gad7_7"]["oneOf"]] == FREQUENCY


def test_gad7_form_has_seven_items_and_the_difficulty_question():
    assert sorted(schema("mood_screening-gad7")["properties"]) == sorted(
        [f"gad7_{i}" for i in range(1, 8)] + ["gad7_difficulty"])


def test_gad7_form_accepts_seven_answers():
    assert accepts("mood_screening-gad7", gad7_answers(21))


def test_gad7_form_refuses_an_unknown_difficulty():
    assert not accepts("mood_screening-gad7", {**gad7_answers(3), "gad7_difficulty": "a bit"})


def test_safety_assessment_requires_risk_level_next_step_plan_and_crisis_resources():
    assert set(schema("mood_screening-safety_assessment")["required"]) == {
        "safety_risk_level", "safety_next_step", "safety_plan", "crisis_resources_given"}


def test_safety_assessment_accepts_a_complete_assessment():
    assert accepts("mood_screening-safety_assessment", {
        "safety_risk_level": "low", "safety_next_step": "safety_plan_follow_up",
        "safety_plan": "Safety plan made; call on Friday", "crisis_resources_given": True})


def test_severe_symptoms_review_requires_a_decision_and_a_plan():
    assert not accepts("mood_screening-severe_symptoms_review", {"severe_review_decision": "start_treatment"})


def test_social_needs_form_asks_the_ten_core_questions():
    core = schema("assessment-social_needs")["properties"]["social_needs"]["required"]
    assert core == list(NO_NEEDS)


def test_social_needs_form_accepts_a_screen_without_needs():
    assert accepts("assessment-social_needs", {"social_needs": NO_NEEDS})


def test_social_needs_form_refuses_none_of_the_above_with_a_problem():
    assert not accepts("assessment-social_needs",
                       {"social_needs": {**NO_NEEDS, "housing_problems": ["none", "mold"]}})


def test_social_needs_form_refuses_a_safety_answer_outside_never_to_frequently():
    assert not accepts("assessment-social_needs", {"social_needs": {**NO_NEEDS, "insulted": 0}})


def test_no_steady_place_requires_the_safe_place_tonight_follow_up():
    answers = {**NO_NEEDS, "living_situation": "no_steady_place"}
    assert not accepts("assessment-social_needs", {"social_needs": answers})


def test_no_steady_place_is_accepted_with_the_safe_place_tonight_answer():
    answers = {**NO_NEEDS, "living_situation": "no_steady_place", "safe_place_tonight": False}
    assert accepts("assessment-social_needs", {"social_needs": answers})


def test_utilities_already_shut_off_requires_the_services_follow_up():
    answers = {**NO_NEEDS, "utilities": "already_shut_off"}
    assert not accepts("assessment-social_needs", {"social_needs": answers})


def test_utilities_already_shut_off_is_accepted_with_the_services_named():
    answers = {**NO_NEEDS, "utilities": "already_shut_off", "services_shut_off": ["electric", "water"]}
    assert accepts("assessment-social_needs", {"social_needs": answers})
