"""Access follows the care team: members, their leads and admins read a record; anyone else with a clinical role
only by breaking the glass, which is recorded as its own audit event and lasts for the session or a set time."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from engine.service import AccessRefused, Forbidden, InvalidInput
from tests.care_teams.conftest import FIXTURES, actor


def events(service, action):
    with service.db.transaction() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_team_member_reads_the_patients_record(teamed):
    assert teamed.patient_page("MRN-1", actor("ned")).patient.id == "MRN-1"


def test_someone_outside_the_team_is_refused_and_offered_the_glass(teamed):
    with pytest.raises(AccessRefused) as refused:
        teamed.patient_page("MRN-1", actor("dana"))
    assert refused.value.may_break_glass and refused.value.patient_id == "MRN-1"


def test_a_refused_read_records_no_view_of_the_record(teamed):
    with pytest.raises(AccessRefused):
        teamed.patient_page("MRN-1", actor("dana"))
    assert [e for e in events(teamed, "patient_viewed") if e.actor == "dana"] == []


def test_a_care_manager_off_the_team_is_refused_once_the_patient_has_a_team(teamed):
    with pytest.raises(AccessRefused):
        teamed.patient("MRN-1", actor("cora"))


def test_a_patient_without_a_team_is_open_to_those_who_enrol_patients(care):
    assert care.patient("MRN-2", actor("cora")).id == "MRN-2"


def test_a_patient_without_a_team_is_closed_to_a_dietitian(care):
    with pytest.raises(AccessRefused):
        care.patient_page("MRN-2", actor("dana"))


def test_the_nurse_lead_reads_a_record_whose_team_has_a_nurse(teamed):
    assert teamed.patient_access("MRN-1", actor("lena")).why == "lead"


def test_the_nurse_lead_is_refused_where_the_team_has_no_nurse(care):
    care.join_care_team("MRN-2", "carl", "care_manager", "Enrolled", actor("carl"), lead=True)
    assert care.patient_access("MRN-2", actor("lena")) is None


def test_a_clinical_lead_and_an_admin_read_every_record(teamed):
    assert {teamed.patient_access("MRN-1", actor(n)).why for n in ("lead", "admin")} == {"lead", "admin"}


def test_someone_working_one_of_the_patients_tasks_reads_the_record(teamed):
    teamed.deploy(FIXTURES / "bpmn" / "review_loop")
    instance = teamed.start("review_loop", "MRN-1", None, actor("carl"))
    task = teamed.tasks(instance_id=instance.id)[0]
    teamed.assign(task.id, "nina", actor("carl"))
    assert teamed.patient_access("MRN-1", actor("nina")).why == "task"


def test_breaking_the_glass_opens_the_record(teamed):
    teamed.break_the_glass("MRN-1", "Covering for Ned, urgent call from the family", "1h", actor("dana"))
    assert teamed.patient_page("MRN-1", actor("dana")).access.broke_glass


def test_breaking_the_glass_is_its_own_audit_event_with_the_reason(teamed):
    teamed.break_the_glass("MRN-1", "Covering for Ned, urgent call from the family", "4h", actor("dana"))
    (event,) = events(teamed, "access_granted")
    assert (event.actor, event.patient_id, event.details["reason"]) == (
        "dana", "MRN-1", "Covering for Ned, urgent call from the family")


def test_a_glass_broken_for_an_hour_closes_after_it(teamed, frozen_clock):
    teamed.break_the_glass("MRN-1", "Covering for Ned this afternoon", "1h", actor("dana"))
    frozen_clock.advance(timedelta(minutes=61))
    with pytest.raises(AccessRefused):
        teamed.patient_page("MRN-1", actor("dana"))


def test_a_glass_broken_for_the_session_closes_when_it_ends(teamed):
    account = teamed.user("dana")
    token = teamed.open_session(account)
    teamed.break_the_glass("MRN-1", "Covering for Ned this afternoon", "session", actor("dana"), session_token=token)
    teamed.end_session(token)
    assert teamed.patient_access("MRN-1", actor("dana")) is None


def test_a_glass_for_the_session_needs_a_session(teamed):
    with pytest.raises(InvalidInput, match="session"):
        teamed.break_the_glass("MRN-1", "Covering for Ned this afternoon", "session", actor("dana"))


def test_breaking_the_glass_without_a_reason_is_refused(teamed):
    with pytest.raises(InvalidInput, match="say why"):
        teamed.break_the_glass("MRN-1", "  because ", "1h", actor("dana"))


def test_someone_without_a_clinical_role_cannot_break_the_glass(teamed):
    with pytest.raises(Forbidden):
        teamed.break_the_glass("MRN-1", "Just curious about this one", "1h", actor("nobody"))


def test_the_report_lists_each_broken_glass_with_the_reads_during_it(teamed):
    teamed.break_the_glass("MRN-1", "Covering for Ned this afternoon", "1h", actor("dana"))
    teamed.patient_page("MRN-1", actor("dana"))
    (row,) = teamed.access_report(actor("admin")).rows
    assert (row.grant.username, row.patient_name, row.reads) == ("dana", "Ada Lovelace", 1)


def test_the_report_counts_a_page_with_its_programs_as_one_read_and_a_task_page_as_another(teamed):
    teamed.deploy(FIXTURES / "bpmn" / "review_loop")
    instance = teamed.start("review_loop", "MRN-1", None, actor("carl"))
    teamed.break_the_glass("MRN-1", "Covering for Ned this afternoon", "1h", actor("nina"))
    teamed.patient_page("MRN-1", actor("nina"))  # reads the program's care plan too: part of the page
    teamed.task_context(teamed.tasks(instance_id=instance.id)[0].id, actor("nina"))
    (row,) = teamed.access_report(actor("admin")).rows
    assert row.reads == 2


def test_only_admins_and_privacy_officers_read_the_report(teamed):
    with pytest.raises(Forbidden):
        teamed.access_report(actor("lead"))


def test_instance_data_follows_the_team_too(teamed):
    teamed.deploy(FIXTURES / "bpmn" / "review_loop")
    instance = teamed.start("review_loop", "MRN-1", None, actor("carl"))
    with pytest.raises(AccessRefused):
        teamed.current_data(instance.id, viewer=actor("dana"))


def test_an_instance_list_leaves_out_patients_outside_the_viewers_teams(teamed):
    teamed.deploy(FIXTURES / "bpmn" / "review_loop")
    teamed.start("review_loop", "MRN-1", None, actor("carl"))
    assert teamed.instances(viewer=actor("dana")) == []


def test_the_patient_search_says_which_records_the_viewer_may_open(teamed):
    found = teamed.find_patients("", viewer=actor("cora"))
    assert set(found.access) == {"MRN-2"}
