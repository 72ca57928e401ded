"""CSV imports of patients: rows that cannot be read or hold control characters are refused by line while the
others are imported, and every imported patient's history starts with their registration."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.care import patient_imports, patients
from engine.care.patients import PatientInput
from engine.errors import InvalidInput
from engine.models import AuditEvent, ImportJob, Patient

HEADER = "mrn,given_name,family_name,birth_date\n"
ADA = "A-1,Ada,Lovelace,1950-12-10\n"
ALAN = "A-2,Alan,Turing,1954-06-23\n"


def run_import(database, content: str, filename: str = "people.csv") -> ImportJob:
    with database.transaction() as session:
        job_id = patient_imports.create_job(session, filename, content, by="carl").id
    return patient_imports.run_job(database, job_id)


def added(database) -> list[str]:
    with database.transaction() as session:
        return list(session.scalars(select(Patient.id).order_by(Patient.id)))


def test_a_field_over_the_csv_limit_is_refused_with_its_line_and_the_others_are_imported(database):
    job = run_import(database, HEADER + f"A-9,Ada,{'L' * 140_000},1950-12-10\n" + ALAN)
    assert (job.status, job.added) == ("done", 1)
    assert job.rejected == [{"line": 2, "mrn": "", "errors": {
        "row": "A field is longer than 131,072 characters, so the row cannot be read"}}]
    assert added(database) == ["A-2"]


def test_a_field_over_the_csv_limit_in_a_quoted_field_is_refused_too(database):
    job = run_import(database, HEADER + ADA + f'A-9,Ada,"{"L" * 140_000}",1950-12-10\n' + ALAN)
    assert [r["line"] for r in job.rejected] == [3]
    assert added(database) == ["A-1", "A-2"]


def test_a_header_over_the_csv_limit_refuses_the_file(database):
    with database.transaction() as session, pytest.raises(InvalidInput, match="line 1, the header: a field is"):
        patient_imports.create_job(session, "x.csv", "mrn," + "x" * 140_000 + "\n" + ADA, by="carl")


def test_a_row_with_a_nul_is_refused_with_its_line_and_field_and_the_others_are_imported(database):
    job = run_import(database, HEADER + ADA + "A-9,Alan\x00,Turing,1954-06-23\n" + "A-3,Grace,Hopper,1936-12-09\n")
    assert job.rejected == [{"line": 3, "mrn": "A-9", "errors": {
        "given_name": "Contains a control character (U+0000); only tabs and line breaks may be used, remove it"}}]
    assert added(database) == ["A-1", "A-3"]


def test_an_mrn_with_a_control_character_is_reported_escaped(database):
    job = run_import(database, HEADER + "A-\x019,Alan,Turing,1954-06-23\n")
    assert job.rejected[0]["mrn"] == "A-\\x019" and set(job.rejected[0]["errors"]) == {"mrn"}


def test_the_file_kept_for_the_import_holds_no_control_character(database):
    with database.transaction() as session:
        job = patient_imports.create_job(session, "people.csv", HEADER + "A-9,Alan\x00,Turing,1954-06-23\n",
                                         by="carl")
        assert "\x00" not in job.content and job.total_rows == 1


def test_a_file_name_with_a_control_character_is_refused(database):
    with database.transaction() as session, pytest.raises(InvalidInput, match="the file name contains a control"):
        patient_imports.create_job(session, "people\x00.csv", HEADER + ADA, by="carl")


def test_a_file_with_carriage_returns_for_line_ends_is_read_line_by_line(database):
    job = run_import(database, (HEADER + ADA + "A-2,,Turing,1954-06-23\n").replace("\n", "\r"))
    assert (job.added, [r["line"] for r in job.rejected]) == (1, [3])


def test_each_imported_patient_has_the_patient_added_event_of_one_added_by_hand(database):
    with database.transaction() as session:
        patients.add_patient(session, PatientInput(mrn="B-1", given_name="Bea", family_name="Hand",
                                                   birth_date="1960-01-01"), by="carl")
    run_import(database, HEADER + ADA + ALAN)
    with database.transaction() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "patient_added")
                                 .order_by(AuditEvent.patient_id)).all()
        assert [(e.actor, e.patient_id, e.details) for e in events] == [
            ("carl", "A-1", {"mrn": "A-1"}), ("carl", "A-2", {"mrn": "A-2"}), ("carl", "B-1", {"mrn": "B-1"})]


def test_a_refused_row_has_no_patient_added_event(database):
    run_import(database, HEADER + "A-1,,Lovelace,1950-12-10\n")
    with database.transaction() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "patient_added")).all() == []
