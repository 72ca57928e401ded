"""The audit viewer: filters (patient, user, action, time range, outcome), pages newest first, who saw a patient
in the last 90 days (opened, or shown in a list), CSV export; every read of the trail is itself in the trail."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from engine.care.actors import Actor
from engine.service import AuditQuery, Forbidden, InvalidInput
from tests.admin.conftest import ADMIN

pytestmark = pytest.mark.dates  # "the last 90 days" hangs on the clock (frozen here)
OLIVIA = Actor.person("olivia", "privacy_officer")


@pytest.fixture
def trail(frozen_clock, signed_in, patient, review):
    """carl opened MRN-1's page and task; nina's inbox listed the patient; phil was refused the admin console."""
    carl = signed_in("carl")
    carl.get("/patients/MRN-1")
    carl.get(f"/tasks/{review.id}")
    signed_in("nina").get("/inbox?tab=role:care_manager")
    signed_in("phil").get("/admin")
    return review


def _actions(page) -> list[str]:
    return [e.action for e in page.events]


def test_the_trail_reads_newest_first(service, trail):
    events = service.audit_events(AuditQuery(), OLIVIA).events
    assert [(e.at, e.id) for e in events] == sorted(((e.at, e.id) for e in events), reverse=True)


def test_filter_by_patient(service, trail):
    page = service.audit_events(AuditQuery(patient_id="MRN-1"), OLIVIA)
    assert page.events and {e.patient_id for e in page.events} == {"MRN-1"}


def test_filter_by_user_and_action(service, trail):
    page = service.audit_events(AuditQuery(actor="carl", action="viewed"), OLIVIA)
    assert {(e.actor, e.action) for e in page.events} == {("carl", "viewed")}


def test_filter_by_refused_outcome(service, trail):
    page = service.audit_events(AuditQuery(outcome="refused"), OLIVIA)
    assert [(e.actor, e.details["what"]) for e in page.events] == [("phil", "GET /admin")]


def test_filter_by_time_range(service, trail, frozen_clock):
    now = frozen_clock.now()
    assert service.audit_events(AuditQuery(until=now - timedelta(days=1)), OLIVIA).events == []
    assert service.audit_events(AuditQuery(since=now - timedelta(minutes=1)), OLIVIA).events


def test_pages_go_by_time_and_id(service, trail):
    first = service.audit_events(AuditQuery(page_size=2), OLIVIA)
    last = first.events[-1]
    second = service.audit_events(AuditQuery(page_size=2, before=(last.at, last.id)), OLIVIA)
    assert first.has_older and second.has_newer and second.events[0].id < last.id


def test_paging_older_then_newer_walks_every_event_once_even_at_the_same_moment(service, trail, frozen_clock):
    # the frozen clock: every event of the trail has the same time, so the pages turn on the id alone
    everything = [e.id for e in service.audit_events(AuditQuery(actor="carl", page_size=500), OLIVIA).events]
    seen, page = [], service.audit_events(AuditQuery(actor="carl", page_size=2), OLIVIA)
    while True:
        seen += [e.id for e in page.events]
        if not page.has_older:
            break
        last = page.events[-1]
        page = service.audit_events(AuditQuery(actor="carl", page_size=2, before=(last.at, last.id)), OLIVIA)
    assert len(everything) > 4 and seen == everything
    first = page.events[0]
    back = service.audit_events(AuditQuery(actor="carl", page_size=2, after=(first.at, first.id)), OLIVIA)
    assert [e.id for e in back.events] == everything[-len(page.events) - 2:-len(page.events)]


def test_reading_the_trail_is_itself_recorded(service, trail):
    service.audit_events(AuditQuery(patient_id="MRN-1"), OLIVIA)
    page = service.audit_events(AuditQuery(action="audit_viewed"), ADMIN)
    assert (page.events[-1].actor, page.events[-1].details["filters"]) == ("olivia", {"patient_id": "MRN-1"})


def test_who_opened_the_patient_in_the_last_90_days(service, trail):
    report = service.patient_viewers("MRN-1", 90, OLIVIA)
    assert [v.actor for v in report.opened] == ["carl"] and report.opened[0].times >= 2


def test_who_was_shown_the_patient_in_a_list(service, trail):
    report = service.patient_viewers("MRN-1", 90, OLIVIA)
    assert "nina" in [v.actor for v in report.listed]


def test_views_older_than_the_span_are_left_out(service, trail, frozen_clock):
    frozen_clock.advance(days=91)
    report = service.patient_viewers("MRN-1", 90, OLIVIA)
    assert (report.opened, report.listed) == ([], [])


def test_only_admins_and_privacy_officers_read_the_trail(service, trail):
    with pytest.raises(Forbidden):
        service.audit_events(AuditQuery(), Actor.person("lead", "clinical_lead"))


def test_a_time_range_that_ends_before_it_starts_is_refused(service, frozen_clock):
    now = frozen_clock.now()
    with pytest.raises(InvalidInput, match="ends before it starts"):
        service.audit_events(AuditQuery(since=now, until=now - timedelta(days=1)), OLIVIA)


def test_the_export_is_recorded_and_holds_the_events(service, trail):
    rows = list(service.audit_export(AuditQuery(patient_id="MRN-1"), OLIVIA))
    assert rows[0][:4] == ["id", "at", "actor", "action"] and {r[4] for r in rows[1:]} == {"MRN-1"}
    assert service.audit_events(AuditQuery(action="audit_exported"), OLIVIA).events


# ------------------------------------------------------------------------------------------------ web pages
def test_web_the_privacy_officer_lands_on_the_audit_trail(signed_in):
    olivia = signed_in("olivia")
    response = olivia.client.get("/")
    assert response.headers["Location"] == "/audit/"


def test_web_the_audit_trail_links_the_break_the_glass_report(signed_in):
    page = signed_in("olivia").get("/audit/").get_data(as_text=True)
    assert 'href="/patients/access-report"' in page
    assert signed_in("olivia").get("/patients/access-report").status_code == 200


def test_web_the_viewer_filters_and_pages(signed_in, trail):
    page = signed_in("olivia").get("/audit/?user=carl&patient=MRN-1").get_data(as_text=True)
    assert "carl" in page and "Who saw patient MRN-1 in the last 90 days" in page


def test_web_who_saw_a_patient(signed_in, trail):
    page = signed_in("olivia").get("/audit/patients/MRN-1/viewers").get_data(as_text=True)
    assert "Opened the record" in page and "carl" in page and "nina" in page


def test_web_the_patient_page_links_to_who_viewed_it_for_admins(signed_in, trail):
    page = signed_in("admin").get("/patients/MRN-1").get_data(as_text=True)
    assert "/audit/patients/MRN-1/viewers" in page


def test_web_export_is_a_csv_file(signed_in, trail):
    response = signed_in("olivia").get("/audit/export.csv?patient=MRN-1")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert response.mimetype == "text/csv" and rows[0][0] == "id" and len(rows) > 1


def test_web_a_formula_in_a_cell_is_not_run_by_a_spreadsheet(signed_in, service, users):
    from engine.store import audit

    with service.db.transaction() as s:
        audit.record(s, "viewed", "carl", patient_id="=HYPERLINK(1)")
    response = signed_in("olivia").get("/audit/export.csv?user=carl")
    assert "'=HYPERLINK(1)" in response.get_data(as_text=True)


def test_web_a_bad_date_is_a_400_naming_it(signed_in):
    response = signed_in("olivia").get("/audit/?from=2026-02-30")
    assert response.status_code == 400 and "is not a date" in response.get_data(as_text=True)


def test_web_a_privacy_officer_cannot_open_patients(signed_in, patient):
    assert signed_in("olivia").get("/patients/MRN-1").status_code == 403
