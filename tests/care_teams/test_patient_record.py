"""A patient's record over time: demographics edited with the old and new values audited, a program ended with a
reason (tasks closed, timers stopped), a hospital discharge recorded that starts TCM, and the care plan kept as
a record that pathways write and the care team updates between stages."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, TimerWait
from engine.service import (
    CarePlanInput,
    DischargeInput,
    Forbidden,
    InvalidInput,
    PatientInput,
    PatientInvalid,
)
from tests.care_teams.conftest import FIXTURES, actor

PLAN_KEEPER = Path(__file__).resolve().parent / "fixtures" / "care_plan"


def audited(service, action):
    with service.db.transaction() as s:
        return list(s.scalars(select(AuditEvent.details).where(AuditEvent.action == action)))


def ada(**changes) -> PatientInput:
    fields = dict(given_name="Ada", family_name="Lovelace", birth_date="1950-12-10", sex="female",
                  conditions=["COPD", "Diabetes"])
    return PatientInput(**(fields | changes))


# ------------------------------------------------------------------------------------------------ demographics
def test_editing_demographics_is_audited_with_the_old_and_new_values(teamed):
    teamed.update_patient("MRN-1", ada(phone="555-123-4567"), actor("carl"))
    assert audited(teamed, "patient_updated")[-1] == {"phone": {"before": None, "after": "555-123-4567"}}


def test_saving_unchanged_demographics_changes_nothing(teamed):
    assert teamed.update_patient("MRN-1", ada(), actor("carl")) == {}


def test_a_phone_number_that_is_not_one_is_refused_by_name(teamed):
    with pytest.raises(PatientInvalid) as refused:
        teamed.update_patient("MRN-1", ada(phone="call me maybe"), actor("carl"))
    assert "phone" in refused.value.errors


def test_a_phone_number_with_an_extension_is_taken(teamed):
    assert "phone" in teamed.update_patient("MRN-1", ada(phone="+1 (555) 123-4567 ext 12"), actor("carl"))


def test_the_mrn_does_not_change_with_the_demographics(teamed):
    teamed.update_patient("MRN-1", ada(mrn="OTHER", family_name="King"), actor("carl"))
    assert teamed.patient("MRN-1", actor("carl")).mrn == "MRN-1"


def test_demographics_are_edited_only_from_the_team(teamed):
    with pytest.raises(Forbidden):
        teamed.update_patient("MRN-1", ada(phone="555-123-4567"), actor("cora"))


# ------------------------------------------------------------------------------------------------ ending
@pytest.fixture
def contact(teamed):
    """MRN-1 in a TCM contact pathway: an open nurse task with a deadline timer."""
    teamed.deploy(FIXTURES / "bpmn" / "tcm_contact")
    return teamed.start("tcm_contact", "MRN-1", {"discharge_date": "2026-01-05"}, actor("carl"))


def test_ending_a_program_closes_its_open_tasks(contact, teamed):
    teamed.end_program(contact.id, "moved", actor("carl"), note="Moved to Ohio")
    assert [t.status for t in teamed.tasks(instance_id=contact.id, status=("open", "claimed", "cancelled"))] == [
        "cancelled"]


def test_ending_a_program_stops_its_timers(contact, teamed):
    teamed.end_program(contact.id, "deceased", actor("carl"))
    with teamed.db.transaction() as s:
        assert s.scalars(select(TimerWait).where(TimerWait.instance_id == contact.id)).all() == []


def test_the_reason_a_program_ended_is_on_the_patients_page(contact, teamed):
    teamed.end_program(contact.id, "declined", actor("carl"), note="Prefers her own doctor")
    assert teamed.patient_page("MRN-1", actor("carl")).record.end_reasons[contact.id] == (
        "Declined by the patient: Prefers her own doctor")


def test_a_program_ends_only_for_a_stated_reason(contact, teamed):
    with pytest.raises(InvalidInput, match="say why"):
        teamed.end_program(contact.id, "bored", actor("carl"))


# ------------------------------------------------------------------------------------------------ discharge
def discharge(day="2026-01-04", facility="General Hospital"):
    return DischargeInput(day, facility, "high", ["Heart failure exacerbation"], ["Furosemide 40 mg"])


def test_recording_a_discharge_starts_the_program_the_message_starts(teamed):
    teamed.deploy(FIXTURES / "bpmn" / "tcm_on_discharge")
    result = teamed.record_discharge("MRN-1", discharge(), actor("ned"))
    assert len(result.started) == 1 and teamed.instance(result.started[0]).instance.process_id == "tcm_on_discharge"


def test_the_discharge_reaches_the_program_as_a_feed_sends_it(teamed):
    teamed.deploy(FIXTURES / "bpmn" / "tcm_on_discharge")
    started = teamed.record_discharge("MRN-1", discharge(), actor("ned")).started[0]
    data = teamed.instance_data(started)
    assert (data["discharge_date"], data["medications"]) == ("2026-01-04", [{"name": "Furosemide", "dose": "40 mg"}])


def test_the_tcm_task_goes_to_the_teams_nurse(teamed):
    teamed.deploy(FIXTURES / "bpmn" / "tcm_on_discharge")
    started = teamed.record_discharge("MRN-1", discharge(), actor("carl")).started[0]
    assert teamed.tasks(instance_id=started)[0].assignee == "ned"


def test_a_discharge_in_the_future_is_refused(teamed):
    with pytest.raises(InvalidInput, match="future"):
        teamed.record_discharge("MRN-1", discharge(day="2026-02-01"), actor("ned"))


def test_a_discharge_without_a_facility_is_refused(teamed):
    with pytest.raises(InvalidInput, match="facility"):
        teamed.record_discharge("MRN-1", discharge(facility=" "), actor("ned"))


def test_recording_a_discharge_is_audited(teamed):
    teamed.deploy(FIXTURES / "bpmn" / "tcm_on_discharge")
    teamed.record_discharge("MRN-1", discharge(), actor("ned"))
    assert audited(teamed, "discharge_recorded")[0]["facility"] == "General Hospital"


# ------------------------------------------------------------------------------------------------ care plan
@pytest.fixture
def planned(teamed):
    teamed.deploy(PLAN_KEEPER)
    return teamed.start("plan_keeper", "MRN-1", None, actor("carl"))


def plan(service):
    return {(i.kind, i.item_key): i for i in service.patient_page("MRN-1", actor("carl")).record.plan}


def test_the_plan_a_pathway_writes_becomes_the_record(planned, teamed):
    items = plan(teamed)
    assert (items["goal", "G1"].target, items["intervention", "I1"].owner) == ("Home readings: below 140/90", "nurse")


def test_progress_a_pathway_records_reaches_the_record(planned, teamed):
    task = teamed.tasks(instance_id=planned.id)[0]
    teamed.complete(task.id, {}, actor("carl"))
    assert plan(teamed)["goal", "G1"].progress[-1]["status"] == "on_track"


def test_a_goal_the_care_team_adds_goes_into_the_programs_plan(planned, teamed):
    fields = CarePlanInput(kind="goal", description="Walk daily", target="Steps: 5000 a day", target_date="2026-03-01")
    row = teamed.add_care_plan_item("MRN-1", fields, actor("carl"), instance_id=planned.id)
    goals = teamed.current_data(planned.id)["care_plan"]["goals"]
    assert {"id": row.item_key, "description": "Walk daily", "target": "5000 a day"}.items() <= goals[-1].items()


def test_a_goal_the_care_team_added_survives_the_next_stage(planned, teamed):
    fields = CarePlanInput(kind="goal", description="Walk daily", target="Steps: 5000", target_date="2026-03-01")
    teamed.add_care_plan_item("MRN-1", fields, actor("carl"), instance_id=planned.id)
    teamed.complete(teamed.tasks(instance_id=planned.id)[0].id, {}, actor("carl"))
    keys = [g["id"] for g in teamed.current_data(planned.id)["care_plan"]["goals"]]
    assert len(keys) == 2


def test_updating_a_goal_records_progress_and_is_audited(planned, teamed):
    goal = plan(teamed)["goal", "G1"]
    teamed.update_care_plan_item("MRN-1", goal.id, CarePlanInput(status="at_risk", note="Readings high"),
                                 actor("ned"))
    assert plan(teamed)["goal", "G1"].progress[-1] | {"date": None} == {
        "date": None, "status": "at_risk", "note": "Readings high", "by": "ned"}
    assert audited(teamed, "care_plan_changed")[-1]["fields"] == {"status": {"before": "active", "after": "at_risk"}}


def test_a_barrier_across_programs_is_kept_without_a_program(teamed):
    teamed.add_care_plan_item("MRN-1", CarePlanInput(kind="barrier", description="No transport"), actor("carl"))
    (barrier,) = teamed.patient_page("MRN-1", actor("carl")).record.plan
    assert (barrier.kind, barrier.program, barrier.status) == ("barrier", None, "active")


def test_a_goal_without_a_target_date_is_refused(teamed):
    with pytest.raises(InvalidInput, match="target"):
        teamed.add_care_plan_item("MRN-1", CarePlanInput(kind="goal", description="Feel better"), actor("carl"))


def test_a_target_date_that_is_not_a_date_is_named(teamed):
    fields = CarePlanInput(kind="goal", description="Walk", target="5000 steps", target_date="soon")
    with pytest.raises(InvalidInput, match="target date 'soon'"):
        teamed.add_care_plan_item("MRN-1", fields, actor("carl"))


def test_the_care_plan_is_kept_only_by_the_team(teamed):
    with pytest.raises(Forbidden):
        teamed.add_care_plan_item("MRN-1", CarePlanInput(kind="barrier", description="Stairs"), actor("cora"))


def test_discharge_dates_are_dates(teamed):
    assert date.fromisoformat(discharge().discharge_date)
