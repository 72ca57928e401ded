"""The evaluation stage (pathways/bpmn/evaluation.bpmn), started on its own with an agreed care plan.

A monthly review one month after the stage starts and one month after each review; continue and escalate (via
the physician's review) stay in the loop, adjust and discharge leave it. Behavioural health repeats the mood
screening every third review.
"""
from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from engine.care.task_forms import FormInvalid
from tests.engine.pathway_helpers import (
    CARE_MANAGER,
    PHYSICIAN,
    open_task,
    open_titles,
    phq9_answers,
    timer_rows,
    workflow_of,
)
from tests.pathways.library import deploy_stages
from tests.registry import register


def goal(goal_id, problem_id, description, status="active"):
    return {"id": goal_id, "problem_id": problem_id, "description": description, "measure": "HbA1c",
            "target": "below 7.5 %", "target_date": "2026-07-01", "status": status, "progress": []}


CARE_PLAN = {
    "status": "active", "version": 1, "agreed_on": "2026-01-02", "agreed_by": "patient",
    "problems": [{"id": "P1", "description": "Type 2 diabetes", "source": "condition"},
                 {"id": "P2", "description": "Depression", "source": "mood"}],
    "goals": [goal("G1", "P1", "Blood sugar under control"), goal("G2", "P2", "Mood improves"),
              goal("G3", "P1", "Eye exam done", status="met")],
    "interventions": [{"id": "I1", "description": "Monthly check-in call", "role": "care_manager",
                       "frequency": "monthly"}],
    "care_team": [{"role": "primary_care_provider", "name": "Dr Lee"}],
}
ON_TRACK = [{"goal_id": "G1", "status": "on_track"}, {"goal_id": "G2", "status": "on_track"}]
CONTINUE = {"goal_progress": ON_TRACK, "review_decision": "continue"}
ADJUST = {"goal_progress": ON_TRACK, "review_decision": "adjust", "adjustment_reason": "Add insulin"}
ESCALATE = {"goal_progress": [{"goal_id": "G1", "status": "at_risk", "note": "HbA1c 9.1"},
                              {"goal_id": "G2", "status": "on_track"}],
            "review_decision": "escalate", "escalation_reason": "HbA1c rising", "escalation_urgency": "routine"}
PHYSICIAN_CONTINUES = {"physician_reviewed_on": "2026-02-06", "physician_assessment": "Start insulin",
                       "physician_decision": "change_treatment", "treatment_changes": "Glargine 10 units"}
GAD7_NONE = {f"gad7_{i}": 0 for i in range(1, 8)}


def start(pathways, data=None):
    deploy_stages(pathways, "evaluation", "mood_screening")
    register(pathways, "MRN600")
    return pathways.start("evaluation", "MRN600", {"care_plan": CARE_PLAN, "program_code": "ccm"} | (data or {}))


@pytest.fixture
def evaluation(pathways):
    return start(pathways)


@pytest.fixture
def behavioural_health(pathways):
    intake = {"date": "2025-12-01", "phq9_total": 14, "phq9_severity": "moderate", "gad7_total": 6,
              "gad7_severity": "mild"}
    return start(pathways, {"program_code": "behavioural_health", "mood_screenings": [intake]})


def next_month(pathways, frozen_clock):
    frozen_clock.advance(days=31, seconds=1)  # a timer fires once its moment has passed
    pathways.run_due_timers()


def review(pathways, frozen_clock, instance_id, answers):
    next_month(pathways, frozen_clock)
    pathways.complete(open_task(pathways, instance_id, "Monthly review").id, answers, CARE_MANAGER)


def form_data(pathways, instance_id, title):
    row = open_task(pathways, instance_id, title)
    return dict(workflow_of(pathways, instance_id).get_task_from_id(UUID(row.task_uuid)).data)


def data_of(pathways, instance_id):
    return pathways.instance_data(instance_id)


def status(pathways, instance_id):
    return pathways.instance(instance_id).instance.status


def test_first_review_is_due_one_month_after_the_stage_starts(pathways, evaluation, frozen_clock):
    due = list(timer_rows(pathways, evaluation.id).values())
    assert (due, open_titles(pathways, evaluation.id)) == ([frozen_clock.now() + timedelta(days=31)], [])


def test_monthly_review_opens_for_the_care_manager(pathways, evaluation, frozen_clock):
    next_month(pathways, frozen_clock)
    task = open_task(pathways, evaluation.id, "Monthly review")
    assert (task.role, task.form_schema) == ("care_manager", "evaluation-monthly_review-schema.json")


def test_review_is_prefilled_with_one_row_per_active_goal(pathways, evaluation, frozen_clock):
    next_month(pathways, frozen_clock)
    rows = form_data(pathways, evaluation.id, "Monthly review")["goal_progress"]
    assert [(row["goal_id"], row["goal"]) for row in rows] == [("G1", "Blood sugar under control"),
                                                              ("G2", "Mood improves")]


def test_goal_at_risk_without_a_note_is_refused(pathways, evaluation, frozen_clock):
    next_month(pathways, frozen_clock)
    answers = {"goal_progress": [{"goal_id": "G1", "status": "at_risk"}], "review_decision": "continue"}
    with pytest.raises(FormInvalid):
        pathways.complete(open_task(pathways, evaluation.id, "Monthly review").id, answers, CARE_MANAGER)


def test_continue_waits_another_month_for_the_next_review(pathways, evaluation, frozen_clock):
    review(pathways, frozen_clock, evaluation.id, CONTINUE)
    frozen_clock.advance(days=27)
    pathways.run_due_timers()
    assert open_titles(pathways, evaluation.id) == []


def test_three_continues_then_adjust_leaves_the_stage_with_adjust(pathways, evaluation, frozen_clock):
    for _ in range(3):
        review(pathways, frozen_clock, evaluation.id, CONTINUE)
    review(pathways, frozen_clock, evaluation.id, ADJUST)
    data = data_of(pathways, evaluation.id)
    assert (status(pathways, evaluation.id), data["review_decision"], len(data["reviews"])) == (
        "completed", "adjust", 4)


def test_adjust_tells_planning_why(pathways, evaluation, frozen_clock):
    review(pathways, frozen_clock, evaluation.id, ADJUST)
    assert data_of(pathways, evaluation.id)["plan_adjustment_reason"] == "Add insulin"


def test_each_review_is_recorded_with_its_date_and_decision(pathways, evaluation, frozen_clock):
    review(pathways, frozen_clock, evaluation.id, CONTINUE | {"minutes_spent": 15})
    review(pathways, frozen_clock, evaluation.id, ADJUST)
    reviews = data_of(pathways, evaluation.id)["reviews"]
    assert [(r["number"], r["date"], r["minutes_spent"], r["decision"]) for r in reviews] == [
        (1, "2026-02-05", 15, "continue"), (2, "2026-03-08", 0, "adjust")]


def test_progress_is_written_into_the_care_plan_goals(pathways, evaluation, frozen_clock):
    review(pathways, frozen_clock, evaluation.id, CONTINUE)
    review(pathways, frozen_clock, evaluation.id, ESCALATE)
    g1 = data_of(pathways, evaluation.id)["care_plan"]["goals"][0]
    assert [(p["review"], p["status"], p["note"]) for p in g1["progress"]] == [
        (1, "on_track", ""), (2, "at_risk", "HbA1c 9.1")]


def test_met_goal_takes_the_status_met_and_leaves_the_review(pathways, evaluation, frozen_clock):
    review(pathways, frozen_clock, evaluation.id, {"goal_progress": [{"goal_id": "G1", "status": "met"},
                                                                     {"goal_id": "G2", "status": "on_track"}],
                                                   "review_decision": "continue"})
    next_month(pathways, frozen_clock)
    rows = form_data(pathways, evaluation.id, "Monthly review")["goal_progress"]
    assert (data_of(pathways, evaluation.id)["care_plan"]["goals"][0]["status"], [r["goal_id"] for r in rows]) == (
        "met", ["G2"])


def test_minutes_12_and_10_in_the_same_month_meet_99490(pathways, evaluation, frozen_clock):
    review(pathways, frozen_clock, evaluation.id, ESCALATE | {"minutes_spent": 12})
    pathways.complete(open_task(pathways, evaluation.id, "Escalated care review").id,
                      PHYSICIAN_CONTINUES | {"minutes_spent": 10}, PHYSICIAN)
    data = data_of(pathways, evaluation.id)
    assert (data["care_minutes"], data["cpt_99490_months"]) == ({"2026-02": 22}, ["2026-02"])


def test_minutes_already_recorded_this_month_count_with_the_review(pathways, frozen_clock):
    instance = start(pathways, {"care_minutes": {"2026-02": 12}})
    review(pathways, frozen_clock, instance.id, CONTINUE | {"minutes_spent": 10})
    assert data_of(pathways, instance.id)["cpt_99490_months"] == ["2026-02"]


def test_12_minutes_in_a_month_do_not_meet_99490(pathways, evaluation, frozen_clock):
    review(pathways, frozen_clock, evaluation.id, CONTINUE | {"minutes_spent": 12})
    assert data_of(pathways, evaluation.id)["cpt_99490_months"] == []


def test_review_shows_the_minutes_already_recorded_this_month(pathways, frozen_clock):
    instance = start(pathways, {"care_minutes": {"2026-02": 12}})
    next_month(pathways, frozen_clock)
    assert form_data(pathways, instance.id, "Monthly review")["care_minutes_this_month"] == 12


def test_escalate_opens_the_physicians_escalated_care_review(pathways, evaluation, frozen_clock):
    review(pathways, frozen_clock, evaluation.id, ESCALATE)
    task = open_task(pathways, evaluation.id, "Escalated care review")
    assert (task.role, task.priority_name) == ("physician", "high")


def test_escalated_review_shows_why(pathways, evaluation, frozen_clock):
    review(pathways, frozen_clock, evaluation.id, ESCALATE)
    summary = form_data(pathways, evaluation.id, "Escalated care review")["escalation_summary"]
    assert summary == "Review 1 on 2026-02-05: HbA1c rising (urgency: routine). Goals: G1 at risk."


def test_after_the_physicians_review_the_next_review_is_a_month_later(pathways, evaluation, frozen_clock):
    review(pathways, frozen_clock, evaluation.id, ESCALATE)
    pathways.complete(open_task(pathways, evaluation.id, "Escalated care review").id, PHYSICIAN_CONTINUES, PHYSICIAN)
    next_month(pathways, frozen_clock)
    assert open_titles(pathways, evaluation.id) == ["Monthly review"]


def test_physicians_review_is_kept_with_the_escalated_review(pathways, evaluation, frozen_clock):
    review(pathways, frozen_clock, evaluation.id, ESCALATE)
    pathways.complete(open_task(pathways, evaluation.id, "Escalated care review").id, PHYSICIAN_CONTINUES, PHYSICIAN)
    physician_review = data_of(pathways, evaluation.id)["reviews"][0]["physician_review"]
    assert (physician_review["decision"], physician_review["treatment_changes"]) == (
        "change_treatment", "Glargine 10 units")


def test_physician_asking_to_adjust_the_plan_leaves_with_adjust(pathways, evaluation, frozen_clock):
    review(pathways, frozen_clock, evaluation.id, ESCALATE)
    pathways.complete(open_task(pathways, evaluation.id, "Escalated care review").id,
                      {"physician_reviewed_on": "2026-02-06", "physician_assessment": "Goals unrealistic",
                       "physician_decision": "adjust_care_plan"}, PHYSICIAN)
    data = data_of(pathways, evaluation.id)
    assert (status(pathways, evaluation.id), data["review_decision"]) == ("completed", "adjust")


def test_discharge_leaves_the_stage_with_the_proposed_reason(pathways, evaluation, frozen_clock):
    review(pathways, frozen_clock, evaluation.id, {"goal_progress": ON_TRACK, "review_decision": "discharge",
                                                   "proposed_discharge_reason": "goals_met"})
    data = data_of(pathways, evaluation.id)
    assert (status(pathways, evaluation.id), data["review_decision"], data["proposed_discharge_reason"]) == (
        "completed", "discharge", "goals_met")


def test_ccm_third_review_has_no_mood_screening(pathways, evaluation, frozen_clock):
    for _ in range(2):
        review(pathways, frozen_clock, evaluation.id, CONTINUE)
    next_month(pathways, frozen_clock)
    assert open_titles(pathways, evaluation.id) == ["Monthly review"]


def test_behavioural_health_second_review_has_no_mood_screening(pathways, behavioural_health, frozen_clock):
    review(pathways, frozen_clock, behavioural_health.id, CONTINUE)
    next_month(pathways, frozen_clock)
    assert open_titles(pathways, behavioural_health.id) == ["Monthly review"]


def bh_third_review_screening(pathways, frozen_clock, instance_id, phq9_total):
    for _ in range(2):
        review(pathways, frozen_clock, instance_id, CONTINUE)
    next_month(pathways, frozen_clock)
    pathways.complete(open_task(pathways, instance_id, "PHQ-9 depression screen").id, phq9_answers(phq9_total),
                      CARE_MANAGER)
    pathways.complete(open_task(pathways, instance_id, "GAD-7 anxiety screen").id, GAD7_NONE, CARE_MANAGER)


def test_behavioural_health_third_review_repeats_the_mood_screening(pathways, behavioural_health, frozen_clock):
    for _ in range(2):
        review(pathways, frozen_clock, behavioural_health.id, CONTINUE)
    next_month(pathways, frozen_clock)
    assert open_titles(pathways, behavioural_health.id) == ["PHQ-9 depression screen"]


def test_screening_comes_before_the_third_review(pathways, behavioural_health, frozen_clock):
    bh_third_review_screening(pathways, frozen_clock, behavioural_health.id, 3)
    assert open_titles(pathways, behavioural_health.id) == ["Monthly review"]


def test_phq9_under_5_is_recorded_as_remission(pathways, behavioural_health, frozen_clock):
    bh_third_review_screening(pathways, frozen_clock, behavioural_health.id, 3)
    outcomes = data_of(pathways, behavioural_health.id)["bh_outcomes"]
    assert (outcomes["baseline_phq9"], outcomes["latest_phq9"], outcomes["remission"]) == (14, 3, True)


def test_phq9_halved_is_a_response_without_remission(pathways, behavioural_health, frozen_clock):
    bh_third_review_screening(pathways, frozen_clock, behavioural_health.id, 7)
    outcomes = data_of(pathways, behavioural_health.id)["bh_outcomes"]
    assert (outcomes["response"], outcomes["remission"], outcomes["change_percent"]) == (True, False, 50)


def test_phq9_down_less_than_half_is_no_response(pathways, behavioural_health, frozen_clock):
    bh_third_review_screening(pathways, frozen_clock, behavioural_health.id, 8)
    assert data_of(pathways, behavioural_health.id)["bh_outcomes"]["response"] is False


def test_third_review_shows_the_screening_result(pathways, behavioural_health, frozen_clock):
    bh_third_review_screening(pathways, frozen_clock, behavioural_health.id, 3)
    summary = form_data(pathways, behavioural_health.id, "Monthly review")["mood_summary"]
    assert summary.startswith("PHQ-9 3 (minimal)") and "remission" in summary


def test_third_review_records_the_phq9(pathways, behavioural_health, frozen_clock):
    bh_third_review_screening(pathways, frozen_clock, behavioural_health.id, 3)
    pathways.complete(open_task(pathways, behavioural_health.id, "Monthly review").id, CONTINUE, CARE_MANAGER)
    reviews = data_of(pathways, behavioural_health.id)["reviews"]
    assert [r.get("phq9_total") for r in reviews] == [None, None, 3]
