"""The mood screening stage (pathways/bpmn/mood_screening.bpmn), started on its own and walked through the
engine service with scripted answers: PHQ-9, then GAD-7; item 9 above 0 opens an urgent safety assessment at
once; PHQ-9 20+ or GAD-7 15+ opens a severe symptoms review; the scores land in the data."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.care.actors import Actor
from engine.models.inbox import PRIORITIES
from engine.time import clock
from tests.engine.pathway_helpers import phq9_answers
from tests.pathways.library import deploy_stages
from tests.registry import register

CARE_MANAGER = Actor.person("carl", "care_manager")
PHYSICIAN = Actor.person("phil", "physician")
PHQ9, GAD7 = "PHQ-9 depression screen", "GAD-7 anxiety screen"
SAFETY, SEVERE = "Safety assessment (PHQ-9 item 9)", "Severe symptoms review"
SAFETY_ANSWERS = {"safety_risk_level": "low", "safety_next_step": "safety_plan_follow_up",
                  "safety_plan": "Safety plan made; call back tomorrow", "crisis_resources_given": True}
SEVERE_ANSWERS = {"severe_review_decision": "start_treatment", "severe_review_plan": "Start an SSRI; PHQ-9 in 4 weeks"}


def phq9_with_item9(total: int, item9: int) -> dict:
    """PHQ-9 answers adding up to `total`, with item 9 answered `item9`."""
    answers = phq9_answers(total - item9)
    assert answers["phq9_9"] == 0
    return {**answers, "phq9_9": item9}


def gad7_answers(total: int) -> dict:
    return {f"gad7_{item}": min(3, max(0, total - 3 * (item - 1))) for item in range(1, 8)}


def open_titles(pathways, instance_id):
    return sorted(t.title for t in pathways.tasks(instance_id=instance_id))


def open_task(pathways, instance_id, title):
    tasks = [t for t in pathways.tasks(instance_id=instance_id) if t.title == title]
    assert len(tasks) == 1, open_titles(pathways, instance_id)
    return tasks[0]


def complete(pathways, instance_id, title, answers, actor=CARE_MANAGER):
    pathways.complete(open_task(pathways, instance_id, title).id, answers, actor)


@pytest.fixture
def screen(pathways):
    """screen(phq9=..., gad7=..., start data...) -> instance id, after the PHQ-9 (and the GAD-7 if given)."""
    deploy_stages(pathways, "mood_screening")
    register(pathways, "MRN300")

    def run(phq9: dict, gad7: dict | None = None, **start_data) -> int:
        instance_id = pathways.start("mood_screening", "MRN300", start_data).id
        complete(pathways, instance_id, PHQ9, phq9)
        if gad7 is not None:
            complete(pathways, instance_id, GAD7, gad7)
        return instance_id

    return run


def status(pathways, instance_id):
    return pathways.instance(instance_id).instance.status


def test_screening_starts_with_the_phq9_for_the_care_manager(pathways):
    deploy_stages(pathways, "mood_screening")
    register(pathways, "MRN300")
    instance_id = pathways.start("mood_screening", "MRN300").id
    assert [(t.title, t.role) for t in pathways.tasks(instance_id=instance_id)] == [(PHQ9, "care_manager")]


def test_item_9_above_0_opens_the_safety_assessment_at_once_even_with_a_low_total(screen, pathways):
    instance_id = screen(phq9_with_item9(total=1, item9=1))
    assert open_titles(pathways, instance_id) == sorted([GAD7, SAFETY])


def test_safety_assessment_is_for_the_physician(screen, pathways):
    instance_id = screen(phq9_with_item9(total=3, item9=3))
    assert open_task(pathways, instance_id, SAFETY).role == "physician"


def test_safety_assessment_is_urgent(screen, pathways):
    instance_id = screen(phq9_with_item9(total=3, item9=3))
    assert open_task(pathways, instance_id, SAFETY).priority == PRIORITIES["urgent"]


def test_safety_assessment_is_due_within_4_hours(screen, pathways, frozen_clock):
    instance_id = screen(phq9_with_item9(total=3, item9=3))
    assert open_task(pathways, instance_id, SAFETY).due_at == frozen_clock.now() + timedelta(hours=4)


def test_item_9_at_0_opens_no_safety_assessment(screen, pathways):
    instance_id = screen(phq9_answers(19))
    assert open_titles(pathways, instance_id) == [GAD7]


def test_phq9_total_of_20_opens_the_severe_symptoms_review(screen, pathways):
    instance_id = screen(phq9_answers(20), gad7_answers(0))
    assert open_titles(pathways, instance_id) == [SEVERE]


def test_gad7_total_of_15_opens_the_severe_symptoms_review(screen, pathways):
    instance_id = screen(phq9_answers(0), gad7_answers(15))
    assert open_titles(pathways, instance_id) == [SEVERE]


def test_severe_symptoms_review_is_for_the_physician(screen, pathways):
    instance_id = screen(phq9_answers(20), gad7_answers(0))
    assert open_task(pathways, instance_id, SEVERE).role == "physician"


def test_scores_just_below_both_severe_cut_offs_open_no_review(screen, pathways):
    instance_id = screen(phq9_answers(19), gad7_answers(14))
    assert status(pathways, instance_id) == "completed"


def test_mild_screen_opens_no_physician_task(screen, pathways):
    instance_id = screen(phq9_answers(7), gad7_answers(6))
    assert [t.role for t in pathways.instance(instance_id).tasks] == ["care_manager", "care_manager"]


def test_mild_screen_ends_the_stage_after_the_gad7(screen, pathways):
    instance_id = screen(phq9_answers(7), gad7_answers(6))
    assert status(pathways, instance_id) == "completed"


def test_totals_and_severities_land_in_the_data(screen, pathways):
    instance_id = screen(phq9_answers(12), gad7_answers(6))
    data = pathways.instance_data(instance_id)
    assert {k: data[k] for k in ("phq9_total", "phq9_severity", "gad7_total", "gad7_severity")} == {
        "phq9_total": 12, "phq9_severity": "moderate", "gad7_total": 6, "gad7_severity": "mild"}


def test_safety_concern_is_false_when_item_9_is_0(screen, pathways):
    instance_id = screen(phq9_answers(7), gad7_answers(6))
    assert pathways.instance_data(instance_id)["safety_concern"] is False


def test_safety_concern_is_true_when_item_9_is_above_0(screen, pathways):
    instance_id = screen(phq9_with_item9(total=2, item9=1), gad7_answers(2))
    complete(pathways, instance_id, SAFETY, SAFETY_ANSWERS, PHYSICIAN)
    assert pathways.instance_data(instance_id)["safety_concern"] is True


def test_screening_is_appended_to_mood_screenings(screen, pathways):
    instance_id = screen(phq9_answers(22), gad7_answers(16))
    complete(pathways, instance_id, SEVERE, SEVERE_ANSWERS, PHYSICIAN)
    assert pathways.instance_data(instance_id)["mood_screenings"] == [{
        "date": clock.now().date().isoformat(), "phq9_total": 22, "phq9_severity": "severe", "gad7_total": 16,
        "gad7_severity": "severe"}]


def test_minutes_spent_are_added_to_this_months_care_minutes(screen, pathways):
    month = clock.now().date().isoformat()[:7]
    instance_id = screen({**phq9_answers(3), "minutes_spent": 15}, gad7_answers(2), care_minutes={month: 20})
    assert pathways.instance_data(instance_id)["care_minutes"] == {month: 35}


def test_stage_waits_for_the_safety_assessment_after_the_gad7(screen, pathways):
    instance_id = screen(phq9_with_item9(total=2, item9=1), gad7_answers(2))
    assert open_titles(pathways, instance_id) == [SAFETY]


def test_stage_ends_when_the_safety_assessment_is_done(screen, pathways):
    instance_id = screen(phq9_with_item9(total=2, item9=1), gad7_answers(2))
    complete(pathways, instance_id, SAFETY, SAFETY_ANSWERS, PHYSICIAN)
    assert status(pathways, instance_id) == "completed"


def test_safety_assessment_answers_are_kept_in_the_data(screen, pathways):
    instance_id = screen(phq9_with_item9(total=2, item9=1), gad7_answers(2))
    complete(pathways, instance_id, SAFETY, SAFETY_ANSWERS, PHYSICIAN)
    data = pathways.instance_data(instance_id)
    assert {k: data[k] for k in SAFETY_ANSWERS} == SAFETY_ANSWERS


# A repeat screening (behavioural health screens every 3 months): the data already holds the last one.
EARLIER = {"mood_screenings": [{"date": "2025-10-01", "phq9_total": 18, "phq9_severity": "moderately_severe",
                                "gad7_total": 12, "gad7_severity": "moderate"}],
           "phq9_total": 18, "gad7_total": 12, "gad7_severity": "moderate", "safety_risk_level": "high",
           "severe_review_decision": "refer_psychiatry"}
ORDERS = {"safety-last": [(GAD7, gad7_answers(4), CARE_MANAGER), (SAFETY, SAFETY_ANSWERS, PHYSICIAN)],
          "gad7-last": [(SAFETY, SAFETY_ANSWERS, PHYSICIAN), (GAD7, gad7_answers(4), CARE_MANAGER)]}


def repeat_screening(screen, pathways, order) -> dict:
    instance_id = screen(phq9_with_item9(total=6, item9=1), **EARLIER)
    for title, answers, actor in ORDERS[order]:
        complete(pathways, instance_id, title, answers, actor)
    return pathways.instance_data(instance_id)


@pytest.mark.parametrize("order", ORDERS)
def test_repeat_screening_keeps_the_earlier_screening_in_mood_screenings(screen, pathways, order):
    data = repeat_screening(screen, pathways, order)
    assert [s["phq9_total"] for s in data["mood_screenings"]] == [18, 6]


@pytest.mark.parametrize("order", ORDERS)
def test_repeat_screening_keeps_this_screenings_gad7_whichever_branch_ends_last(screen, pathways, order):
    data = repeat_screening(screen, pathways, order)
    assert (data["gad7_total"], data["gad7_severity"]) == (4, "minimal")


@pytest.mark.parametrize("order", ORDERS)
def test_repeat_screening_keeps_this_screenings_safety_assessment(screen, pathways, order):
    data = repeat_screening(screen, pathways, order)
    assert data["safety_risk_level"] == "low"


def test_repeat_screening_forgets_the_earlier_physician_review(screen, pathways):
    data = repeat_screening(screen, pathways, "safety-last")
    assert "severe_review_decision" not in data
