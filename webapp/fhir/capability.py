"""The server's CapabilityStatement (`GET /fhir/R4/metadata`): what it reads, searches and takes."""
from __future__ import annotations

PATIENT_PARAM = {"name": "patient", "type": "reference", "documentation": "The patient (Patient/<MRN>, or the MRN)"}
SUBJECT_PARAM = {"name": "subject", "type": "reference", "documentation": "The same as patient"}
PAGING = [{"name": "_count", "type": "number", "documentation": "Entries per page (1 to 100)"},
          {"name": "_cursor", "type": "string", "documentation": "The next page (from the Bundle's next link)"}]
READ_SEARCH = [{"code": "read"}, {"code": "search-type"}]

RESOURCES = {
    "Patient": ("Patients of the registry", [
        {"name": "_id", "type": "token", "documentation": "The patient's id (their MRN)"},
        {"name": "identifier", "type": "token", "documentation": "system|MRN, or the MRN"},
        {"name": "name", "type": "string", "documentation": "Name words (any order, prefixes) or an MRN"}]),
    "Task": ("Inbox tasks: status, owner, performerType (the role), restriction.period.end (due), priority",
             [PATIENT_PARAM, SUBJECT_PARAM,
              {"name": "status", "type": "token", "documentation": "ready, in-progress, completed, cancelled"}]),
    "CarePlan": ("The care plan record: one per program (program-<instance>) and one across programs "
                 "(patient-<MRN>)", [PATIENT_PARAM, SUBJECT_PARAM]),
    "Goal": ("Goals of the care plan record", [PATIENT_PARAM, SUBJECT_PARAM]),
    "CareTeam": ("The patient's care team, every membership with its period (id: the patient's MRN)",
                 [PATIENT_PARAM, SUBJECT_PARAM]),
    "QuestionnaireResponse": ("Completed task forms: the answers as submitted", [PATIENT_PARAM, SUBJECT_PARAM]),
    "AuditEvent": ("The patient's history (reads of the record left out, as on the patient's page)",
                   [PATIENT_PARAM]),
}
CREATES = {
    "Encounter": "A discharge (hospitalization.dischargeDisposition, period.end) starts Transitional Care "
                 "Management; idempotent by identifier",
    "Observation": "HbA1c (LOINC 4548-4), body weight (29463-7, 3141-9) or blood pressure (85354-9), delivered to "
                   "the patient's waiting pathways as a message; idempotent by identifier",
}


def capability_statement(base: str, moment: str, software_version: str) -> dict:
    resources = [{"type": name, "documentation": text, "interaction": READ_SEARCH,
                  "searchParam": params + PAGING} for name, (text, params) in RESOURCES.items()]
    resources += [{"type": name, "documentation": text, "interaction": [{"code": "create"}],
                   "conditionalCreate": True} for name, text in CREATES.items()]
    return {
        "resourceType": "CapabilityStatement", "status": "active", "date": moment, "kind": "instance",
        "publisher": "carepath", "fhirVersion": "4.0.1", "format": ["json"],
        "software": {"name": "carepath", "version": software_version},
        "implementation": {"description": "carepath: care pathways for a care team", "url": base},
        "rest": [{"mode": "server",
                  "documentation": "Read and search need the scope fhir:read (API clients) or a clinical role (a "
                                   "person's session); Encounter and Observation need fhir:write. Reads are "
                                   "audited, and follow the care team's access rules for people.",
                  "security": {"description": "Bearer tokens of API clients (carepath clients add), or the web "
                                              "app's session"},
                  "resource": resources}],
    }
