"""Time logged on the patient page without a task: date, minutes, activity and who; every field checked and
named when wrong, nothing stored then; counted in the month of the day the work was done."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, MonthlyMinutes, TimeEntry
from engine.service import Actor, Forbidden, NotFound, TimeLogInvalid
from tests.reports.world import CARL, NINA, add_patient, enrol, log

pytestmark = pytest.mark.dates


@pytest.fixture
def patient_in_ccm(reports, frozen_clock):
    enrol(reports, frozen_clock, "L1")
    return reports


def _entries(service):
    with service.db.transaction() as s:
        return s.execute(select(TimeEntry.patient_id, TimeEntry.minutes, TimeEntry.month, TimeEntry.username,
                                TimeEntry.recorded_by, TimeEntry.task_id).where(TimeEntry.task_id.is_(None))).all()


def test_logged_time_is_a_time_entry_in_the_month_of_the_day_it_was_done(patient_in_ccm):
    log(patient_in_ccm, "L1", "2027-02-26", 14)
    assert _entries(patient_in_ccm) == [("L1", 14, "2027-02", "carl", None, None)]


def test_it_is_added_to_the_patients_month(patient_in_ccm):
    log(patient_in_ccm, "L1", "2027-03-01", 14)
    log(patient_in_ccm, "L1", "2027-03-02", 6)
    with patient_in_ccm.db.transaction() as s:
        assert s.execute(select(MonthlyMinutes.month, MonthlyMinutes.minutes)).all() == [("2027-03", 20)]


def test_a_colleagues_time_records_who_logged_it(patient_in_ccm):
    log(patient_in_ccm, "L1", "2027-03-02", 10, who="nina", actor=CARL)
    assert _entries(patient_in_ccm)[0][3:5] == ("nina", "carl")


def test_logging_time_is_audited_for_the_patient(patient_in_ccm):
    log(patient_in_ccm, "L1", "2027-03-02", 10)
    with patient_in_ccm.db.transaction() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "time_logged"))
    assert (event.patient_id, event.actor, event.details["minutes"]) == ("L1", "carl", 10)


def test_the_patient_page_shows_the_logged_minutes(patient_in_ccm):
    log(patient_in_ccm, "L1", "2027-03-02", 25)
    assert patient_in_ccm.patient_page("L1", CARL).minutes == {"2027-03": 25}


@pytest.mark.parametrize("field,value,message", [
    ("spent_on", "2027-03-16", "future"),
    ("spent_on", "2026-03-01", "more than a year"),
    ("spent_on", "03/02/2027", "like 2027-03-01"),
    ("spent_on", "", "Enter the day"),
    ("minutes", "0", "between 1 and 480"),
    ("minutes", "481", "between 1 and 480"),
    ("minutes", "ten", "whole number"),
    ("activity", "  ", "Say what was done"),
    ("activity", "call\x00", "control character"),
    ("activity", "x" * 301, "at most 300"),
    ("username", "nobody-here", "no active account"),
    ("username", "lead", "no care team role"),
    ("program", "Diabetes management", "patient's programs"),
], ids=lambda v: str(v)[:30])
def test_each_wrong_field_is_refused_by_name_and_nothing_is_stored(reports, field, value, message):
    add_patient(reports, "L1")
    entry = {"day": "2027-03-02", "minutes": 10, "activity": "Call", "who": "carl", "program": None}
    entry[{"spent_on": "day", "username": "who"}.get(field, field)] = value
    with pytest.raises(TimeLogInvalid) as refused:
        log(reports, "L1", entry["day"], entry["minutes"], entry["who"], entry["activity"],
            program=entry["program"])
    assert message in refused.value.errors[field]
    assert _entries(reports) == []


def test_every_wrong_field_is_named_at_once(patient_in_ccm):
    with pytest.raises(TimeLogInvalid) as refused:
        log(patient_in_ccm, "L1", "", 0, "", "")
    assert set(refused.value.errors) == {"spent_on", "minutes", "activity", "username"}


def test_time_for_a_patient_not_in_the_registry_is_refused(reports):
    with pytest.raises(NotFound):
        log(reports, "NOBODY", "2027-03-02", 10)


def test_someone_without_a_care_team_role_may_not_log_time(patient_in_ccm):
    with pytest.raises(Forbidden):
        log(patient_in_ccm, "L1", "2027-03-02", 10, actor=Actor.person("lead", "clinical_lead"))


def test_a_nurse_may_log_time_for_the_patient(patient_in_ccm):
    log(patient_in_ccm, "L1", "2027-03-02", 10, who="nina", actor=NINA)
    assert len(_entries(patient_in_ccm)) == 1


# ------------------------------------------------------------------------------------------------ web
def test_the_patient_page_offers_log_time(patient_in_ccm, signed_in):
    page = signed_in("carl").get("/patients/L1").get_data(as_text=True)
    assert 'action="/reports/patients/L1/time"' in page and 'name="minutes"' in page


def test_the_patient_page_does_not_offer_it_to_someone_who_may_not(patient_in_ccm, signed_in):
    page = signed_in("lead").get("/patients/L1")
    assert page.status_code != 200 or 'action="/reports/patients/L1/time"' not in page.get_data(as_text=True)


def test_logging_time_on_the_page_lands_back_on_the_patient_with_the_minutes(patient_in_ccm, signed_in):
    browser = signed_in("carl")
    browser.get("/patients/L1")
    answer = browser.post("/reports/patients/L1/time", {"spent_on": "2027-03-03", "minutes": "22",
                                                        "activity": "Call with the patient", "username": "carl",
                                                        "program": "Chronic Care Management"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/patients/L1#h-minutes")
    page = browser.get("/patients/L1").get_data(as_text=True)
    assert "Logged 22 minutes" in page and "<td>2027-03</td><td>22</td>" in page


def test_a_refused_entry_shows_the_form_again_with_what_was_typed_and_why(patient_in_ccm, signed_in):
    browser = signed_in("carl")
    answer = browser.post("/reports/patients/L1/time", {"spent_on": "2027-03-03", "minutes": "900",
                                                        "activity": "Arranging a ride", "username": "carl"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "between 1 and 480" in text and 'value="Arranging a ride"' in text
    assert _entries(patient_in_ccm) == []


def test_a_post_without_the_form_token_is_refused(patient_in_ccm, signed_in):
    answer = signed_in("carl").post("/reports/patients/L1/time", {"spent_on": "2027-03-03", "minutes": "9",
                                                                  "activity": "Call", "username": "carl"},
                                    csrf=False)
    assert answer.status_code == 400 and _entries(patient_in_ccm) == []
