"""The planning stage (pathways/bpmn/planning.bpmn), started on its own with the assessment's data.

The care manager drafts the care plan (problems with their goals, interventions, care team); a script builds the
structured care_plan; the patient agrees to it or asks for changes, which go back to drafting.
"""
from __future__ import annotations

from uuid import UUID

import pytest

from engine.care.task_forms import FormInvalid
from tests.engine.pathway_helpers import CARE_MANAGER, open_task, open_titles, workflow_of
from tests.pathways.library import deploy_library, deploy_stages
from tests.registry import register

ASSESSED = {
    "conditions": [{"name": "Type 2 diabetes", "icd10_code": "E11.9", "status": "active", "lasting_12_months": True},
                   {"name": "Heart failure", "status": "controlled", "lasting_12_months": True},
                   {"name": "Appendicitis", "status": "resolved", "lasting_12_months": False}],
    "medical_history": {"primary_care_provider": "Dr Lee"},
    "social_needs_positive": ["food"],
    "phq9_total": 12,
    "phq9_severity": "moderate",
}
DRAFT = {
    "plan_problems": [
        {"description": "Type 2 diabetes", "source": "condition", "goals": [
            {"description": "Blood sugar under control", "measure": "HbA1c", "target": "below 7.5 %",
             "target_date": "2026-07-01"}]},
        {"description": "Food insecurity", "source": "social_need", "goals": [
            {"description": "Enough food every week", "measure": "Food bank visits", "target": "weekly",
             "target_date": "2026-03-01"},
            {"description": "Enrolled in SNAP", "measure": "SNAP enrolment", "target": "enrolled",
             "target_date": "2026-04-01"}]},
    ],
    "plan_interventions": [
        {"description": "Monthly check-in call", "role": "care_manager", "frequency": "monthly"},
        {"description": "Food bank referral", "role": "social_worker", "frequency": "once"},
    ],
    "plan_care_team": [{"role": "primary_care_provider", "name": "Dr Lee"},
                       {"role": "care_manager", "name": "Carl Jones"}],
}
AGREED = {"plan_review_outcome": "agrees", "agreed_by": "patient", "agreed_on": "2026-01-06",
          "plan_copy_method": "in_person"}
CHANGES = {"plan_review_outcome": "changes_requested", "requested_changes": "Walking instead of the gym"}


@pytest.fixture
def planning(pathways):
    deploy_stages(pathways, "planning")
    register(pathways, "MRN400")
    return pathways.start("planning", "MRN400", ASSESSED)


def complete(pathways, instance_id, title, answers):
    pathways.complete(open_task(pathways, instance_id, title).id, answers, CARE_MANAGER)


def form_data(pathways, instance_id, title):
    row = open_task(pathways, instance_id, title)
    return dict(workflow_of(pathways, instance_id).get_task_from_id(UUID(row.task_uuid)).data)


def agree_first_plan(pathways, instance_id):
    complete(pathways, instance_id, "Draft the care plan", DRAFT)
    complete(pathways, instance_id, "Review plan with patient", AGREED)
    return pathways.instance_data(instance_id)["care_plan"]


def test_planning_deploys_with_the_whole_library(pathways):
    assert "planning" in {process["id"] for process in deploy_library(pathways).processes}


def test_drafting_waits_for_the_care_manager(pathways, planning):
    task = open_task(pathways, planning.id, "Draft the care plan")
    assert (task.role, task.form_schema) == ("care_manager", "planning-draft_care_plan-schema.json")


def test_draft_suggests_problems_from_the_assessment(pathways, planning):
    problems = form_data(pathways, planning.id, "Draft the care plan")["plan_problems"]
    assert [p["description"] for p in problems] == [
        "Type 2 diabetes (E11.9)", "Heart failure", "Depression (PHQ-9 12, moderate)", "Food insecurity"]


def test_draft_starts_the_care_team_with_the_primary_care_provider(pathways, planning):
    team = form_data(pathways, planning.id, "Draft the care plan")["plan_care_team"]
    assert team == [{"role": "primary_care_provider", "name": "Dr Lee"}]


def test_problem_without_a_goal_is_refused(pathways, planning):
    draft = DRAFT | {"plan_problems": [{"description": "Heart failure", "source": "condition", "goals": []}]}
    with pytest.raises(FormInvalid):
        complete(pathways, planning.id, "Draft the care plan", draft)


def test_goal_without_a_target_date_is_refused(pathways, planning):
    goal = {"description": "Walk daily", "measure": "Minutes walked", "target": "30 a day"}
    draft = DRAFT | {"plan_problems": [{"description": "Heart failure", "source": "condition", "goals": [goal]}]}
    with pytest.raises(FormInvalid):
        complete(pathways, planning.id, "Draft the care plan", draft)


def test_draft_opens_the_review_with_the_patient(pathways, planning):
    complete(pathways, planning.id, "Draft the care plan", DRAFT)
    assert open_titles(pathways, planning.id) == ["Review plan with patient"]


def test_review_shows_the_plan_as_text(pathways, planning):
    complete(pathways, planning.id, "Draft the care plan", DRAFT)
    summary = form_data(pathways, planning.id, "Review plan with patient")["care_plan_summary"]
    assert "Goal G1: Blood sugar under control (HbA1c: below 7.5 % by 2026-07-01)" in summary


def test_agreed_plan_gives_ids_to_problems_goals_and_interventions(pathways, planning):
    plan = agree_first_plan(pathways, planning.id)
    assert ([p["id"] for p in plan["problems"]], [g["id"] for g in plan["goals"]],
            [i["id"] for i in plan["interventions"]]) == (["P1", "P2"], ["G1", "G2", "G3"], ["I1", "I2"])


def test_agreed_plan_links_each_goal_to_its_problem(pathways, planning):
    plan = agree_first_plan(pathways, planning.id)
    assert [(g["id"], g["problem_id"]) for g in plan["goals"]] == [("G1", "P1"), ("G2", "P2"), ("G3", "P2")]


def test_agreed_plan_has_the_contract_shape(pathways, planning):
    plan = agree_first_plan(pathways, planning.id)
    assert plan["goals"][0] == {"id": "G1", "problem_id": "P1", "description": "Blood sugar under control",
                                "measure": "HbA1c", "target": "below 7.5 %", "target_date": "2026-07-01",
                                "status": "active", "progress": []}
    assert plan["interventions"][1] == {"id": "I2", "description": "Food bank referral", "role": "social_worker",
                                        "frequency": "once"}
    assert plan["care_team"][1] == {"role": "care_manager", "name": "Carl Jones"}


def test_agreed_plan_is_active_version_1_with_the_agreement(pathways, planning):
    plan = agree_first_plan(pathways, planning.id)
    assert (plan["status"], plan["version"], plan["agreed_on"], plan["agreed_by"]) == (
        "active", 1, "2026-01-06", "patient")


def test_agreement_completes_the_stage_without_drafting_names(pathways, planning):
    agree_first_plan(pathways, planning.id)
    data = pathways.instance_data(planning.id)
    assert pathways.instance(planning.id).instance.status == "completed"
    assert not {"plan_problems", "plan_interventions", "care_plan_summary", "plan_review_outcome"} & set(data)


def test_patient_asking_for_changes_goes_back_to_drafting(pathways, planning):
    complete(pathways, planning.id, "Draft the care plan", DRAFT)
    complete(pathways, planning.id, "Review plan with patient", CHANGES)
    assert open_titles(pathways, planning.id) == ["Draft the care plan"]


def test_redraft_shows_the_changes_the_patient_asked_for(pathways, planning):
    complete(pathways, planning.id, "Draft the care plan", DRAFT)
    complete(pathways, planning.id, "Review plan with patient", CHANGES)
    assert form_data(pathways, planning.id, "Draft the care plan")["patient_requested_changes"] == (
        "Walking instead of the gym")


def test_redraft_keeps_the_ids_given_to_the_first_draft(pathways, planning):
    complete(pathways, planning.id, "Draft the care plan", DRAFT)
    complete(pathways, planning.id, "Review plan with patient", CHANGES)
    problems = form_data(pathways, planning.id, "Draft the care plan")["plan_problems"]
    assert [(p["id"], [g["id"] for g in p["goals"]]) for p in problems] == [("P1", ["G1"]), ("P2", ["G2", "G3"])]


def test_plan_agreed_after_changes_is_still_version_1(pathways, planning):
    complete(pathways, planning.id, "Draft the care plan", DRAFT)
    complete(pathways, planning.id, "Review plan with patient", CHANGES)
    redraft = form_data(pathways, planning.id, "Draft the care plan")
    complete(pathways, planning.id, "Draft the care plan", {
        name: redraft[name] for name in ("plan_problems", "plan_interventions", "plan_care_team")})
    complete(pathways, planning.id, "Review plan with patient", AGREED)
    plan = pathways.instance_data(planning.id)["care_plan"]
    assert (plan["version"], plan["change_requests"][0]["changes"]) == (1, "Walking instead of the gym")


def test_minutes_spent_drafting_count_towards_care_minutes(pathways, planning):
    complete(pathways, planning.id, "Draft the care plan", DRAFT | {"minutes_spent": 25})
    complete(pathways, planning.id, "Review plan with patient", AGREED | {"minutes_spent": 10})
    assert sum(pathways.instance_data(planning.id)["care_minutes"].values()) == 35


# ---------------------------------------------------------------------------------------- re-planning

CURRENT_PLAN = {
    "status": "active", "version": 2, "agreed_on": "2026-01-06", "agreed_by": "patient",
    "problems": [{"id": "P1", "description": "Type 2 diabetes", "source": "condition"},
                 {"id": "P2", "description": "Food insecurity", "source": "social_need"}],
    "goals": [
        {"id": "G1", "problem_id": "P1", "description": "Blood sugar under control", "measure": "HbA1c",
         "target": "below 7.5 %", "target_date": "2026-07-01", "status": "active",
         "progress": [{"date": "2026-02-05", "status": "at_risk", "note": "HbA1c 8.4"}]},
        {"id": "G2", "problem_id": "P2", "description": "Enough food every week", "measure": "Food bank visits",
         "target": "weekly", "target_date": "2026-03-01", "status": "met",
         "progress": [{"date": "2026-02-05", "status": "met", "note": ""}]},
    ],
    "interventions": [{"id": "I1", "description": "Monthly check-in call", "role": "care_manager",
                       "frequency": "monthly"}],
    "care_team": [{"role": "primary_care_provider", "name": "Dr Lee"}],
}


@pytest.fixture
def replanning(pathways):
    deploy_stages(pathways, "planning")
    register(pathways, "MRN401")
    return pathways.start("planning", "MRN401", {"care_plan": CURRENT_PLAN,
                                                 "plan_adjustment_reason": "HbA1c rising despite metformin"})


def replan(pathways, instance_id, new_goal):
    draft = form_data(pathways, instance_id, "Draft the care plan")
    draft["plan_problems"][0]["goals"].append(new_goal)
    complete(pathways, instance_id, "Draft the care plan", {
        name: draft[name] for name in ("plan_problems", "plan_interventions", "plan_care_team")})
    complete(pathways, instance_id, "Review plan with patient", AGREED)
    return pathways.instance_data(instance_id)["care_plan"]


NEW_GOAL = {"description": "Check blood sugar daily", "measure": "Days logged", "target": "7 a week",
            "target_date": "2026-04-01"}


def test_replanning_starts_from_the_current_plan(pathways, replanning):
    draft = form_data(pathways, replanning.id, "Draft the care plan")
    assert [(p["id"], [g["id"] for g in p["goals"]]) for p in draft["plan_problems"]] == [
        ("P1", ["G1"]), ("P2", ["G2"])]


def test_replanning_shows_why_the_plan_is_adjusted(pathways, replanning):
    assert form_data(pathways, replanning.id, "Draft the care plan")["replan_reason"] == (
        "HbA1c rising despite metformin")


def test_replanning_increments_the_version(pathways, replanning):
    assert replan(pathways, replanning.id, NEW_GOAL)["version"] == 3


def test_replanning_keeps_goal_status_and_progress(pathways, replanning):
    goals = {g["id"]: g for g in replan(pathways, replanning.id, NEW_GOAL)["goals"]}
    assert (goals["G1"]["progress"], goals["G2"]["status"]) == (CURRENT_PLAN["goals"][0]["progress"], "met")


def test_replanning_gives_a_new_goal_the_next_id(pathways, replanning):
    goals = {g["id"]: g for g in replan(pathways, replanning.id, NEW_GOAL)["goals"]}
    assert (goals["G3"]["description"], goals["G3"]["status"], goals["G3"]["progress"]) == (
        "Check blood sugar daily", "active", [])
