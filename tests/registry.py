"""Patients in the registry for tests: a pathway starts only for a registered patient (engine.care.instances)."""
from __future__ import annotations

from engine.service import SYSTEM, CarePathways, PatientInput


def register(service, *patient_ids: str) -> None:
    """Add each patient id to the registry through the service, a plain synthetic record (the id is its MRN),
    unless the registry has it already."""
    known = service.patients_by_id(patient_ids)
    for patient_id in dict.fromkeys(patient_ids):
        if patient_id not in known:
            service.add_patient(PatientInput(mrn=patient_id, given_name="Test", family_name="Patient",
                                             birth_date="1950-01-01"), SYSTEM)


def register_at(database_url: str, *patient_ids: str) -> None:
    """The same on the database at `database_url`: the one a `carepath` command of a test uses."""
    service = CarePathways(database_url)
    try:
        register(service, *patient_ids)
    finally:
        service.db.dispose()
