"""Patients through the API: create or update by MRN (PUT, idempotent, every change audited with its old and new
value), read, search, and refusals naming each field."""
from __future__ import annotations

from sqlalchemy import select

from engine.models import AuditEvent

ADA = {"given_name": "Ada", "family_name": "Lovelace", "birth_date": "1950-12-10", "sex": "female",
       "conditions": ["COPD"]}


def test_put_creates_a_patient_by_mrn(api):
    response = api.put("/api/v1/patients/MRN-7", json=ADA)
    body = response.get_json()
    assert (response.status_code, body["created"], body["id"], body["conditions"]) == (201, True, "MRN-7", ["COPD"])


def test_the_same_put_again_changes_nothing(api, service):
    api.put("/api/v1/patients/MRN-7", json=ADA)
    response = api.put("/api/v1/patients/MRN-7", json=ADA)
    assert (response.status_code, response.get_json()["created"], response.get_json()["changes"]) == (200, False, {})


def test_a_put_with_changes_updates_and_audits_old_and_new(api, service):
    api.put("/api/v1/patients/MRN-7", json=ADA)
    body = api.put("/api/v1/patients/MRN-7", json={**ADA, "phone": "555-123-4567"}).get_json()
    with service.db.transaction() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "patient_updated")).one()
    assert body["changes"] == {"phone": {"before": None, "after": "555-123-4567"}}
    assert (event.details["phone"], event.details["via"].startswith("api-client:")) == (
        {"before": None, "after": "555-123-4567"}, True)


def test_a_bad_record_names_each_field(api):
    response = api.put("/api/v1/patients/MRN-7", json={**ADA, "birth_date": "2999-01-01", "email": "no"})
    found = {e["pointer"]: e["detail"] for e in response.get_json()["errors"]}
    assert (response.status_code, found) == (400, {"#/birth_date": "The birth date is in the future",
                                                   "#/email": "Enter an e-mail address like name@example.org"})


def test_a_missing_field_is_named(api):
    response = api.put("/api/v1/patients/MRN-7", json={"given_name": "Ada"})
    assert {e["pointer"] for e in response.get_json()["errors"]} == {"#/family_name", "#/birth_date"}


def test_an_mrn_that_cannot_be_one_is_400(api):
    assert api.put("/api/v1/patients/bad_mrn!", json=ADA).status_code == 400


def test_read_a_patient(api, patient):
    body = api.get(f"/api/v1/patients/{patient}").get_json()
    assert (body["given_name"], body["birth_date"], body["conditions"]) == ("Ada", "1950-12-10",
                                                                           ["COPD", "Heart failure"])


def test_reading_a_patient_is_audited(api, patient, service):
    api.get(f"/api/v1/patients/{patient}")
    with service.db.transaction() as session:
        viewed = session.scalars(select(AuditEvent).where(AuditEvent.action == "patient_viewed")).one()
    assert (viewed.actor, viewed.patient_id) == ("client:everything", patient)


def test_search_by_name(api, patient):
    assert [p["id"] for p in api.get("/api/v1/patients?q=lovelace").get_json()["items"]] == [patient]


def test_patients_page_by_cursor(api):
    for n in range(5):
        api.put(f"/api/v1/patients/MRN-{n}", json={**ADA, "family_name": f"Family{n}"})
    first = api.get("/api/v1/patients?limit=3").get_json()
    second = api.get("/api/v1/patients", query_string={"limit": 3, "cursor": first["next_cursor"]}).get_json()
    assert [p["family_name"] for p in first["items"] + second["items"]] == [f"Family{n}" for n in range(5)]
    assert second["next_cursor"] is None


def test_a_person_sees_only_the_patients_whose_record_they_may_open(new_client, patient, users):
    sam = new_client("sams-tool", ["patients:read"], username="sam")  # not on a team, not an intake role
    assert sam.get("/api/v1/patients").get_json()["items"] == []
    assert sam.get(f"/api/v1/patients/{patient}").status_code == 403
