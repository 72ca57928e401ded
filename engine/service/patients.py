"""Use cases of the patient registry: find, add, read (audited) a patient and their page, import many from CSV."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.care import access, characters, patient_imports, patients
from engine.care.access import Access
from engine.care.actors import Actor
from engine.care.patients import PatientInput
from engine.errors import InvalidInput, NotFound
from engine.models import ImportJob, Patient
from engine.read import patient_page
from engine.read.patient_page import PatientPage
from engine.store import audit

MAX_PAGE = 2**31 - 1  # there cannot be more pages than patients


@dataclass
class PatientList:
    patients: list[Patient]
    programs: dict[str, list[str]]  # patient id -> the programs they are in now
    total: int
    page: int
    page_size: int
    access: dict[str, Access] = field(default_factory=dict)  # the patients whose record the viewer may open

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


class PatientUseCases:
    def find_patients(self, text: str | None = None, page: int = 1, page_size: int = 50,
                      viewer: Actor | None = None) -> PatientList:
        """Patients whose name has a word starting with each word of `text` (any order) or whose MRN starts
        with it (up to 100), else a page of all of them by name; with the programs each is in now. With a
        `viewer`, the read is audited (one event naming the search and the patients shown), and `access` says
        which of them the viewer may open (their care team's; the others by breaking the glass)."""
        text = (text or "").strip()[:100]
        if not 1 <= page <= MAX_PAGE:
            raise InvalidInput(f"the page must be a number from 1 to {MAX_PAGE}")
        characters.require_text("the search text", text)  # before it is audited
        with self.transaction("list patients") as session:
            if text:
                found = patients.search(session, text, limit=100)
                total = len(found)
            else:
                found = patients.list_patients(session, limit=page_size, offset=(page - 1) * page_size)
                total = patients.count_patients(session)
            programs = patients.current_programs(session, [p.id for p in found])
            allowed = access.readable(session, viewer, [p.id for p in found]) if viewer is not None else {}
            if viewer is not None:
                audit.record(session, "patients_listed", viewer.name, details={
                    "search": text or None, "page": page, "patients": [p.id for p in found]})
        return PatientList(found, programs, total, page, page_size, allowed)

    def patients_by_id(self, patient_ids) -> dict[str, Patient]:
        """The registered patients among these ids (MRNs), by id; no view of their records is recorded."""
        with self.reading() as session:
            return patients.patients_by_id(session, list(patient_ids))

    def add_patient(self, fields: PatientInput, actor: Actor) -> Patient:
        """Register a patient; every field is checked and a refusal names each one (PatientInvalid)."""
        with self.transaction(f"add patient {fields.mrn}") as session:
            return patients.add_patient(session, fields, by=actor.name)

    def patient(self, patient_id: str, viewer: Actor | None = None) -> Patient:
        """A patient's record; with a `viewer`, for someone who may read it (engine.care.access), audited."""
        with self.transaction(f"read patient {patient_id}") as session:
            if viewer is not None:
                patients.get_patient(session, patient_id)
                access.require_patient(session, viewer, patient_id)
            return patients.get_patient(session, patient_id, viewer=viewer.name if viewer else None)

    def patient_page(self, patient_id: str, viewer: Actor) -> PatientPage:
        """Everything a patient's page shows, in one transaction, for someone who may read the record (their
        care team, its leads, admins, or by breaking the glass: engine.care.access); audited as views of the
        record and the data."""
        with self.transaction(f"read patient {patient_id}") as session:
            return patient_page.patient_page(session, self.runtime, patient_id, viewer)

    # ------------------------------------------------------------------------------------------------ imports
    def import_patients(self, filename: str, content: bytes | str, actor: Actor) -> ImportJob:
        """Check a CSV file's shape (a wrong header is refused at once) and keep its rows to import; the import
        itself runs as background work (`run_patient_import`)."""
        with self.transaction(f"import {filename}") as session:
            return patient_imports.create_job(session, filename, content, by=actor.name)

    def run_patient_import(self, import_id: int) -> ImportJob | None:
        """Import the rows in batches, each batch one transaction, so progress shows and a run after a crash
        goes on from the last batch; None when it failed (the import records why)."""
        return patient_imports.run_job(self.db, import_id)

    def patient_import(self, import_id: int, viewer: Actor) -> ImportJob:
        """An import's progress, for the person who started it (or an admin): to anyone else it does not exist."""
        with self.reading() as session:
            job = patient_imports.get_job(session, import_id)
            if job.created_by != viewer.name and not viewer.is_admin:
                raise NotFound(f"no import {import_id}")
            return job
