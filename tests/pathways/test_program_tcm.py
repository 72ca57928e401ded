"""Transitional Care Management (pathways/bpmn/tcm.bpmn), started by the hospital's discharge message.

The patient goes home on Friday 4 September 2026, the Friday before Labor Day: the interactive contact is due
by the end of Wednesday 9 September (Saturday, Sunday and the holiday do not count), the face-to-face visit by
11 September (high complexity, 7 days) or 18 September (moderate, 14 days), and the 30-day period ends on
3 October (discharge day plus 29 days).
"""
from __future__ import annotations

import pytest

from engine.models import TaskStatus
from tests.pathways.answers import (
    MISSED_CONTACT_FOLLOWED_UP,
    at,
    contact_made,
    contact_not_reached,
    hospital_discharge,
    medicines_reconciled,
    missed_visit,
    visit,
)
from tests.registry import register

pytestmark = pytest.mark.dates  # `make test` runs these again at other dates

FRIDAY_BEFORE_LABOR_DAY = "2026-09-04"
CONTACT = "Interactive contact (2 business days)"
MISSED_CONTACT = "Missed TCM contact: follow up"
MED_REC = "Medication reconciliation"
VISIT = "Face-to-face visit"
MISSED_VISIT = "Missed face-to-face visit: follow up"
LATE_VISIT = "Face-to-face visit (after the deadline)"


def discharged(team, frozen_clock, complexity="high", patient="MRN500"):
    """The hospital's message arrives on discharge day; returns the TCM instance it started."""
    frozen_clock.set(at(f"{FRIDAY_BEFORE_LABOR_DAY}T15:00"))
    register(team.pathways, patient)
    result = team.pathways.correlate("hospital_discharge", {"patient_id": patient},
                                     hospital_discharge(FRIDAY_BEFORE_LABOR_DAY, complexity))
    assert len(result.started) == 1
    return result.started[0]


def at_time(team, frozen_clock, moment):
    frozen_clock.set(at(moment))
    return team.pathways.run_due_timers()


def contacted_and_reconciled(team, frozen_clock, tcm):
    at_time(team, frozen_clock, "2026-09-08T14:00")
    team.do(tcm, CONTACT, contact_made("2026-09-08"))
    at_time(team, frozen_clock, "2026-09-08T16:00")
    team.do(tcm, MED_REC, medicines_reconciled("2026-09-08"))


@pytest.fixture
def tcm(team, frozen_clock):
    return discharged(team, frozen_clock)


# ------------------------------------------------------------------------------------------ start
def test_discharge_message_starts_tcm_for_the_patient(team, tcm):
    instance = team.pathways.instance(tcm).instance
    assert (instance.process_id, instance.patient_id, instance.status) == ("tcm", "MRN500", "running")


def test_set_up_records_the_program(team, tcm):
    data = team.data(tcm)
    assert (data["program_code"], data["program_name"], data["program_status"]) == (
        "tcm", "Transitional Care Management", "active")
    assert (data["enrolled_on"], data["discharge_date"], data["care_minutes"]) == (
        FRIDAY_BEFORE_LABOR_DAY, FRIDAY_BEFORE_LABOR_DAY, {})


def test_payload_is_kept_in_hospital_discharge(team, tcm):
    assert team.data(tcm)["hospital_discharge"]["facility"] == "St Mary's Hospital"


def test_contact_deadline_skips_the_weekend_and_labor_day(team, tcm):
    data = team.data(tcm)
    assert (data["contact_due_on"], data["visit_due_on"], data["tcm_period_ends_on"]) == (
        "2026-09-09", "2026-09-11", "2026-10-03")


def test_interactive_contact_waits_for_a_nurse(team, tcm):
    task = team.task(tcm, CONTACT)
    assert (task.role, task.priority_name, task.form_schema) == ("nurse", "high", "tcm-interactive_contact-schema.json")


def test_contact_deadline_timer_is_the_end_of_the_second_business_day(team, tcm):
    timers = {t.element_id: t.due_at for t in team.pathways.instance(tcm).timers}
    assert timers == {"contact_deadline_passed": at("2026-09-09T23:59")}


def test_interactive_contact_is_due_when_its_escalation_timer_fires(team, tcm):
    assert team.task(tcm, CONTACT).due_at == at("2026-09-09T23:59")


# ------------------------------------------------------------------------------------------ interactive contact
def test_contact_made_in_time_opens_no_escalation(team, frozen_clock, tcm):
    at_time(team, frozen_clock, "2026-09-08T14:00")
    team.do(tcm, CONTACT, contact_made("2026-09-08"))
    at_time(team, frozen_clock, "2026-09-10T09:00")
    assert team.titles(tcm) == [MED_REC]


def test_contact_made_in_time_counts_for_tcm(team, frozen_clock, tcm):
    at_time(team, frozen_clock, "2026-09-08T14:00")
    team.do(tcm, CONTACT, contact_made("2026-09-08"))
    contact = team.data(tcm)["tcm_contact"]
    assert (contact["business_days_after_discharge"], contact["by_deadline"], contact["counts_for_tcm"]) == (
        1, True, True)


def test_no_escalation_before_the_deadline_ends(team, frozen_clock, tcm):
    assert at_time(team, frozen_clock, "2026-09-09T23:58") == 0
    assert team.titles(tcm) == [CONTACT]


def test_overdue_tcm_contact_escalates_to_nurse_lead(team, frozen_clock, tcm):
    at_time(team, frozen_clock, "2026-09-10T00:00")
    task = team.task(tcm, MISSED_CONTACT)
    assert (task.role, task.priority_name) == ("nurse_lead", "urgent")


def test_overdue_contact_stays_with_the_nurse(team, frozen_clock, tcm):
    """Non-interrupting: the nurse keeps the contact (the patient still has to be reached)."""
    before = team.task(tcm, CONTACT)
    at_time(team, frozen_clock, "2026-09-10T00:00")
    assert team.task(tcm, CONTACT).id == before.id


def test_late_contact_does_not_count_for_tcm(team, frozen_clock, tcm):
    at_time(team, frozen_clock, "2026-09-10T11:00")
    team.do(tcm, MISSED_CONTACT, MISSED_CONTACT_FOLLOWED_UP)
    team.do(tcm, CONTACT, contact_made("2026-09-10"))
    contact = team.data(tcm)["tcm_contact"]
    assert (contact["by_deadline"], contact["counts_for_tcm"]) == (False, False)


def test_two_documented_attempts_in_time_count_for_tcm(team, frozen_clock, tcm):
    at_time(team, frozen_clock, "2026-09-09T16:00")
    team.do(tcm, CONTACT, contact_not_reached("2026-09-09", attempts=2))
    assert team.data(tcm)["tcm_contact"]["counts_for_tcm"] is True


def test_contact_minutes_count_as_care_minutes(team, frozen_clock, tcm):
    at_time(team, frozen_clock, "2026-09-08T14:00")
    team.do(tcm, CONTACT, contact_made("2026-09-08", minutes=25))
    assert team.data(tcm)["care_minutes"] == {"2026-09": 25}


# ------------------------------------------------------------------------------------------ medicines and visit
def test_pharmacist_reconciles_medicines_before_the_visit_opens(team, frozen_clock, tcm):
    at_time(team, frozen_clock, "2026-09-08T14:00")
    team.do(tcm, CONTACT, contact_made("2026-09-08"))
    assert team.task(tcm, MED_REC).role == "pharmacist"
    assert VISIT not in team.titles(tcm)


def test_high_complexity_visit_is_due_7_days_after_discharge(team, frozen_clock, tcm):
    contacted_and_reconciled(team, frozen_clock, tcm)
    task = team.task(tcm, VISIT)
    assert (task.role, task.due_at) == ("physician", at("2026-09-11T23:59"))


def test_moderate_complexity_visit_is_due_14_days_after_discharge(team, frozen_clock):
    tcm = discharged(team, frozen_clock, complexity="moderate")
    contacted_and_reconciled(team, frozen_clock, tcm)
    assert team.task(tcm, VISIT).due_at == at("2026-09-18T23:59")


def test_missed_visit_escalates_to_nurse_lead(team, frozen_clock, tcm):
    contacted_and_reconciled(team, frozen_clock, tcm)
    at_time(team, frozen_clock, "2026-09-12T00:00")
    assert team.task(tcm, MISSED_VISIT).role == "nurse_lead"
    visits = [t for t in team.pathways.instance(tcm).tasks if t.title == VISIT]
    assert [t.status for t in visits] == [TaskStatus.CANCELLED]


def test_rebooked_visit_goes_back_to_the_physician(team, frozen_clock, tcm):
    contacted_and_reconciled(team, frozen_clock, tcm)
    at_time(team, frozen_clock, "2026-09-12T09:00")
    team.do(tcm, MISSED_VISIT, missed_visit("rebooked", rebooked_for="2026-09-14"))
    task = team.task(tcm, LATE_VISIT)
    assert (task.role, task.due_at) == ("physician", at("2026-10-03T23:59"))


# ------------------------------------------------------------------------------------------ end of the period
def test_program_runs_until_the_30_day_period_ends(team, frozen_clock, tcm):
    contacted_and_reconciled(team, frozen_clock, tcm)
    team.do(tcm, VISIT, visit("2026-09-09"))
    at_time(team, frozen_clock, "2026-10-03T23:58")
    assert team.status(tcm) == "running"
    assert {t.element_id for t in team.pathways.instance(tcm).timers} == {"period_ends"}


def test_period_end_closes_the_program_with_99496(team, frozen_clock, tcm):
    """High complexity, contact on day 2, medicines reconciled, visit on day 5: CPT 99496."""
    contacted_and_reconciled(team, frozen_clock, tcm)
    at_time(team, frozen_clock, "2026-09-09T10:00")
    team.do(tcm, VISIT, visit("2026-09-09"))
    at_time(team, frozen_clock, "2026-10-04T00:00")
    data = team.data(tcm)
    assert team.status(tcm) == "completed"
    assert (data["program_status"], data["program_end_reason"], data["tcm_billing_code"]) == (
        "closed", "tcm_period_ended", "99496")


def test_moderate_complexity_visit_within_14_days_bills_99495(team, frozen_clock):
    tcm = discharged(team, frozen_clock, complexity="moderate")
    contacted_and_reconciled(team, frozen_clock, tcm)
    team.do(tcm, VISIT, visit("2026-09-16", medical_decision_making="moderate"))
    at_time(team, frozen_clock, "2026-10-04T00:00")
    assert team.data(tcm)["tcm_billing_code"] == "99495"


def test_high_complexity_visit_after_7_days_bills_99495(team, frozen_clock, tcm):
    """Missed the 7-day visit, seen on day 10: still within 14 days, so 99495 (not 99496)."""
    contacted_and_reconciled(team, frozen_clock, tcm)
    at_time(team, frozen_clock, "2026-09-12T09:00")
    team.do(tcm, MISSED_VISIT, missed_visit("rebooked", rebooked_for="2026-09-14"))
    team.do(tcm, LATE_VISIT, visit("2026-09-14"))
    at_time(team, frozen_clock, "2026-10-04T00:00")
    assert team.data(tcm)["tcm_billing_code"] == "99495"


def test_no_visit_in_the_period_means_no_billing_code(team, frozen_clock, tcm):
    contacted_and_reconciled(team, frozen_clock, tcm)
    at_time(team, frozen_clock, "2026-09-12T09:00")
    team.do(tcm, MISSED_VISIT, missed_visit("declined"))
    at_time(team, frozen_clock, "2026-10-04T00:00")
    data = team.data(tcm)
    assert (team.status(tcm), data["program_end_reason"], data["tcm_billing_code"]) == (
        "completed", "tcm_period_ended", None)


def test_late_contact_means_no_billing_code(team, frozen_clock, tcm):
    at_time(team, frozen_clock, "2026-09-10T11:00")
    team.do(tcm, MISSED_CONTACT, MISSED_CONTACT_FOLLOWED_UP)
    team.do(tcm, CONTACT, contact_made("2026-09-10"))
    team.do(tcm, MED_REC, medicines_reconciled("2026-09-10"))
    team.do(tcm, VISIT, visit("2026-09-11"))
    at_time(team, frozen_clock, "2026-10-04T00:00")
    assert team.data(tcm)["tcm_billing"]["contact_in_time"] is False
    assert team.data(tcm)["tcm_billing_code"] is None


def test_rebooked_visit_never_done_closes_at_the_end_of_the_period(team, frozen_clock, tcm):
    contacted_and_reconciled(team, frozen_clock, tcm)
    at_time(team, frozen_clock, "2026-09-12T09:00")
    team.do(tcm, MISSED_VISIT, missed_visit("rebooked", rebooked_for="2026-09-20"))
    at_time(team, frozen_clock, "2026-10-04T00:00")
    assert (team.status(tcm), team.titles(tcm), team.data(tcm)["tcm_billing_code"]) == ("completed", [], None)


def test_open_escalation_is_closed_with_the_program(team, frozen_clock, tcm):
    at_time(team, frozen_clock, "2026-09-10T11:00")
    team.do(tcm, CONTACT, contact_made("2026-09-10"))
    team.do(tcm, MED_REC, medicines_reconciled("2026-09-10"))
    team.do(tcm, VISIT, visit("2026-09-11"))
    at_time(team, frozen_clock, "2026-10-04T00:00")
    assert (team.status(tcm), team.titles(tcm)) == ("completed", [])


def test_care_minutes_add_up_over_the_period(team, frozen_clock, tcm):
    contacted_and_reconciled(team, frozen_clock, tcm)
    team.do(tcm, VISIT, visit("2026-09-09"))
    at_time(team, frozen_clock, "2026-10-04T00:00")
    assert team.data(tcm)["care_minutes"] == {"2026-09": 50}
