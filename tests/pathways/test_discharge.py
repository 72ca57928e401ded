"""The discharge stage (pathways/bpmn/discharge.bpmn), started on its own with a care plan and its reviews.

The care manager's discharge review, the nurse's hand-off summary to primary care (none when the patient died),
then the care plan and the program close.
"""
from __future__ import annotations

from uuid import UUID

import pytest

from engine.care.task_forms import FormInvalid
from tests.engine.pathway_helpers import CARE_MANAGER, NURSE, open_task, open_titles, workflow_of
from tests.pathways.library import deploy_stages
from tests.registry import register

CARE_PLAN = {
    "status": "active", "version": 2, "agreed_on": "2026-01-06", "agreed_by": "patient",
    "problems": [{"id": "P1", "description": "Type 2 diabetes", "source": "condition"}],
    "goals": [{"id": "G1", "problem_id": "P1", "description": "Blood sugar under control", "measure": "HbA1c",
               "target": "below 7.5 %", "target_date": "2026-07-01", "status": "met",
               "progress": [{"date": "2026-06-05", "review": 5, "status": "met", "note": "HbA1c 7.1"}]}],
    "interventions": [{"id": "I1", "description": "Monthly check-in call", "role": "care_manager",
                       "frequency": "monthly"}],
    "care_team": [{"role": "primary_care_provider", "name": "Dr Lee"}, {"role": "care_manager", "name": "Carl"}],
}
REVIEWS = [{"number": 5, "date": "2026-06-05", "goal_progress": [{"goal_id": "G1", "status": "met", "note": ""}],
            "minutes_spent": 20, "decision": "discharge", "proposed_discharge_reason": "goals_met"}]
GOALS_MET = {"discharge_reason": "goals_met", "discharge_criteria_met": True, "discharge_date": "2026-06-10"}
DECEASED = {"discharge_reason": "deceased", "discharge_criteria_met": False, "discharge_date": "2026-06-10",
            "date_of_death": "2026-06-08", "pcp_notified_of_death": True}
HAND_OFF = {"handoff_summary": "Goals met; HbA1c 7.1.", "pcp_name": "Dr Lee", "handoff_sent_on": "2026-06-11",
            "handoff_method": "direct_message"}


@pytest.fixture
def discharge(pathways):
    deploy_stages(pathways, "discharge")
    register(pathways, "MRN700")
    return pathways.start("discharge", "MRN700", {
        "care_plan": CARE_PLAN, "reviews": REVIEWS, "review_decision": "discharge",
        "proposed_discharge_reason": "goals_met", "program_status": "active", "program_name": "Chronic Care Management",
        "medications": [{"name": "Metformin", "dose": "1000 mg", "frequency": "twice a day"}]})


def complete(pathways, instance_id, title, answers, actor):
    pathways.complete(open_task(pathways, instance_id, title).id, answers, actor)


def form_data(pathways, instance_id, title):
    row = open_task(pathways, instance_id, title)
    return dict(workflow_of(pathways, instance_id).get_task_from_id(UUID(row.task_uuid)).data)


def discharge_with_goals_met(pathways, instance_id):
    complete(pathways, instance_id, "Discharge review", GOALS_MET, CARE_MANAGER)
    complete(pathways, instance_id, "Hand-off summary to primary care", HAND_OFF, NURSE)
    return pathways.instance_data(instance_id)


def test_discharge_review_waits_for_the_care_manager(pathways, discharge):
    task = open_task(pathways, discharge.id, "Discharge review")
    assert (task.role, task.form_schema) == ("care_manager", "discharge-discharge_review-schema.json")


def test_discharge_review_is_prefilled_with_the_proposed_reason(pathways, discharge):
    assert form_data(pathways, discharge.id, "Discharge review")["discharge_reason"] == "goals_met"


def test_discharge_review_shows_the_goals(pathways, discharge):
    summary = form_data(pathways, discharge.id, "Discharge review")["goals_summary"]
    assert summary == "G1. Blood sugar under control (HbA1c: below 7.5 % by 2026-07-01): met; last review 2026-06-05: met"


def test_goals_met_without_the_criteria_met_is_refused(pathways, discharge):
    with pytest.raises(FormInvalid):
        complete(pathways, discharge.id, "Discharge review", GOALS_MET | {"discharge_criteria_met": False},
                 CARE_MANAGER)


def test_deceased_without_a_date_of_death_is_refused(pathways, discharge):
    answers = {name: value for name, value in DECEASED.items() if name != "date_of_death"}
    with pytest.raises(FormInvalid):
        complete(pathways, discharge.id, "Discharge review", answers, CARE_MANAGER)


def test_hand_off_summary_goes_to_the_nurse(pathways, discharge):
    complete(pathways, discharge.id, "Discharge review", GOALS_MET, CARE_MANAGER)
    assert open_task(pathways, discharge.id, "Hand-off summary to primary care").role == "nurse"


def test_hand_off_summary_is_prefilled_from_the_care_plan_and_reviews(pathways, discharge):
    complete(pathways, discharge.id, "Discharge review", GOALS_MET, CARE_MANAGER)
    summary = form_data(pathways, discharge.id, "Hand-off summary to primary care")["handoff_summary"]
    assert all(line in summary.splitlines() for line in [
        "Discharged on 2026-06-10: goals met.", "   G1. Blood sugar under control (HbA1c: below 7.5 %): met",
        "Monthly reviews: 1, the last on 2026-06-05.", "   Metformin 1000 mg twice a day"])


def test_hand_off_is_addressed_to_the_primary_care_provider_of_the_care_team(pathways, discharge):
    complete(pathways, discharge.id, "Discharge review", GOALS_MET, CARE_MANAGER)
    assert form_data(pathways, discharge.id, "Hand-off summary to primary care")["pcp_name"] == "Dr Lee"


def test_discharge_closes_the_care_plan(pathways, discharge):
    plan = discharge_with_goals_met(pathways, discharge.id)["care_plan"]
    assert (plan["status"], plan["closed_on"]) == ("closed", "2026-06-10")


def test_discharge_closes_the_program_with_its_reason(pathways, discharge):
    data = discharge_with_goals_met(pathways, discharge.id)
    assert (pathways.instance(discharge.id).instance.status, data["program_status"], data["program_end_reason"]) == (
        "completed", "closed", "goals_met")


def test_discharge_record_has_the_hand_off(pathways, discharge):
    record = discharge_with_goals_met(pathways, discharge.id)["discharge"]
    assert record == {"reason": "goals_met", "criteria_met": True, "date": "2026-06-10",
                      "summary": "Goals met; HbA1c 7.1.", "pcp_name": "Dr Lee", "sent_to_pcp_on": "2026-06-11",
                      "method": "direct_message"}


def test_discharge_leaves_no_form_names(pathways, discharge):
    data = discharge_with_goals_met(pathways, discharge.id)
    assert not {"discharge_reason", "handoff_summary", "pcp_name", "goals_summary", "proposed_discharge_reason"} & set(
        data)


def test_deceased_skips_the_hand_off(pathways, discharge):
    complete(pathways, discharge.id, "Discharge review", DECEASED, CARE_MANAGER)
    assert (open_titles(pathways, discharge.id), pathways.instance(discharge.id).instance.status) == (
        [], "completed")


def test_deceased_closes_the_program_with_the_date_of_death(pathways, discharge):
    complete(pathways, discharge.id, "Discharge review", DECEASED, CARE_MANAGER)
    data = pathways.instance_data(discharge.id)
    assert (data["program_end_reason"], data["care_plan"]["status"], data["discharge"]["date_of_death"],
            data["discharge"]["summary"]) == ("deceased", "closed", "2026-06-08", None)


def test_transfer_is_handed_off_with_the_receiving_team(pathways, discharge):
    complete(pathways, discharge.id, "Discharge review", {"discharge_reason": "transferred",
                                                          "discharge_criteria_met": False,
                                                          "discharge_date": "2026-06-10",
                                                          "transferred_to": "Sunrise Hospice"}, CARE_MANAGER)
    complete(pathways, discharge.id, "Hand-off summary to primary care", HAND_OFF | {"also_sent_to": "Sunrise Hospice"},
             NURSE)
    data = pathways.instance_data(discharge.id)
    assert (data["program_end_reason"], data["discharge"]["transferred_to"]) == ("transferred", "Sunrise Hospice")


# ------------------------------------------------------------------ monitoring results a program passes in
HBA1C_RESULTS = [
    {"date": "2026-01-20", "value": 8.2, "unit": "%", "above_target": True,
     "plan_review": {"patient_contacted": True, "actions": ["adherence_support"], "reviewed_on": "2026-01-22"}},
    {"date": "2026-04-20", "value": 7.1, "unit": "%", "above_target": True}]
WEIGHTS = [{"date": "2026-06-01", "kg": 80.0}, {"date": "2026-06-02", "kg": 80.4}]
WEIGHT_ALERTS = [{"date": "2026-05-10", "weight_kg": 83.1, "gain_kg": 2.4, "window_days": 3, "status": "called",
                  "called_on": "2026-05-10", "call": {"reached": False, "action": "call_again"}}]


def start_with(pathways, **monitoring):
    deploy_stages(pathways, "discharge")
    register(pathways, "MRN701")
    return pathways.start("discharge", "MRN701", {
        "care_plan": CARE_PLAN, "reviews": REVIEWS, "proposed_discharge_reason": "goals_met",
        "program_status": "active", "program_name": "Diabetes management", **monitoring}).id


def test_hand_off_summary_gives_the_hba1c_results(pathways):
    instance_id = start_with(pathways, hba1c_results=HBA1C_RESULTS, hba1c_target=7.0)
    complete(pathways, instance_id, "Discharge review", GOALS_MET, CARE_MANAGER)
    data = form_data(pathways, instance_id, "Hand-off summary to primary care")
    assert data["latest_hba1c"] == {"date": "2026-04-20", "value": 7.1, "unit": "%"}
    lines = data["handoff_summary"].splitlines()
    start = lines.index("HbA1c results (as recorded on 2026-01-05, when the discharge began):")
    assert lines[start:start + 4] == [
        "HbA1c results (as recorded on 2026-01-05, when the discharge began):",
        "   Latest: 7.1 % on 2026-04-20 (target 7.0 %).",
        "   Earlier: 8.2 % on 2026-01-20.",
        "   Plan reviewed on 2026-01-22 for 8.2 % (2026-01-20): adherence support."]


def test_hand_off_summary_gives_the_weights_and_alerts(pathways):
    instance_id = start_with(pathways, weights=WEIGHTS, weight_alerts=WEIGHT_ALERTS)
    complete(pathways, instance_id, "Discharge review", GOALS_MET, CARE_MANAGER)
    summary = form_data(pathways, instance_id, "Hand-off summary to primary care")["handoff_summary"]
    assert all(line in summary.splitlines() for line in [
        "Weights (as recorded on 2026-01-05, when the discharge began), in kg, 2026-06-01 to 2026-06-02: "
        "80.0 (06-01), 80.4 (06-02).",
        "   Latest: 80.4 kg on 2026-06-02.",
        "Weight gain alerts:",
        "   2026-05-10: 83.1 kg, up 2.4 kg within 3 days; patient not reached on 2026-05-10, action: call again."])


def test_discharge_record_keeps_the_monitoring_results(pathways):
    instance_id = start_with(pathways, hba1c_results=HBA1C_RESULTS)
    record = discharge_with_goals_met(pathways, instance_id)["discharge"]
    assert record["monitoring"] == {"as_of": "2026-01-05", "hba1c_results": HBA1C_RESULTS,
                                    "latest_hba1c": {"date": "2026-04-20", "value": 7.1, "unit": "%"}}


def test_deceased_keeps_the_monitoring_results_too(pathways):
    instance_id = start_with(pathways, weights=WEIGHTS, weight_alerts=[])
    complete(pathways, instance_id, "Discharge review", DECEASED, CARE_MANAGER)
    assert pathways.instance_data(instance_id)["discharge"]["monitoring"] == {
        "as_of": "2026-01-05", "weights": WEIGHTS, "weight_alerts": []}


def test_no_monitoring_no_results_in_the_summary(pathways, discharge):
    complete(pathways, discharge.id, "Discharge review", GOALS_MET, CARE_MANAGER)
    data = form_data(pathways, discharge.id, "Hand-off summary to primary care")
    assert not [line for line in data["handoff_summary"].splitlines()
                if line.startswith(("HbA1c results", "Weights", "Weight gain alerts"))]
    assert "latest_hba1c" not in data
