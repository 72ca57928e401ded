"""Diabetes management (pathways/bpmn/diabetes.bpmn): the care stages, with lab results watched alongside.

Once the patient is engaged, the stages run (assessment, planning, implementation, evaluation, discharge) and a
monitoring branch waits for lab_result messages: an HbA1c above the target (7.0 % unless the start data sets
one) opens "HbA1c above target: plan review" for the care manager. The monitoring ends with the program.

The results live in the program's data object hba1c_results, not in the monitoring branch's task data, so the
discharge stage on the main branch gets them: the hand-off summary to primary care gives the latest HbA1c and
the earlier ones with their plan reviews.
"""
from __future__ import annotations

import pytest

from tests.pathways.answers import (
    BY_ROLE,
    GOALS_MET,
    HAND_OFF,
    LDL_CHOLESTEROL,
    PLAN_REVIEWED,
    assess,
    discharge,
    engage,
    hba1c,
    implement,
    month_later,
    monthly_review,
    plan,
    review,
)
from tests.registry import register

PLAN_REVIEW = "HbA1c above target: plan review"


def enrolled(team, patient="MRN200", **start_data):
    register(team.pathways, patient)
    instance_id = team.pathways.start("diabetes", patient, start_data).id
    engage(team, instance_id)
    return instance_id


@pytest.fixture
def diabetes(team):
    return enrolled(team)


def lab(team, patient, payload):
    return team.pathways.correlate("lab_result", {"patient_id": patient}, payload)


def plan_reviews(team, instance_id):
    return [title for title in team.titles(instance_id) if title == PLAN_REVIEW]


def test_set_up_records_the_program_and_the_default_target(team):
    register(team.pathways, "MRN200")
    instance_id = team.pathways.start("diabetes", "MRN200").id
    data = team.data(instance_id)
    assert (data["program_code"], data["program_name"], data["hba1c_target"]) == (
        "diabetes", "Diabetes management", 7.0)


def test_lab_results_are_awaited_once_the_patient_is_engaged(team, diabetes):
    assert [m.message_name for m in team.pathways.instance(diabetes).messages] == ["lab_result"]


def test_care_stages_go_on_beside_the_monitoring(team, diabetes):
    assert "Medical history and conditions" in team.titles(diabetes)


def test_hba1c_above_target_opens_a_plan_review(team, diabetes):
    lab(team, "MRN200", hba1c(8.2))
    task = team.task(diabetes, PLAN_REVIEW)
    assert (task.role, task.priority_name) == ("care_manager", "high")


def test_hba1c_at_target_opens_no_plan_review(team, diabetes):
    lab(team, "MRN200", hba1c(6.5))
    assert plan_reviews(team, diabetes) == []


def test_hba1c_is_recorded_with_the_results(team, diabetes):
    lab(team, "MRN200", hba1c(6.5))
    assert team.data(diabetes)["hba1c_results"] == [
        {"date": "2026-01-20", "value": 6.5, "unit": "%", "above_target": False}]


def test_hba1c_in_mmol_per_mol_is_read_as_percent(team, diabetes):
    lab(team, "MRN200", hba1c(66, unit="mmol/mol"))  # 66 mmol/mol is 8.2 %
    assert (team.data(diabetes)["latest_hba1c"]["value"], plan_reviews(team, diabetes)) == (8.2, [PLAN_REVIEW])


def test_individual_target_is_respected(team):
    instance_id = enrolled(team, hba1c_target=8.0)
    lab(team, "MRN200", hba1c(7.8))
    assert plan_reviews(team, instance_id) == []


def test_other_lab_results_open_nothing(team, diabetes):
    lab(team, "MRN200", LDL_CHOLESTEROL)
    assert plan_reviews(team, diabetes) == []


def test_monitoring_keeps_listening_after_a_result(team, diabetes):
    lab(team, "MRN200", hba1c(6.5))
    assert [m.message_name for m in team.pathways.instance(diabetes).messages] == ["lab_result"]


def test_open_plan_review_does_not_block_the_next_result(team, diabetes):
    lab(team, "MRN200", hba1c(8.2, on="2026-01-20"))
    lab(team, "MRN200", hba1c(8.6, on="2026-04-20"))
    assert plan_reviews(team, diabetes) == [PLAN_REVIEW, PLAN_REVIEW]


def test_plan_review_is_done_by_the_care_manager(team, diabetes):
    lab(team, "MRN200", hba1c(8.2))
    team.do(diabetes, PLAN_REVIEW, PLAN_REVIEWED)
    assert plan_reviews(team, diabetes) == []


def test_results_for_another_patient_never_reach_this_one(team, diabetes):
    other = enrolled(team, patient="MRN201")
    result = lab(team, "MRN201", hba1c(9.4))
    assert (result.delivered, plan_reviews(team, diabetes), plan_reviews(team, other)) == (
        [other], [], [PLAN_REVIEW])


def test_results_before_engagement_reach_nobody(team):
    register(team.pathways, "MRN202")
    instance_id = team.pathways.start("diabetes", "MRN202").id
    assert not lab(team, "MRN202", hba1c(9.4)).matched
    assert plan_reviews(team, instance_id) == []


def test_monitoring_stops_when_the_program_ends(team, frozen_clock, diabetes):
    lab(team, "MRN200", hba1c(8.2))  # a plan review still open at discharge is closed with the program
    assess(team, diabetes)
    plan(team, diabetes)
    implement(team, diabetes)
    review(team, frozen_clock, diabetes, "discharge", status="met")
    discharge(team, diabetes)
    view = team.pathways.instance(diabetes)
    assert (view.instance.status, view.messages, team.titles(diabetes)) == ("completed", [], [])
    assert not lab(team, "MRN200", hba1c(9.9)).matched


def test_results_arriving_in_any_order_are_kept_by_date(team, diabetes):
    lab(team, "MRN200", hba1c(7.4, on="2026-04-20"))
    lab(team, "MRN200", hba1c(8.2, on="2026-01-20"))  # sent late by the lab
    lab(team, "MRN200", hba1c(7.3, on="2026-04-20"))  # a corrected result replaces the day's
    assert [(r["date"], r["value"]) for r in team.data(diabetes)["hba1c_results"]] == [
        ("2026-01-20", 8.2), ("2026-04-20", 7.3)]


def test_plan_review_is_kept_with_its_result(team, diabetes):
    lab(team, "MRN200", hba1c(8.2, on="2026-01-20"))
    lab(team, "MRN200", hba1c(8.6, on="2026-04-20"))  # arrives while the first review is still open
    first = [t for t in team.pathways.tasks(instance_id=diabetes, sort="created") if t.title == PLAN_REVIEW][0]
    team.pathways.complete(first.id, PLAN_REVIEWED, BY_ROLE["care_manager"])  # the review of 8.2
    results = team.data(diabetes)["hba1c_results"]
    assert [(r["value"], "plan_review" in r) for r in results] == [(8.2, True), (8.6, False)]
    assert results[0]["plan_review"]["actions"] == ["adherence_support", "physician_medication_review"]


# ------------------------------------------------------------------ the results reach the discharge stage
def today(clock) -> str:
    return clock.now().date().isoformat()


def test_discharge_summary_gives_the_latest_hba1c_and_the_earlier_ones(team, frozen_clock, diabetes):
    first = today(frozen_clock)
    lab(team, "MRN200", hba1c(8.2, on=first))
    team.do(diabetes, PLAN_REVIEW, PLAN_REVIEWED)
    assess(team, diabetes)
    plan(team, diabetes)
    implement(team, diabetes)
    review(team, frozen_clock, diabetes, "continue")
    month_later(team, frozen_clock)
    latest = today(frozen_clock)
    lab(team, "MRN200", hba1c(7.1, on=latest))
    team.do(diabetes, "Monthly review", monthly_review("discharge", status="met"))
    team.do(diabetes, "Discharge review", GOALS_MET)

    hand_off = team.form_data(diabetes, "Hand-off summary to primary care")
    assert hand_off["latest_hba1c"] == {"date": latest, "value": 7.1, "unit": "%"}
    assert [(r["date"], r["value"]) for r in hand_off["hba1c_results"]] == [(first, 8.2), (latest, 7.1)]
    summary = hand_off["handoff_summary"]
    assert f"Latest: 7.1 % on {latest} (target 7.0 %)." in summary
    assert f"Earlier: 8.2 % on {first}." in summary
    assert f"Plan reviewed on {first} for 8.2 % ({first}): adherence support, physician medication review." in summary

    team.do(diabetes, "Hand-off summary to primary care", HAND_OFF)
    assert team.status(diabetes) == "completed"
    monitoring = team.data(diabetes)["discharge"]["monitoring"]
    assert (monitoring["as_of"], monitoring["latest_hba1c"]) == (latest, {"date": latest, "value": 7.1, "unit": "%"})
    assert [r["value"] for r in monitoring["hba1c_results"]] == [8.2, 7.1]


def test_discharge_summary_says_when_no_hba1c_came(team, frozen_clock, diabetes):
    assess(team, diabetes)
    plan(team, diabetes)
    implement(team, diabetes)
    review(team, frozen_clock, diabetes, "discharge", status="met")
    team.do(diabetes, "Discharge review", GOALS_MET)
    hand_off = team.form_data(diabetes, "Hand-off summary to primary care")
    began = today(frozen_clock)
    assert (f"HbA1c results: none received during the program (as recorded on {began}, when the discharge began)."
            in hand_off["handoff_summary"])
    assert "latest_hba1c" not in hand_off
