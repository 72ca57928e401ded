"""Input nobody should send, sent anyway: numbers past what an id or a page can be, control characters (a NUL
cannot be stored in PostgreSQL) in every kind of text. Each gets a clear answer naming what is wrong (a 404
for an id that cannot exist, a 400 otherwise), the same on every database, and nothing stored is changed."""
from __future__ import annotations

import io
from html import unescape

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, Patient, TaskDraft

LARGEST_ID = 2**31 - 1
# past a 32-bit id (an integer column on PostgreSQL), and past a 64-bit one (SQLite's)
TOO_LARGE = [2**31, 2**63]
NEW = {"mrn": "MRN-77", "given_name": "Grace", "family_name": "Hopper", "birth_date": "1936-12-09",
       "sex": "female", "conditions": "COPD"}


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _upload(browser, content: str, name="patients.csv"):
    return browser.post("/patients/import", {"file": (io.BytesIO(content.encode()), name)},
                        content_type="multipart/form-data")


# --- numbers in paths and query strings ---------------------------------------------------------------------

def test_no_route_takes_an_unbounded_integer(app):
    unbounded = [rule.rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert unbounded == []


def test_every_row_id_in_a_route_uses_the_id_converter(app):
    ids = [(rule.rule, name) for rule in app.url_map.iter_rules() for name in rule.arguments
           if name.endswith("_id") and name not in ("patient_id", "process_id")]  # text: an MRN, a BPMN id
    assert ids and [(rule, name) for rule, name in ids if f"<id:{name}>" not in rule] == []


@pytest.mark.parametrize("number", TOO_LARGE)
@pytest.mark.parametrize("path", ["/tasks/{}", "/patients/import/{}", "/patients/import/{}.json",
                                  "/instances/{}/diagram/review_loop.bpmn"])
def test_an_id_past_the_largest_a_row_can_have_is_not_found(signed_in, path, number):
    assert signed_in("carl").get(path.format(number)).status_code == 404


@pytest.mark.parametrize("number", TOO_LARGE)
def test_an_action_on_a_task_id_past_the_largest_is_not_found(signed_in, number):
    assert signed_in("carl").post(f"/tasks/{number}/claim").status_code == 404


def test_the_largest_id_a_row_can_have_is_looked_up(signed_in):
    response = signed_in("carl").get(f"/tasks/{LARGEST_ID}")
    assert response.status_code == 404 and f"Task {LARGEST_ID} does not exist" in text(response)


@pytest.mark.parametrize("page", ["9223372036854775807", "99999999999999999999999", "0", "-3"])
def test_an_inbox_page_that_cannot_be_is_refused(signed_in, page):
    response = signed_in("carl").get(f"/inbox?page={page}")
    assert response.status_code == 400 and "page must be a number" in text(response)


@pytest.mark.parametrize("page", ["9223372036854775807", "abc", "0"])
def test_a_patient_list_page_that_cannot_be_is_refused(signed_in, page):
    response = signed_in("carl").get(f"/patients/?page={page}")
    assert response.status_code == 400 and "page must be a number" in text(response)


# --- control characters in text -----------------------------------------------------------------------------

@pytest.mark.parametrize("character", ["%00", "%01", "%7F"])
def test_a_patient_search_with_a_control_character_is_refused_naming_it(signed_in, patient, character):
    response = signed_in("carl").get(f"/patients/?q=Ada{character}")
    assert response.status_code == 400 and "The search text contains a control character" in text(response)


def test_an_inbox_search_with_a_nul_is_refused_naming_it(signed_in, review):
    response = signed_in("carl").get("/inbox?q=Ada%00")
    assert response.status_code == 400 and "the search text contains a control character (U+0000)" in text(response)


def test_an_inbox_program_filter_with_a_nul_is_refused_naming_it(signed_in, review):
    response = signed_in("carl").get("/inbox?program=Review%00")
    assert response.status_code == 400 and "the program contains a control character" in text(response)


def test_a_patient_id_with_a_nul_is_not_found(signed_in, patient):
    assert signed_in("carl").get("/patients/MRN-1%00").status_code == 404


def test_starting_a_program_for_a_patient_id_with_a_nul_is_not_found(signed_in, patient):
    assert signed_in("carl").post("/patients/MRN-1%00/programs", {"program": "review_loop"}).status_code == 404


@pytest.mark.parametrize("field", ["given_name", "address", "conditions"])
def test_a_new_patient_with_a_nul_in_a_field_is_refused_naming_the_field(signed_in, service, field):
    response = signed_in("carl").post("/patients/new", {**NEW, field: "a\x00b"})
    assert response.status_code == 400 and "control character (U+0000)" in text(response)
    with service.db.transaction() as s:
        assert s.scalars(select(Patient)).all() == []


def test_a_new_patient_may_have_line_breaks_in_the_address(signed_in, service):
    response = signed_in("carl").post("/patients/new", {**NEW, "address": "1 Main St\r\nSpringfield\tIL"})
    assert response.status_code == 302
    with service.db.transaction() as s:
        assert s.get(Patient, "MRN-77").address == "1 Main St\r\nSpringfield\tIL"


def test_a_draft_with_a_nul_is_refused_naming_the_field_and_nothing_is_saved(signed_in, review, service):
    response = signed_in("carl").post(f"/tasks/{review.id}", {"task_uuid": review.task_uuid, "action": "draft",
                                                               "progress_note": "walks\x00daily"})
    assert response.status_code == 400 and "contains a control character (U+0000)" in text(response)
    with service.db.transaction() as s:
        assert s.scalars(select(TaskDraft)).all() == []


def test_a_submission_with_a_nul_is_refused_and_the_task_stays_open(signed_in, review, service):
    response = signed_in("carl").post(f"/tasks/{review.id}", {"task_uuid": review.task_uuid, "action": "submit",
                                                               "decision": "discharge", "progress_note": "a\x00"})
    assert response.status_code == 400 and "contains a control character (U+0000)" in text(response)
    assert service.task(review.id).status == "open"


def test_assigning_to_a_user_name_with_a_nul_says_what_is_wrong(signed_in, review, service):
    carl = signed_in("carl")
    response = carl.post(f"/tasks/{review.id}/assign", {"assignee": "ni\x00na"})
    assert response.status_code == 302
    assert "user name contains a control character" in text(carl.get(response.headers["Location"]))
    assert service.task(review.id).assignee is None


# --- CSV imports ----------------------------------------------------------------------------------------------

HEADER = "mrn,given_name,family_name,birth_date\n"


def test_a_csv_row_with_a_nul_is_refused_by_line_and_the_others_are_imported(signed_in, service):
    carl = signed_in("carl")
    response = _upload(carl, HEADER + "X-1,Ada\x00,Lovelace,1950-12-10\nX-2,Alan,Turing,1954-06-23\n")
    page = text(carl.get(response.headers["Location"]))
    assert "Finished: 1 added, 1 refused, of 2 rows" in page
    assert "given_name</strong>: Contains a control character (U+0000)" in page
    with service.db.transaction() as s:
        assert s.scalars(select(Patient.id)).all() == ["X-2"]


def test_a_csv_file_name_with_a_nul_is_refused(signed_in, service):
    response = _upload(signed_in("carl"), HEADER + "X-1,Ada,Lovelace,1950-12-10\n", name="people\x00.csv")
    assert response.status_code == 400 and "the file name contains a control character" in text(response).lower()
    with service.db.transaction() as s:
        assert s.scalars(select(Patient)).all() == []


def test_a_csv_field_over_the_csv_limit_is_refused_by_line_and_the_others_are_imported(signed_in, service):
    carl = signed_in("carl")
    rows = f"X-1,Ada,{'L' * 140_000},1950-12-10\nX-2,Alan,Turing,1954-06-23\n"
    page = text(carl.get(_upload(carl, HEADER + rows).headers["Location"]))
    assert "Finished: 1 added, 1 refused, of 2 rows" in page
    assert "<td>2</td>" in page and "A field is longer than 131,072 characters" in page


def test_each_patient_a_csv_import_adds_has_a_patient_added_event(signed_in, service):
    carl = signed_in("carl")
    _upload(carl, HEADER + "X-1,Ada,Lovelace,1950-12-10\nX-2,Alan,Turing,1954-06-23\n")
    with service.db.transaction() as s:
        added = s.scalars(select(AuditEvent).where(AuditEvent.action == "patient_added")
                          .order_by(AuditEvent.patient_id)).all()
        assert [(e.actor, e.patient_id, e.details) for e in added] == [
            ("carl", "X-1", {"mrn": "X-1"}), ("carl", "X-2", {"mrn": "X-2"})]
