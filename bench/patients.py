"""Patients in the registry for the benchmarks: a pathway starts only for a registered patient. They are added
in the set-up, all in one transaction, outside every timed part."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.models import Patient
from engine.store.database import Database
from engine.time import clock


def register_patients(db: Database, patient_ids) -> None:
    """A plain synthetic record for each patient id (its MRN) the registry does not have yet."""
    ids = list(dict.fromkeys(patient_ids))
    now = clock.now()
    with db.transaction() as session:
        known = set(session.scalars(select(Patient.id).where(Patient.id.in_(ids))))
        session.add_all(Patient(id=i, mrn=i, given_name="Bench", family_name=i, search_name=f"{i.lower()} bench",
                                birth_date=date(1950, 1, 1), sex="unknown", created_at=now, updated_at=now,
                                created_by="bench") for i in ids if i not in known)
