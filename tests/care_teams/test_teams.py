"""A care team per patient: memberships with a start, an end and a reason (audited, FHIR CareTeam shaped), set at
a program's start, and tasks routed to the team member holding their role."""
from __future__ import annotations

from datetime import timedelta

import pytest
from fhir.resources.R4B.careteam import CareTeam  # R4B: CareTeam as in R4, which /fhir/R4 serves
from sqlalchemy import select

from engine.models import AuditEvent
from engine.service import Conflict, InvalidInput
from tests.care_teams.conftest import FIXTURES, actor


def test_a_membership_keeps_its_role_start_and_reason(teamed):
    (pia,) = [m for m in teamed.care_team("MRN-1", actor("carl")).members if m.username == "pia"]
    assert (pia.role, pia.reason, pia.started_at is not None, pia.ended_at) == (
        "pharmacist", "Medication review", True, None)


def test_joining_the_team_is_audited_on_the_patients_history(teamed):
    with teamed.db.transaction() as s:
        joined = s.scalars(select(AuditEvent.details).where(AuditEvent.action == "care_team_joined",
                                                            AuditEvent.patient_id == "MRN-1")).all()
    assert {"member": "pia", "role": "pharmacist", "lead": False, "reason": "Medication review"} in joined


def test_a_colleague_without_the_role_cannot_join_in_it(care):
    with pytest.raises(InvalidInput, match="does not hold the pharmacist role"):
        care.join_care_team("MRN-1", "sam", "pharmacist", "Medication review", actor("carl"))


def test_a_role_that_is_not_a_team_role_is_refused(care):
    with pytest.raises(InvalidInput, match="not a care team role"):
        care.join_care_team("MRN-1", "lena", "nurse_lead", "Oversight", actor("carl"))


def test_joining_twice_in_the_same_role_is_refused(teamed):
    with pytest.raises(Conflict, match="already on the care team"):
        teamed.join_care_team("MRN-1", "pia", "pharmacist", "Again", actor("carl"))


def test_a_membership_needs_a_reason(care):
    with pytest.raises(InvalidInput, match="reason"):
        care.join_care_team("MRN-1", "pia", "pharmacist", "  ", actor("carl"))


def test_a_new_lead_care_manager_ends_the_previous_leads_membership(teamed):
    teamed.join_care_team("MRN-1", "cora", "care_manager", "Carl moved team", actor("carl"), lead=True)
    team = teamed.care_team("MRN-1", actor("cora"))
    assert team.lead.username == "cora" and [m.username for m in team.past] == ["carl"]


def test_ending_a_membership_keeps_it_with_the_reason(teamed):
    team = teamed.care_team("MRN-1", actor("carl"))
    (pia,) = [m for m in team.members if m.username == "pia"]
    teamed.leave_care_team("MRN-1", pia.id, "Review done", actor("carl"))
    (ended,) = teamed.care_team("MRN-1", actor("carl")).past
    assert (ended.username, ended.end_reason) == ("pia", "Review done")


def test_leaving_ends_the_access_that_came_with_the_team(teamed):
    (pia,) = [m for m in teamed.care_team("MRN-1", actor("carl")).members if m.username == "pia"]
    teamed.leave_care_team("MRN-1", pia.id, "Review done", actor("carl"))
    assert teamed.patient_access("MRN-1", actor("pia")) is None


def test_a_team_is_changed_only_by_care_managers_and_leads(teamed):
    with pytest.raises(Exception, match="roles do not allow"):
        teamed.join_care_team("MRN-1", "sam", "social_worker", "Housing", actor("ned"))


def test_the_team_is_a_valid_fhir_care_team(teamed):
    resource = CareTeam.model_validate(teamed.care_team("MRN-1", actor("carl")).to_fhir())
    assert resource.subject.reference == "Patient/MRN-1" and len(resource.participant) == 3


def test_the_fhir_team_names_the_lead_and_each_memberships_period_and_reason(teamed, frozen_clock):
    (pia,) = [m for m in teamed.care_team("MRN-1", actor("carl")).members if m.username == "pia"]
    frozen_clock.advance(timedelta(days=3))
    teamed.leave_care_team("MRN-1", pia.id, "Review done", actor("carl"))
    fhir = teamed.care_team("MRN-1", actor("carl")).to_fhir()
    lead = next(p for p in fhir["participant"] if p["member"]["reference"] == "Practitioner/carl")
    gone = next(p for p in fhir["participant"] if p["member"]["reference"] == "Practitioner/pia")
    assert any(c["code"] == "lead-care-manager" for c in lead["role"][0]["coding"])
    assert "end" in gone["period"] and gone["extension"][0]["valueString"] == "Medication review"


# ------------------------------------------------------------------------------------------------ routing
def test_a_task_for_a_role_goes_to_the_team_member_holding_it(teamed):
    teamed.deploy(FIXTURES / "bpmn" / "tcm_contact")
    instance = teamed.start("tcm_contact", "MRN-1", {"discharge_date": "2026-01-05"}, actor("carl"))
    (task,) = teamed.tasks(instance_id=instance.id)
    assert (task.role, task.assignee, task.status) == ("nurse", "ned", "claimed")


def test_a_task_for_a_role_nobody_on_the_team_holds_waits_in_its_queue(teamed):
    teamed.deploy(FIXTURES / "bpmn" / "parallel_care")
    instance = teamed.start("care_plan_setup", "MRN-1", None, actor("carl"))
    routed = {t.role: t.assignee for t in teamed.tasks(instance_id=instance.id)}
    assert routed == {"pharmacist": "pia", "social_worker": None}


def test_without_a_team_every_task_waits_in_its_queue(care):
    care.deploy(FIXTURES / "bpmn" / "tcm_contact")
    instance = care.start("tcm_contact", "MRN-2", {"discharge_date": "2026-01-05"}, actor("carl"))
    assert [t.assignee for t in care.tasks(instance_id=instance.id)] == [None]


def test_a_disabled_member_gets_no_task_its_queue_does(teamed):
    teamed.set_active("ned", False, actor("admin"))
    teamed.deploy(FIXTURES / "bpmn" / "tcm_contact")
    instance = teamed.start("tcm_contact", "MRN-1", {"discharge_date": "2026-01-05"}, actor("carl"))
    assert [t.assignee for t in teamed.tasks(instance_id=instance.id)] == [None]


def test_routing_a_task_is_audited_as_an_assignment_by_the_care_team(teamed):
    teamed.deploy(FIXTURES / "bpmn" / "tcm_contact")
    instance = teamed.start("tcm_contact", "MRN-1", {"discharge_date": "2026-01-05"}, actor("carl"))
    with teamed.db.transaction() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "assigned",
                                                  AuditEvent.instance_id == instance.id))
    assert (event.actor, event.details["assignee"]) == ("care team", "ned")


def test_the_lead_care_manager_gets_the_care_manager_tasks(teamed):
    teamed.join_care_team("MRN-1", "nina", "care_manager", "Second care manager", actor("carl"))
    teamed.deploy(FIXTURES / "bpmn" / "review_loop")
    instance = teamed.start("review_loop", "MRN-1", None, actor("nina"))
    assert teamed.tasks(instance_id=instance.id)[0].assignee == "carl"


# ------------------------------------------------------------------------------------------------ at the start
def test_a_program_started_with_a_team_sets_it_before_its_first_task(care):
    care.deploy(FIXTURES / "bpmn" / "review_loop")
    instance = care.start_program("MRN-2", "review_loop", actor("carl"), team={"lead": "cora", "nurse": "ned"})
    team = care.care_team("MRN-2", actor("cora"))
    assert team.lead.username == "cora" and care.tasks(instance_id=instance.id)[0].assignee == "cora"


def test_the_reason_a_member_joined_at_the_start_names_the_program(care):
    care.deploy(FIXTURES / "bpmn" / "review_loop")
    care.start_program("MRN-2", "review_loop", actor("carl"), team={"lead": "carl"})
    assert care.care_team("MRN-2", actor("carl")).lead.reason == "Monthly review loop: lead care manager"


def test_a_program_start_keeps_a_member_already_on_the_team(teamed):
    teamed.deploy(FIXTURES / "bpmn" / "review_loop")
    teamed.start_program("MRN-1", "review_loop", actor("carl"), team={"lead": "carl", "nurse": "ned"})
    assert len(teamed.care_team("MRN-1", actor("carl")).members) == 3


def test_the_shipped_programs_name_the_roles_they_want_on_the_team(care):
    care.deploy(FIXTURES.parents[1] / "pathways")
    named = {n.role: n.reason for n in care.team_roles_of("ccm")}
    assert named == {"pharmacist": "medication review", "social_worker": "social needs"}
