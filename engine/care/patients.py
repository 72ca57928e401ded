"""The patient registry: add, find, read (audited) and search patients."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.care import patient_search
from engine.care.accounts import EMAIL
from engine.care.characters import holds_refused, refused_character, shown
from engine.errors import InvalidInput, NotFound
from engine.models import Instance, InstanceStatus, Patient
from engine.models.patient import RISK_TIERS  # noqa: F401 - the tiers a patient record takes
from engine.store import audit
from engine.time import clock

MRN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,49}$")
SEXES = ("female", "male", "other", "unknown")
TEXT_LIMITS = {"given_name": 100, "family_name": 100, "phone": 40, "email": 320, "address": 500,
               "primary_care_provider": 200, "preferred_language": 50}
TEXT_FIELDS = ("mrn", "given_name", "family_name", "birth_date", "sex", "phone", "email", "address",
               "primary_care_provider", "preferred_language")


@dataclass
class PatientInput:
    """The fields of a new patient, as typed in a form or a CSV row (all text)."""

    mrn: str = ""
    given_name: str = ""
    family_name: str = ""
    birth_date: str = ""
    sex: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    primary_care_provider: str = ""
    preferred_language: str = ""
    conditions: list[str] = field(default_factory=list)


class PatientInvalid(InvalidInput):
    """A patient's fields were refused: `errors` maps field name -> message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


def check(fields: PatientInput, today: date | None = None) -> dict:
    """The patient's values, cleaned; raises PatientInvalid naming every field that is wrong."""
    today = today or clock.now().date()
    errors: dict[str, str] = {}
    values: dict = {}
    mrn = (fields.mrn or "").strip()
    if not mrn:
        errors["mrn"] = "Enter the medical record number"
    elif not MRN.match(mrn):
        errors["mrn"] = "Use up to 50 letters, digits or '-'"
    values["mrn"] = mrn
    for name in ("given_name", "family_name"):
        text = " ".join((getattr(fields, name) or "").split())
        if not text:
            errors[name] = "Enter the " + ("given name" if name == "given_name" else "family name")
        values[name] = text
    birth = (fields.birth_date or "").strip()
    try:
        values["birth_date"] = date.fromisoformat(birth)
        if values["birth_date"] > today:
            errors["birth_date"] = "The birth date is in the future"
        elif values["birth_date"].year < 1900:
            errors["birth_date"] = "The birth date is before 1900"
    except ValueError:
        errors["birth_date"] = "Enter the birth date as YYYY-MM-DD" if birth else "Enter the birth date"
    sex = (fields.sex or "").strip().lower() or "unknown"
    if sex not in SEXES:
        errors["sex"] = f"Choose one of {', '.join(SEXES)}"
    values["sex"] = sex
    for name in ("phone", "email", "address", "primary_care_provider", "preferred_language"):
        text = (getattr(fields, name) or "").strip()
        if len(text) > TEXT_LIMITS[name]:
            errors[name] = f"At most {TEXT_LIMITS[name]} characters"
        values[name] = text or None
    for name in ("given_name", "family_name"):
        if len(values[name]) > TEXT_LIMITS[name]:
            errors[name] = f"At most {TEXT_LIMITS[name]} characters"
    if values["email"] and not EMAIL.match(values["email"]):
        errors["email"] = "Enter an e-mail address like name@example.org"
    if values["phone"] and "phone" not in errors and not _is_phone(values["phone"]):
        errors["phone"] = "Enter a phone number of 7 to 15 digits, like 555-123-4567 or +1 555 123 4567"
    conditions = [" ".join(c.split()) for c in fields.conditions if c and c.strip()]
    if any(len(c) > 200 for c in conditions):
        errors["conditions"] = "A condition's name has at most 200 characters"
    values["conditions"] = [{"name": c, "lasting_12_months": True} for c in conditions]
    errors.update(_refused_characters(fields))  # said before anything else about such a field
    if errors:
        raise PatientInvalid(errors)
    return values


PHONE = re.compile(r"^\+?[0-9 ().\-/]+(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)


def _is_phone(text: str) -> bool:
    """Digits with the usual separators (spaces, dashes, dots, brackets), a leading + and an extension."""
    if not PHONE.match(text):
        return False
    number = re.split(r"(?i)x|ext", text)[0]
    return 7 <= sum(c.isdigit() for c in number) <= 15


def _refused_characters(fields: PatientInput) -> dict[str, str]:
    """The fields holding a character no input may hold (a NUL, another control character), by name."""
    found = {}
    for name in TEXT_FIELDS:
        if problem := refused_character(getattr(fields, name) or ""):
            found[name] = problem[:1].upper() + problem[1:]
    for condition in fields.conditions or ():
        if problem := refused_character(condition or ""):
            found["conditions"] = "A condition " + problem
            break
    return found


def add_patient(session: Session, fields: PatientInput, by: str) -> Patient:
    values = check(fields)
    taken = session.scalar(select(func.count()).select_from(Patient).where(
        or_(Patient.mrn == values["mrn"], Patient.id == values["mrn"])))
    if taken:
        raise PatientInvalid({"mrn": f"A patient with MRN {values['mrn']} already exists"})
    patient = register(session, values, by, clock.now())
    session.flush()
    return patient


def register(session: Session, values: dict, by: str, now) -> Patient:
    """Add a patient with checked values (`check`), and the audit event their history starts with: the same
    for one patient added by hand and for each row of a CSV import."""
    patient = Patient(id=values["mrn"], search_name=search_key(values["given_name"], values["family_name"]),
                      created_at=now, updated_at=now, created_by=by, **values)
    session.add(patient)
    audit.record(session, "patient_added", by, patient_id=patient.id, details={"mrn": patient.mrn})
    return patient


EDITABLE = ("given_name", "family_name", "birth_date", "sex", "phone", "email", "address", "primary_care_provider",
            "preferred_language", "conditions")


def update_patient(session: Session, patient_id: str, fields: PatientInput, by: str) -> dict:
    """Change a patient's demographics (the MRN stays: it is the id other systems know them by); every field
    is checked as for a new patient. Audited with the old and new value of each field that changed; returns
    those changes ({} when nothing changed)."""
    patient = get_patient(session, patient_id)
    fields.mrn = patient.mrn
    values = check(fields)
    changes = {}
    for name in EDITABLE:
        before, after = getattr(patient, name), values[name]
        if name == "conditions":
            before, after = patient.condition_names, [c["name"] for c in after]
            if before != after:
                patient.conditions = values["conditions"]
        elif before != after:
            setattr(patient, name, after)
        if before != after:
            changes[name] = {"before": _plain(before), "after": _plain(after)}
    if not changes:
        return {}
    patient.search_name = search_key(patient.given_name, patient.family_name)
    patient.updated_at = clock.now()
    audit.record(session, "patient_updated", by, patient_id=patient.id, details=changes)
    session.flush()
    return changes


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def search_key(given_name: str, family_name: str) -> str:
    return f"{family_name} {given_name}".lower()


def get_patient(session: Session, patient_id: str, viewer: str | None = None) -> Patient:
    """The patient; when `viewer` is given, the view is an audit event. An id holding a control character
    names no patient (none can be stored)."""
    patient = None if holds_refused(patient_id) else session.get(Patient, patient_id)
    if patient is None:
        raise NotFound(f"no patient '{shown(patient_id)}'")
    if viewer is not None:
        audit.record(session, "patient_viewed", viewer, patient_id=patient.id)
    return patient


def patients_by_id(session: Session, ids) -> dict[str, Patient]:
    ids = list({i for i in ids if i and not holds_refused(i)})  # such an id names no patient
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Patient).where(Patient.id.in_(ids)))}


def matching_ids(text: str):
    """A select of the ids of patients matching `text`: every word the start of a word of their name, in any
    order ("Heather", "Lang, Heather"), or the start of their MRN (engine.care.patient_search)."""
    return patient_search.matching_ids(text)


def search(session: Session, text: str, limit: int = 50) -> list[Patient]:
    return list(session.scalars(patient_search.search_query(text, limit)))


def list_patients(session: Session, limit: int = 50, offset: int = 0) -> list[Patient]:
    return list(session.scalars(select(Patient).order_by(Patient.search_name).limit(limit).offset(offset)))


def current_programs(session: Session, patient_ids) -> dict[str, list[str]]:
    """The programs each patient is in now (running, suspended or stopped by an error), by patient id: one
    query for a page of patients."""
    found: dict[str, list[str]] = {}
    rows = session.execute(select(Instance.patient_id, Instance.program).where(
        Instance.patient_id.in_(list(patient_ids)), Instance.status.not_in(InstanceStatus.ENDED))
        .order_by(Instance.patient_id, Instance.started_at))
    for patient_id, program in rows:
        found.setdefault(patient_id, []).append(program)
    return found


def count_patients(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Patient)) or 0
