"""No patient data in the logs: the known failure paths (a database error carrying the statement's values, a
draft's answers in an exception, a pathway step failing, a background job failing) log the error's class, the
route, the user and a correlation id that the error page shows, never a value."""
from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy.exc import IntegrityError

from engine.care.actors import Actor
from engine.service import CarePathways, Submission
from tests.webapp.test_task_page import submit

# what the `patient` fixture registers (tests/webapp/conftest.py), and a draft's words
PATIENT_VALUES = ("MRN-1", "Ada", "Lovelace", "1950-12-10", "Heart failure")
DRAFT = "patient says she stopped the furosemide"


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def _no_patient_data(text: str) -> None:
    leaked = [value for value in (*PATIENT_VALUES, DRAFT) if value in text]
    assert leaked == [], f"the log holds {leaked}"


def _database_error(*args, **kwargs):
    raise IntegrityError("INSERT INTO patients (id, given_name, family_name, birth_date) VALUES (?, ?, ?, ?)",
                         ("MRN-1", "Ada", "Lovelace", "1950-12-10"), Exception("UNIQUE constraint failed"))


def test_a_database_error_on_a_patient_page_logs_no_patient_data(signed_in, patient, log, monkeypatch):
    carl = signed_in("carl")
    monkeypatch.setattr(CarePathways, "patient_page", _database_error)
    response = carl.get("/patients/MRN-1")
    assert response.status_code == 500
    _no_patient_data(log.text)


def test_the_error_page_and_the_log_share_a_reference(signed_in, patient, log, monkeypatch):
    carl = signed_in("carl")
    monkeypatch.setattr(CarePathways, "patient_page", _database_error)
    response = carl.get("/patients/MRN-1")
    reference = re.search(r"reference ([0-9a-f]{12})", response.get_data(as_text=True)).group(1)
    line = next(r.getMessage() for r in log.records if "unexpected failure" in r.getMessage())
    assert reference in line and "IntegrityError" in line and "/patients/<patient_id>" in line
    assert response.headers["X-Request-Id"] == reference


def test_a_failing_draft_save_logs_not_the_draft(signed_in, review, log, monkeypatch):
    carl = signed_in("carl")
    carl.get(f"/tasks/{review.id}")

    def failing(*args, **kwargs):
        raise ValueError(f"could not store {{'progress_note': '{DRAFT}'}} for MRN-1")

    monkeypatch.setattr(CarePathways, "save_draft", failing)
    assert submit(carl, review, action="draft", progress_note=DRAFT).status_code == 500
    _no_patient_data(log.text)


def test_the_request_log_names_routes_not_paths(signed_in, patient, log):
    signed_in("carl").get("/patients/?q=Lovelace")
    lines = [r.getMessage() for r in log.records if r.name == "webapp.requests"]
    assert any("GET /patients/ 200" in line for line in lines)
    _no_patient_data(log.text)


def test_a_pathway_step_failing_in_an_unexpected_way_logs_no_values(service, review, log, monkeypatch):
    from engine.runtime import runner

    def broken(workflow):
        raise RuntimeError(f"boom while handling {DRAFT} for Ada Lovelace")

    monkeypatch.setattr(runner, "run_engine_steps", broken)
    service.complete(review.id, {"decision": "continue"}, Actor.person("carl", "care_manager"))
    assert any("unexpected failure while running instance" in r.getMessage() for r in log.records)
    _no_patient_data(log.text)


def test_a_failing_background_job_logs_no_values(service, patient, log):
    from engine.config import JobSettings
    from engine.jobs import Background, work

    @work.handler("leaky_test_job")
    def leaky(ctx, payload, key):
        raise ValueError(f"cannot handle {payload['note']}")

    jobs = Background(service, JobSettings(), notifier=None)
    try:
        jobs.submit("leaky_test_job", {"note": f"{DRAFT} (Ada Lovelace, 1950-12-10)"})
        jobs.join()
    finally:
        jobs.close()
        work.HANDLERS.pop("leaky_test_job", None)
    assert any("leaky_test_job" in r.getMessage() for r in log.records)
    _no_patient_data(log.text)


def test_a_refused_submission_is_not_an_error_in_the_log(signed_in, review, service, log):
    carl = signed_in("carl")
    submit(carl, review, decision="maybe", progress_note=DRAFT)
    service.save_draft(review.id, Submission({"progress_note": DRAFT}), Actor.person("carl", "care_manager"))
    _no_patient_data(log.text)
