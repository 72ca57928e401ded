"""Every read of patient data is in the audit trail, lists included, and every refused attempt: the patient list
and a search (one event naming the patients shown and the query), the inbox, a 403."""
from __future__ import annotations

from sqlalchemy import select

from engine.models import AuditEvent


def _events(service, action: str) -> list[AuditEvent]:
    with service.db.transaction() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_the_patient_list_is_audited_naming_the_patients_shown(signed_in, patient, service):
    signed_in("carl").get("/patients/")
    event = _events(service, "patients_listed")[-1]
    assert (event.actor, event.details["patients"], event.details["search"]) == ("carl", ["MRN-1"], None)


def test_a_patient_search_is_audited_with_its_query(signed_in, patient, service):
    signed_in("carl").get("/patients/?q=Lovel")
    assert _events(service, "patients_listed")[-1].details["search"] == "Lovel"


def test_the_inbox_is_audited_naming_the_patients_it_shows(signed_in, review, service):
    signed_in("carl").get("/inbox?tab=role:care_manager")
    event = _events(service, "inbox_viewed")[-1]
    assert event.actor == "carl" and event.details["patients"] == ["MRN-1"]
    assert event.details["query"]["tab"] == "role:care_manager"


def test_a_page_the_roles_do_not_allow_is_audited_as_refused(signed_in, service):
    assert signed_in("dana").get("/patients/new").status_code == 403
    event = _events(service, "refused")[-1]
    assert (event.actor, event.details["what"]) == ("dana", "GET /patients/new")


def test_an_action_on_a_task_of_another_role_is_audited_as_refused(signed_in, review, service):
    sam = signed_in("sam")
    sam.get("/inbox")
    assert sam.post(f"/tasks/{review.id}/claim").status_code == 403
    assert _events(service, "refused")[-1].details["what"] == "POST /tasks/<id:task_id>/claim"
