"""Patients: search and list, read one, create or update by MRN (PUT: the same request twice changes nothing)."""
from __future__ import annotations

from engine.service import PatientInput
from webapp.api import auth, paging, schemas
from webapp.api.base import make
from webapp.extensions import service

bp = make("api-patients", "Patients", "The patient registry: search, read, create or update by MRN")


def patient_dict(patient, programs=None, **extra) -> dict:
    return {"id": patient.id, "mrn": patient.mrn, "given_name": patient.given_name,
            "family_name": patient.family_name, "birth_date": patient.birth_date, "sex": patient.sex,
            "phone": patient.phone, "email": patient.email, "address": patient.address,
            "primary_care_provider": patient.primary_care_provider, "preferred_language": patient.preferred_language,
            "risk_tier": patient.risk_tier, "conditions": list(patient.condition_names),
            "created_at": patient.created_at, "updated_at": patient.updated_at,
            **({"programs": programs} if programs is not None else {}), **extra}


@bp.route("/patients")
@bp.arguments(schemas.PatientQuery, location="query")
@bp.response(200, schemas.PatientPage)
@auth.needs("patients:read")
def list_patients(query):
    """Search patients by name or MRN, or list them all by name.

    A person sees the patients whose record they may open (their care team's: the same rule as the patient's
    page); a service account every patient. A search answers one page of at most 100 matches."""
    limit = query["limit"]
    page = (paging.decode("patients", query, query["cursor"]) or 0) + 1
    found = service().find_patients(query["q"], page, limit, viewer=auth.caller().actor)
    readable = [p for p in found.patients if not auth.caller().person or p.id in found.access]
    more = not query["q"] and page * limit < found.total
    return {"items": [patient_dict(p, found.programs.get(p.id, [])) for p in readable], "total": found.total,
            "next_cursor": paging.encode("patients", query, page) if more else None}


@bp.route("/patients/<patient_id>")
@bp.response(200, schemas.PatientOut)
@auth.needs("patients:read")
def get_patient(patient_id: str):
    """A patient's record (the read is audited)."""
    return patient_dict(service().patient(patient_id, viewer=auth.caller().actor))


@bp.route("/patients/<patient_id>", methods=["PUT"])
@bp.arguments(schemas.PatientIn)
@bp.response(200, schemas.PatientSaved, description="Updated (or unchanged)")
@bp.alt_response(201, schema=schemas.PatientSaved, description="Created")
@auth.needs("patients:write", auth.MANAGE_PATIENTS)
def put_patient(body, patient_id: str):
    """Create the patient with this MRN, or update their record to these fields.

    Every field is checked and a refusal names each one (400, `errors`). An update is audited with the old and
    new value of each field that changed; sending the same record again changes nothing."""
    fields = PatientInput(mrn=patient_id, **{k: v for k, v in body.items() if k not in ("conditions", "birth_date")},
                          birth_date=body["birth_date"].isoformat(), conditions=list(body["conditions"]))
    saved = service().upsert_patient(fields, auth.caller().actor)
    return patient_dict(saved.patient, created=saved.created, changes=saved.changes), 201 if saved.created else 200
