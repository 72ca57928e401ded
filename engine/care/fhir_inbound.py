"""FHIR resources other systems post, read as the messages the pathways wait for:

- an `Encounter` whose patient went home from hospital (`hospitalization.dischargeDisposition`, with the day in
  `period.end`) is the `hospital_discharge` message that starts Transitional Care Management;
- an `Observation` is the result the patient's pathways watch: an HbA1c (LOINC 4548-4) is a `lab_result`
  (diabetes), a body weight (29463-7, 3141-9) or a blood pressure (85354-9, its systolic 8480-6 and diastolic
  8462-4 components) an `observation` (heart failure).

Each is idempotent by the resource's `identifier` (system|value): the same resource posted again changes
nothing and gets the first answer (engine.service.integration). Every problem names the element it is about.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from engine.care.characters import refused_in
from engine.errors import InvalidInput

LOINC = "http://loinc.org"
HBA1C = ("4548-4", "17856-6", "4549-2")
WEIGHT = ("29463-7", "3141-9")
BLOOD_PRESSURE = "85354-9"
SYSTOLIC, DIASTOLIC = "8480-6", "8462-4"
# dispositions that are no discharge home: TCM starts when the patient goes home (or never: they died)
NOT_HOME = {"exp": "the patient died in hospital", "hosp": "the patient moved to another hospital",
            "other-hcf": "the patient moved to another health care facility", "long": "the patient moved to long-term care",
            "psy": "the patient moved to a psychiatric hospital", "rehab": "the patient moved to a rehabilitation facility",
            "snf": "the patient moved to a skilled nursing facility"}
COMPLEXITY_EXTENSION = "https://carepath.example/fhir/StructureDefinition/tcm-complexity"
FINAL = ("final", "amended", "corrected")


@dataclass(frozen=True)
class Inbound:
    """What a posted resource says: the message it is (`name` None: none, `why` says so), for which patient,
    under which identifier."""

    resource_type: str
    identifier: str
    patient_id: str
    name: str | None
    payload: dict = field(default_factory=dict)
    why: str | None = None

    @property
    def keys(self) -> dict:
        return {"patient_id": self.patient_id}


def _require(resource, resource_type: str) -> dict:
    if not isinstance(resource, dict):
        raise InvalidInput(f"the body must be a FHIR {resource_type} (a JSON object)")
    if resource.get("resourceType") != resource_type:
        raise InvalidInput(f"resourceType: expected {resource_type}, found {str(resource.get('resourceType'))[:50]!r}")
    for path, problem in refused_in(resource):
        raise InvalidInput(f"{'.'.join(map(str, path)) or resource_type} {problem}")
    return resource


def _identifier(resource: dict) -> str:
    for item in resource.get("identifier") or ():
        if isinstance(item, dict) and isinstance(item.get("value"), str) and item["value"].strip():
            system = item.get("system") if isinstance(item.get("system"), str) else ""
            return f"{system}|{item['value'].strip()}"[:400]
    raise InvalidInput("identifier: give the resource an identifier (system and value); it makes a resource sent "
                       "twice count once")


def _patient(resource: dict, mrn_system: str) -> str:
    subject = resource.get("subject")
    if not isinstance(subject, dict):
        raise InvalidInput("subject: name the patient (a reference Patient/<MRN>, or an identifier with the MRN)")
    reference = subject.get("reference")
    if isinstance(reference, str) and reference.startswith("Patient/") and len(reference) > 8:
        return reference[8:].split("/")[0]
    identifier = subject.get("identifier")
    if isinstance(identifier, dict) and isinstance(identifier.get("value"), str) and identifier["value"].strip():
        system = identifier.get("system")
        if system not in (None, "", mrn_system):
            raise InvalidInput(f"subject.identifier.system: patients are known by their MRN ({mrn_system}), not "
                               f"{str(system)[:100]}")
        return identifier["value"].strip()
    raise InvalidInput("subject: name the patient (a reference Patient/<MRN>, or an identifier with the MRN)")


def _day(text, where: str) -> str:
    if not isinstance(text, str) or len(text) < 10:
        raise InvalidInput(f"{where}: expected a date or date-time (YYYY-MM-DD...)")
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        raise InvalidInput(f"{where}: {text[:40]!r} is not a date or date-time") from None


def _codes(concept) -> list[dict]:
    if not isinstance(concept, dict):
        return []
    return [c for c in concept.get("coding") or () if isinstance(c, dict)]


def _display(concept) -> str | None:
    if not isinstance(concept, dict):
        return None
    if isinstance(concept.get("text"), str):
        return concept["text"]
    return next((c.get("display") for c in _codes(concept) if isinstance(c.get("display"), str)), None)


# ------------------------------------------------------------------------------------------------ Encounter
def encounter(resource, mrn_system: str) -> Inbound:
    """A hospital encounter: the `hospital_discharge` message when the patient went home from it."""
    resource = _require(resource, "Encounter")
    identifier = _identifier(resource)
    patient_id = _patient(resource, mrn_system)
    hospitalization = resource.get("hospitalization") if isinstance(resource.get("hospitalization"), dict) else {}
    disposition = hospitalization.get("dischargeDisposition")
    if not isinstance(disposition, dict):
        return Inbound("Encounter", identifier, patient_id, None,
                       why="the encounter has no discharge disposition (hospitalization.dischargeDisposition): no "
                           "discharge, nothing started")
    code = next((c.get("code") for c in _codes(disposition) if isinstance(c.get("code"), str)), None)
    if code in NOT_HOME:
        return Inbound("Encounter", identifier, patient_id, None,
                       why=f"{NOT_HOME[code]} (discharge disposition {code}): no transitional care, nothing started")
    period = resource.get("period") if isinstance(resource.get("period"), dict) else {}
    if not period.get("end"):
        raise InvalidInput("period.end: a discharge needs its date and time (the day the patient went home)")
    if resource.get("status") not in (None, "finished"):
        raise InvalidInput(f"status: a discharged encounter is finished, not {str(resource.get('status'))[:30]!r}")
    payload = {"discharge_date": _day(period["end"], "period.end"), "encounter": identifier,
               "disposition": code or _display(disposition),
               "facility": _facility(resource), "diagnoses": _diagnoses(resource)}
    complexity = _complexity(resource)
    if complexity:
        payload["complexity"] = complexity
    return Inbound("Encounter", identifier, patient_id, "hospital_discharge", payload)


def _facility(resource: dict) -> str | None:
    provider = resource.get("serviceProvider")
    if isinstance(provider, dict) and isinstance(provider.get("display"), str):
        return provider["display"][:200]
    for item in resource.get("location") or ():
        location = item.get("location") if isinstance(item, dict) else None
        if isinstance(location, dict) and isinstance(location.get("display"), str):
            return location["display"][:200]
    return None


def _diagnoses(resource: dict) -> list[dict]:
    found = []
    for item in resource.get("diagnosis") or ():
        condition = item.get("condition") if isinstance(item, dict) else None
        if isinstance(condition, dict) and isinstance(condition.get("display"), str):
            found.append({"name": condition["display"][:200]})
    for concept in resource.get("reasonCode") or ():
        for coding in _codes(concept):
            found.append({"code": str(coding.get("code") or "")[:50],
                          "name": str(coding.get("display") or _display(concept) or "")[:200]})
    return found[:20]


def _complexity(resource: dict) -> str | None:
    for extension in resource.get("extension") or ():
        if isinstance(extension, dict) and extension.get("url") == COMPLEXITY_EXTENSION:
            value = extension.get("valueCode")
            if value not in ("high", "moderate"):
                raise InvalidInput(f"extension[{COMPLEXITY_EXTENSION}].valueCode: high or moderate, not "
                                   f"{str(value)[:30]!r}")
            return value
    return None


# ------------------------------------------------------------------------------------------------ Observation
def observation(resource, mrn_system: str) -> Inbound:
    """A result: `lab_result` (HbA1c) or `observation` (weight, blood pressure), payload {code, name, value,
    unit, date} (a blood pressure: systolic and diastolic instead of value)."""
    resource = _require(resource, "Observation")
    identifier = _identifier(resource)
    patient_id = _patient(resource, mrn_system)
    if resource.get("status") not in FINAL:
        return Inbound("Observation", identifier, patient_id, None,
                       why=f"the observation is {str(resource.get('status'))[:30]!r}, not final: nothing sent")
    loinc = [c for c in _codes(resource.get("code")) if c.get("system") == LOINC and isinstance(c.get("code"), str)]
    code = next((c["code"] for c in loinc if c["code"] in (*HBA1C, *WEIGHT, BLOOD_PRESSURE)), None)
    if code is None:
        raise InvalidInput("code: carepath takes an HbA1c (LOINC 4548-4), a body weight (29463-7 or 3141-9) or a "
                           f"blood pressure (85354-9), coded in {LOINC}")
    when = resource.get("effectiveDateTime") or (resource.get("effectivePeriod") or {}).get("start") \
        or resource.get("issued")
    payload = {"code": code, "name": _display(resource.get("code")) or _NAMES[_kind(code)],
               "date": _day(when, "effectiveDateTime"), "observation": identifier}
    if code == BLOOD_PRESSURE:
        payload |= _pressure(resource)
    else:
        value, unit = _quantity(resource.get("valueQuantity"), "valueQuantity")
        payload |= {"value": value, "unit": unit}
    return Inbound("Observation", identifier, patient_id, "lab_result" if code in HBA1C else "observation",
                   payload)


_NAMES = {"hba1c": "HbA1c", "weight": "Body weight", "pressure": "Blood pressure"}


def _kind(code: str) -> str:
    return "hba1c" if code in HBA1C else "weight" if code in WEIGHT else "pressure"


def _quantity(quantity, where: str) -> tuple[float, str | None]:
    if not isinstance(quantity, dict) or isinstance(quantity.get("value"), bool) \
            or not isinstance(quantity.get("value"), int | float):
        raise InvalidInput(f"{where}.value: the result needs a number")
    unit = quantity.get("code") or quantity.get("unit")
    return quantity["value"], str(unit)[:30] if unit is not None else None


def _pressure(resource: dict) -> dict:
    found = {}
    for number, component in enumerate(resource.get("component") or ()):
        codes = {c.get("code") for c in _codes(component.get("code") if isinstance(component, dict) else None)}
        for loinc, name in ((SYSTOLIC, "systolic"), (DIASTOLIC, "diastolic")):
            if loinc in codes:
                found[name], unit = _quantity(component.get("valueQuantity"), f"component[{number}].valueQuantity")
                found["unit"] = unit or "mm[Hg]"
    missing = [name for name in ("systolic", "diastolic") if name not in found]
    if missing:
        raise InvalidInput(f"component: a blood pressure needs its {' and '.join(missing)} value "
                           f"(LOINC {SYSTOLIC} and {DIASTOLIC})")
    return found
