"""Patients in the web app: adding, importing from CSV, the patient page and its audit, starting a program."""
from __future__ import annotations

import io
from html import unescape

import pytest
from sqlalchemy import select

from engine.care.actors import Actor
from engine.models import AuditEvent, Patient
from tests.webapp.conftest import FIXTURES

pytestmark = pytest.mark.dates  # `make test` runs these again at other dates

NEW = {"mrn": "MRN-77", "given_name": "Grace", "family_name": "Hopper", "birth_date": "1936-12-09",
       "sex": "female", "conditions": "COPD\nHypertension"}


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_adding_a_patient_opens_their_page(signed_in):
    response = signed_in("carl").post("/patients/new", NEW)
    assert response.status_code == 302 and response.headers["Location"] == "/patients/MRN-77"


def test_a_refused_patient_keeps_what_was_typed_and_names_each_field(signed_in):
    response = signed_in("carl").post("/patients/new", {**NEW, "birth_date": "09/12/1936", "mrn": ""})
    page = text(response)
    assert response.status_code == 400
    assert "Enter the birth date as YYYY-MM-DD" in page and "Enter the medical record number" in page
    assert 'value="Hopper"' in page


def test_a_new_patient_form_starts_with_sex_unknown_not_the_first_choice(signed_in):
    page = text(signed_in("carl").get("/patients/new"))
    assert '<option value="unknown" selected>' in page and '<option value="female" selected>' not in page


def test_a_refused_patient_stores_nothing(signed_in, service):
    signed_in("carl").post("/patients/new", {**NEW, "birth_date": "soon"})
    with service.db.transaction() as s:
        assert s.scalars(select(Patient)).all() == []


def test_viewing_a_patient_page_is_audited_with_who(signed_in, patient, service):
    signed_in("nina").get("/patients/MRN-1")
    with service.db.transaction() as s:
        viewed = s.scalars(select(AuditEvent).where(AuditEvent.action == "patient_viewed")).all()
        assert [(e.actor, e.patient_id) for e in viewed] == [("nina", "MRN-1")]


def test_an_unknown_patient_is_a_404(signed_in, users):
    response = signed_in("carl").get("/patients/NOPE")
    assert response.status_code == 404 and "No patient 'NOPE'" in text(response)


def test_starting_a_program_shows_it_with_its_diagram(signed_in, patient, service):
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    carl = signed_in("carl")
    carl.post("/patients/MRN-1/programs", {"program": "review_loop"})
    page = text(carl.get("/patients/MRN-1"))
    assert "Monthly review loop" in page
    assert 'data-current="review"' in page and "/diagram/review_loop.bpmn" in page


def test_the_patient_list_names_the_programs_each_patient_is_in(signed_in, patient, service):
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    carl = signed_in("carl")
    assert "not assessed" in text(carl.get("/patients/"))
    carl.post("/patients/MRN-1/programs", {"program": "review_loop"})
    row = text(carl.get("/patients/")).split("MRN-1", 1)[1].split("</tr>", 1)[0]
    assert "Monthly review loop" in row


def test_a_terminated_program_leaves_the_patient_list(signed_in, patient, service):
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    instance = service.start("review_loop", "MRN-1", None, Actor.person("carl", "care_manager"))
    service.terminate(instance.id, reason="moved away")
    assert "Monthly review loop" not in text(signed_in("carl").get("/patients/"))


def test_starting_an_unknown_program_is_refused(signed_in, patient):
    response = signed_in("carl").post("/patients/MRN-1/programs", {"program": "astrology"}, follow_redirects=True)
    assert "'astrology' is not a program" in text(response)


def test_the_diagram_file_is_served_as_xml(signed_in, patient, service):
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    instance = service.start("review_loop", "MRN-1", None, Actor.person("carl", "care_manager"))
    response = signed_in("nina").get(f"/instances/{instance.id}/diagram/review_loop.bpmn")
    assert response.mimetype == "application/xml" and b"bpmndi:BPMNDiagram" in response.data


def test_patient_named_like_a_script_shows_as_text_on_their_page(signed_in, users):
    carl = signed_in("carl")
    carl.post("/patients/new", {**NEW, "given_name": "<script>alert(1)</script>"})
    page = carl.get("/patients/MRN-77").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


CSV = """mrn,given_name,family_name,birth_date,sex,conditions
A-1,Ada,Lovelace,1815-12-10,female,
A-2,Alan,Turing,1912-06-23,male,COPD;Asthma
A-3,,Nobody,1950-01-01,male,
A-4,Bad,Date,31/12/1950,female,
A-1,Ada,Again,1950-01-01,female,
"""


def _upload(browser, content: str, name="patients.csv"):
    return browser.post("/patients/import", {"file": (io.BytesIO(content.encode()), name)},
                        content_type="multipart/form-data")


def test_csv_import_adds_good_rows_and_reports_refused_ones_by_line(signed_in, service):
    carl = signed_in("carl")
    response = _upload(carl, CSV.replace("1815-12-10", "1915-12-10"))
    page = text(carl.get(response.headers["Location"]))
    assert "Finished: 2 added, 3 refused, of 5 rows" in page
    assert "Enter the given name" in page and "Enter the birth date as YYYY-MM-DD" in page
    assert "A patient with MRN A-1 already exists" in page


def test_csv_import_rows_before_1900_are_refused(signed_in):
    carl = signed_in("carl")
    page = text(carl.get(_upload(carl, CSV).headers["Location"]))
    assert "The birth date is before 1900" in page


def test_csv_with_a_wrong_header_is_refused_at_once(signed_in, service):
    response = _upload(signed_in("carl"), "id,name\n1,Ada\n")
    assert response.status_code == 400 and "lacks the column(s) mrn, given_name" in text(response)


def test_csv_that_is_not_utf8_is_refused(signed_in):
    browser = signed_in("carl")
    response = browser.post("/patients/import", {"file": (io.BytesIO("mrn,given_name\n1,Zoë".encode("latin-1")),
                                                          "x.csv")}, content_type="multipart/form-data")
    assert response.status_code == 400 and "not UTF-8" in text(response)


def test_someone_elses_import_is_not_shown(signed_in):
    carl = signed_in("carl")
    location = _upload(carl, CSV).headers["Location"]
    assert signed_in("nina").get(location).status_code == 404


def test_import_progress_is_served_as_json(signed_in):
    carl = signed_in("carl")
    location = _upload(carl, CSV).headers["Location"]
    progress = carl.get(location + ".json").get_json()
    assert (progress["status"], progress["total"], progress["done"]) == ("done", 5, 5)


def test_csv_import_runs_as_background_work(app, signed_in):
    from webapp.extensions import background

    app.config["IMPORT_INLINE"] = False
    carl = signed_in("carl")
    location = _upload(carl, CSV).headers["Location"]
    with app.app_context():
        background().join()
        background().close()
    assert carl.get(location + ".json").get_json()["status"] == "done"
