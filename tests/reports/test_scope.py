"""Reports show care managers their own patients, leads their team's and admins all; each read that shows
patients is an audit event naming them."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from engine.service import Actor, Forbidden
from tests.reports.world import ADA, CARL, NINA, discharge, enrol, log

pytestmark = pytest.mark.dates

LENA = Actor.person("lena", "nurse_lead")
LEAD = Actor.person("lead", "clinical_lead")
SAM = Actor.person("sam", "social_worker")
PHIL = Actor.person("phil", "physician")


@pytest.fixture
def two_panels(reports, frozen_clock):
    """carl's patients C1, C2 (he worked their tasks), nina's N1 (her tasks), and P1 nobody has worked yet
    except through time carl logged."""
    enrol(reports, frozen_clock, "C1", by=CARL)
    enrol(reports, frozen_clock, "C2", by=CARL)
    enrol(reports, frozen_clock, "N1", by=NINA)
    enrol(reports, frozen_clock, "P1", by=NINA)
    log(reports, "P1", "2027-03-02", 5, who="carl")
    for patient in ("C1", "C2", "N1", "P1"):
        log(reports, patient, "2027-03-03", 21, who="nina", actor=NINA)
    return reports


def _shown(service, viewer):
    return sorted(row.patient_id for row in service.ccm_worklist("2027-03", viewer, page_size=None).rows)


def test_a_care_manager_sees_the_patients_whose_tasks_they_worked_or_whose_time_they_logged(two_panels):
    assert _shown(two_panels, CARL) == ["C1", "C2", "P1"]


def test_a_nurse_lead_sees_the_patients_of_the_nurses_they_lead(two_panels):
    assert _shown(two_panels, LENA) == ["C1", "C2", "N1", "P1"]  # nina logged time for every one of them


def test_a_nurse_lead_does_not_see_a_patient_only_a_care_manager_worked_for(reports, frozen_clock):
    enrol(reports, frozen_clock, "C9", by=CARL)
    log(reports, "C9", "2027-03-02", 30)
    assert _shown(reports, LENA) == []


@pytest.mark.parametrize("viewer", [LEAD, ADA], ids=["clinical lead", "admin"])
def test_a_clinical_lead_and_an_admin_see_every_patient(two_panels, viewer):
    assert _shown(two_panels, viewer) == ["C1", "C2", "N1", "P1"]


def test_someone_with_no_patients_yet_sees_an_empty_worklist(two_panels):
    assert _shown(two_panels, SAM) == []


def test_a_physician_has_no_reports(two_panels):
    with pytest.raises(Forbidden):
        two_panels.ccm_worklist("2027-03", PHIL)


def test_the_minutes_of_a_patient_outside_ones_scope_are_not_found(two_panels):
    from engine.service import NotFound

    with pytest.raises(NotFound):
        two_panels.ccm_month_minutes("N1", "2027-03", CARL)


def test_tcm_compliance_shows_a_care_manager_only_their_discharges(reports, frozen_clock):
    mine = discharge(reports, frozen_clock, "T1", "2027-03-08")
    discharge(reports, frozen_clock, "T2", "2027-03-09")
    frozen_clock.set(frozen_clock.now().replace(day=15))
    log(reports, "T1", "2027-03-10", 5, program="Transitional Care Management")
    rows = reports.tcm_compliance("2027-03", "2027-03", CARL, page_size=None).rows
    assert [row.instance_id for row in rows] == [mine]


def test_a_report_read_is_audited_naming_the_patients_shown(two_panels):
    two_panels.ccm_worklist("2027-03", CARL)
    with two_panels.db.transaction() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "report_viewed")
                          .order_by(AuditEvent.id.desc())).first()
    assert event.actor == "carl" and sorted(event.details["patients"]) == ["C1", "C2", "P1"]
    assert event.details["report"] == "ccm_billing" and event.details["month"] == "2027-03"


def test_an_export_is_audited_as_an_export(two_panels):
    two_panels.ccm_worklist("2027-03", ADA, page_size=None)
    with two_panels.db.transaction() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "report_exported")).one()
    assert sorted(event.details["patients"]) == ["C1", "C2", "N1", "P1"]


def test_the_dashboard_counts_only_the_viewers_patients(two_panels):
    mine = two_panels.dashboard(CARL, start="2026-10-01", end="2027-03-15")
    everyone = two_panels.dashboard(ADA, start="2026-10-01", end="2027-03-15")

    def started(board):
        chart = next(c for c in board.charts if c.key == "enrolment")
        return sum(v for row in chart.rows for v in row.values)

    assert (started(mine), started(everyone)) == (3, 4)
