"""The implementation stage (pathways/bpmn/implementation.bpmn), started on its own with an agreed care plan.

At once: appointments and specialist referrals (care manager), medication reconciliation (pharmacist) and, only
with positive social needs, community referrals (social worker); then reminders (CHW if on the care team, else
the care manager).
"""
from __future__ import annotations

from uuid import UUID

import pytest

from engine.care.actors import Actor
from engine.care.task_forms import FormInvalid
from tests.engine.pathway_helpers import (
    CARE_MANAGER,
    PHARMACIST,
    SOCIAL_WORKER,
    open_task,
    open_titles,
    workflow_of,
)
from tests.pathways.library import deploy_stages
from tests.registry import register

CHW = Actor.person("chris", "chw")
CARE_PLAN = {
    "status": "active", "version": 1, "agreed_on": "2026-01-06", "agreed_by": "patient",
    "problems": [{"id": "P1", "description": "Type 2 diabetes", "source": "condition"}],
    "goals": [{"id": "G1", "problem_id": "P1", "description": "Blood sugar under control", "measure": "HbA1c",
               "target": "below 7.5 %", "target_date": "2026-07-01", "status": "active", "progress": []}],
    "interventions": [{"id": "I1", "description": "Monthly check-in call", "role": "care_manager",
                       "frequency": "monthly"}],
    "care_team": [{"role": "primary_care_provider", "name": "Dr Lee"}, {"role": "care_manager", "name": "Carl"}],
}
MEDICATIONS = [
    {"name": "Metformin", "dose": "500 mg", "route": "oral", "frequency": "twice a day", "prescriber": "Dr Lee",
     "indication": "diabetes"},
    {"name": "Glibenclamide", "dose": "5 mg", "route": "oral", "frequency": "every morning", "prescriber": "Dr Lee",
     "indication": "diabetes"},
]
APPOINTMENTS = {  # the frozen clock starts on 2026-01-05
    "scheduled_appointments": [{"kind": "pcp_follow_up", "with_whom": "Dr Lee", "date": "2026-01-20",
                                "time": "10:30", "mode": "in_person"}],
    "specialist_referrals": [{"specialty": "ophthalmology", "to": "City Eye Clinic",
                              "reason": "Annual diabetic eye exam", "urgency": "routine"}],
}
RECONCILED = {
    "reconciled_medications": [
        {"name": "Metformin", "dose": "1000 mg", "frequency": "twice a day", "status": "changed"},
        {"name": "Glibenclamide", "dose": "5 mg", "status": "stopped"},
    ],
    "sources_reviewed": ["patient_interview", "pill_bottles"],
    "discrepancies_found": True,
    "discrepancies": [{"medication": "Glibenclamide", "type": "duplication", "resolution": "stopped by Dr Lee"}],
    "medication_changes": [{"medication": "Metformin", "change": "dose_changed", "authorised_by": "Dr Lee"},
                           {"medication": "Glibenclamide", "change": "stopped", "authorised_by": "Dr Lee"}],
    "patient_informed": True, "pcp_informed": True, "pcp_informed_on": "2026-01-07", "reconciled_on": "2026-01-07",
}
COMMUNITY = {"community_referrals": [
    {"domain": "food", "status": "referred", "to": "Eastside Food Bank", "reason": "Runs out of food",
     "method": "warm_handoff", "referred_on": "2026-01-07", "follow_up_on": "2026-01-21"},
    {"domain": "transportation", "status": "declined", "declined_reason": "Daughter drives"},
]}
REMINDERS = {"reminders_to_set": [{"about": "Dr Lee, primary care follow-up", "kind": "appointment", "recipient": "patient",
                                   "channel": "text_message", "start_on": "2026-01-19", "repeat": "once"}]}


def start(pathways, social_needs_positive, care_team=None):
    deploy_stages(pathways, "implementation")
    register(pathways, "MRN500")
    plan = CARE_PLAN | ({"care_team": care_team} if care_team else {})
    return pathways.start("implementation", "MRN500", {"care_plan": plan, "medications": MEDICATIONS,
                                                       "social_needs_positive": social_needs_positive})


@pytest.fixture
def without_social_needs(pathways):
    return start(pathways, [])


@pytest.fixture
def with_social_needs(pathways):
    return start(pathways, ["food", "transportation"])


def complete(pathways, instance_id, title, answers, actor):
    pathways.complete(open_task(pathways, instance_id, title).id, answers, actor)


def form_data(pathways, instance_id, title):
    row = open_task(pathways, instance_id, title)
    return dict(workflow_of(pathways, instance_id).get_task_from_id(UUID(row.task_uuid)).data)


def coordinate(pathways, instance_id, community=True):
    complete(pathways, instance_id, "Schedule appointments and specialist referrals", APPOINTMENTS, CARE_MANAGER)
    complete(pathways, instance_id, "Reconcile medications", RECONCILED, PHARMACIST)
    if community:
        complete(pathways, instance_id, "Refer to community resources", COMMUNITY, SOCIAL_WORKER)


def implement(pathways, instance_id, community=True):
    coordinate(pathways, instance_id, community)
    complete(pathways, instance_id, "Set reminders", REMINDERS, CARE_MANAGER)
    return pathways.instance_data(instance_id)


def test_without_social_needs_there_is_no_community_referral(pathways, without_social_needs):
    assert sorted(open_titles(pathways, without_social_needs.id)) == [
        "Reconcile medications", "Schedule appointments and specialist referrals"]


def test_social_needs_open_community_referrals_for_the_social_worker(pathways, with_social_needs):
    assert open_task(pathways, with_social_needs.id, "Refer to community resources").role == "social_worker"


def test_community_referrals_are_prefilled_one_per_positive_domain(pathways, with_social_needs):
    rows = form_data(pathways, with_social_needs.id, "Refer to community resources")["community_referrals"]
    assert rows == [{"domain": "food"}, {"domain": "transportation"}]


def test_medication_reconciliation_is_the_pharmacists(pathways, without_social_needs):
    assert open_task(pathways, without_social_needs.id, "Reconcile medications").role == "pharmacist"


def test_reconciliation_is_prefilled_with_the_medication_list(pathways, without_social_needs):
    rows = form_data(pathways, without_social_needs.id, "Reconcile medications")["reconciled_medications"]
    assert [(m["name"], m["status"]) for m in rows] == [("Metformin", "continue"), ("Glibenclamide", "continue")]


def test_discrepancies_found_without_listing_them_is_refused(pathways, without_social_needs):
    answers = {name: value for name, value in RECONCILED.items() if name != "discrepancies"}
    with pytest.raises(FormInvalid):
        complete(pathways, without_social_needs.id, "Reconcile medications", answers, PHARMACIST)


def test_no_appointment_without_a_reason_is_refused(pathways, without_social_needs):
    with pytest.raises(FormInvalid):
        complete(pathways, without_social_needs.id, "Schedule appointments and specialist referrals",
                 {"scheduled_appointments": [], "specialist_referrals": []}, CARE_MANAGER)


def test_reminders_wait_for_every_opened_branch(pathways, with_social_needs):
    complete(pathways, with_social_needs.id, "Schedule appointments and specialist referrals", APPOINTMENTS,
             CARE_MANAGER)
    complete(pathways, with_social_needs.id, "Reconcile medications", RECONCILED, PHARMACIST)
    assert open_titles(pathways, with_social_needs.id) == ["Refer to community resources"]


def test_reminders_go_to_the_care_manager_without_a_chw(pathways, without_social_needs):
    coordinate(pathways, without_social_needs.id, community=False)
    assert open_task(pathways, without_social_needs.id, "Set reminders").role == "care_manager"


def test_reminders_go_to_the_chw_on_the_care_team(pathways):
    instance = start(pathways, [], CARE_PLAN["care_team"] + [{"role": "chw", "name": "Chris"}])
    coordinate(pathways, instance.id, community=False)
    assert open_task(pathways, instance.id, "Set reminders").role == "chw"


def test_reminders_are_suggested_for_appointments_changes_and_follow_ups(pathways, with_social_needs):
    coordinate(pathways, with_social_needs.id)
    rows = form_data(pathways, with_social_needs.id, "Set reminders")["reminders_to_set"]
    assert [(r["kind"], r["start_on"]) for r in rows if r["kind"] != "medication"] == [
        ("appointment", "2026-01-19"), ("referral", "2026-01-21")]


def test_specialist_and_community_referrals_are_recorded(pathways, with_social_needs):
    referrals = implement(pathways, with_social_needs.id)["referrals"]
    assert [(r["kind"], r["to"], r["domain"], r["status"]) for r in referrals] == [
        ("specialist", "City Eye Clinic", None, "referred"),
        ("community", "Eastside Food Bank", "food", "referred"),
        ("community", None, "transportation", "declined")]


def test_without_social_needs_only_specialist_referrals_are_recorded(pathways, without_social_needs):
    referrals = implement(pathways, without_social_needs.id, community=False)["referrals"]
    assert [r["kind"] for r in referrals] == ["specialist"]


def test_appointments_are_recorded_with_the_plan_version(pathways, without_social_needs):
    appointments = implement(pathways, without_social_needs.id, community=False)["appointments"]
    assert [(a["with_whom"], a["date"], a["care_plan_version"]) for a in appointments] == [
        ("Dr Lee", "2026-01-20", 1)]


def test_medication_reconciliation_is_recorded(pathways, without_social_needs):
    reconciliation = implement(pathways, without_social_needs.id, community=False)["medication_reconciliation"]
    assert (reconciliation["discrepancies_found"], len(reconciliation["changes"]), reconciliation["patient_informed"],
            reconciliation["pcp_informed_on"]) == (True, 2, True, "2026-01-07")


def test_reconciled_list_replaces_the_medications_without_stopped_ones(pathways, without_social_needs):
    medications = implement(pathways, without_social_needs.id, community=False)["medications"]
    assert [(m["name"], m["dose"]) for m in medications] == [("Metformin", "1000 mg")]


def test_reminders_are_recorded(pathways, without_social_needs):
    data = implement(pathways, without_social_needs.id, community=False)
    assert [(r["channel"], r["set_by"]) for r in data["reminders"]] == [("text_message", "care_manager")]


def test_implementation_completes_without_working_names(pathways, with_social_needs):
    data = implement(pathways, with_social_needs.id)
    assert pathways.instance(with_social_needs.id).instance.status == "completed"
    assert not [name for name in data if name.startswith("implementation_") or name in (
        "scheduled_appointments", "community_referrals", "reconciled_medications", "reminders_to_set")]


def test_minutes_of_every_branch_count_towards_care_minutes(pathways, with_social_needs):
    complete(pathways, with_social_needs.id, "Schedule appointments and specialist referrals",
             APPOINTMENTS | {"minutes_spent": 10}, CARE_MANAGER)
    complete(pathways, with_social_needs.id, "Reconcile medications", RECONCILED | {"minutes_spent": 20},
             PHARMACIST)
    complete(pathways, with_social_needs.id, "Refer to community resources", COMMUNITY | {"minutes_spent": 15},
             SOCIAL_WORKER)
    complete(pathways, with_social_needs.id, "Set reminders", REMINDERS | {"minutes_spent": 5}, CARE_MANAGER)
    assert sum(pathways.instance_data(with_social_needs.id)["care_minutes"].values()) == 50
