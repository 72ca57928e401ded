"""The pathways reports are about, worked through the service as care teams work them (the helpers of the
reports' tests; the fixtures are in conftest.py):

- `ccm_lite` (tests/reports/bundles/ccm_lite): a CCM program with the shipped stages' data contract in three
  stages (consent in Engagement, the care plan and risk tier in Planning, monthly reviews with PHQ-9 and GAD-7
  scores, HbA1c and weight in Evaluation);
- the shipped TCM pathway (pathways/bpmn/tcm.bpmn), started by a hospital discharge message.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from engine.care.actors import Actor
from engine.service import SYSTEM, LoggedTime, PatientInput
from tests.pathways.library import deploy_stages

TODAY = "2027-03-15"  # the reports' clock: a Monday
LITE = Path(__file__).resolve().parent / "bundles" / "ccm_lite"
CARL = Actor.person("carl", "care_manager")
NINA = Actor.person("nina", "nurse", "care_manager")
ADA = Actor.person("admin", "admin")


def at(day: str, hour: int = 15) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=timezone.utc)


def _tcm_deployed(service) -> None:
    if not any(p["id"] == "tcm" for d in service.versions() for p in d.processes):
        deploy_stages(service, "tcm")


def task_of(service, instance_id: int, element_id: str):
    found = [t for t in service.tasks(instance_id=instance_id) if t.element_id == element_id]
    assert found, f"no open {element_id} in instance {instance_id}"
    return found[0]


def add_patient(service, patient_id: str, practitioner: str | None = "Dr. Rivera", given: str = "Test",
                family: str | None = None) -> None:
    """A patient in the registry (the id is their MRN), with a primary care provider: the billing practitioner."""
    if not service.patients_by_id([patient_id]):
        service.add_patient(PatientInput(mrn=patient_id, given_name=given, family_name=family or f"Patient {patient_id}",
                                         birth_date="1950-01-01", primary_care_provider=practitioner), SYSTEM)


def enrol(service, clock, patient_id: str, *, consent_on: str | None = "2027-01-05",
          plan_on: str | None = "2027-01-10", tier: str = "high", by: Actor = CARL, minutes: int = 0,
          practitioner: str | None = "Dr. Rivera") -> int:
    """A patient in CCM with consent and an agreed care plan on those days (None: not given / still a draft),
    their tasks done by `by` on the days they name. Returns the instance id."""
    add_patient(service, patient_id, practitioner)
    clock.set(at(consent_on or "2027-01-05", 9))
    instance = service.start("ccm", patient_id, {}, by)
    consent = task_of(service, instance.id, "record_consent")
    service.claim(consent.id, by)
    given = {"given": True, "date": consent_on} if consent_on else {"given": False}
    service.complete(consent.id, {"consent": given, **({"minutes_spent": minutes} if minutes else {})}, by)
    if plan_on is not None or consent_on is not None:
        clock.set(at(plan_on, 9) if plan_on else at(consent_on or "2027-01-05", 11))
        plan = task_of(service, instance.id, "agree_plan")
        plan_data = {"status": "active", "agreed_on": plan_on} if plan_on else {"status": "draft"}
        service.complete(plan.id, {"care_plan": plan_data, "risk_tier": tier}, ADA)
    clock.set(at(TODAY))
    return instance.id


def review(service, clock, instance_id: int, day: str, *, phq9: int | None = None, gad7: int | None = None,
           hba1c: float | None = None, kg: float | None = None, decision: str = "continue", by: Actor = CARL,
           claimed_hour: int = 10, hour: int = 11) -> None:
    """A monthly review on `day`: claimed at `claimed_hour`, completed at `hour`, with the scores and
    measurements given."""
    clock.set(at(day, claimed_hour))
    task = task_of(service, instance_id, "monthly_review")
    service.claim(task.id, by)
    clock.set(at(day, hour))
    given = {"phq9_total": phq9, "gad7_total": gad7, "hba1c": hba1c, "weight_kg": kg}
    data = {"decision": decision, **{k: v for k, v in given.items() if v is not None}}
    service.complete(task.id, data, by)


def log(service, patient_id: str, day: str, minutes: int, who: str = "carl", activity: str = "Call with the patient",
        actor: Actor = CARL, program: str | None = None):
    return service.log_time(patient_id, LoggedTime(day, minutes, activity, who, program), actor)


def discharge(service, clock, patient_id: str, day: str, complexity: str = "high") -> int:
    """A hospital discharge on `day` (the message comes that afternoon): starts TCM. Returns the instance id."""
    _tcm_deployed(service)
    add_patient(service, patient_id)
    clock.set(at(day, 16))
    result = service.correlate("hospital_discharge", {"patient_id": patient_id}, {
        "discharge_date": day, "facility": "General Hospital", "diagnoses": ["Heart failure"],
        "complexity": complexity, "medications": [{"name": "Furosemide", "dose": "40 mg"}]})
    assert result.started, result
    return result.started[0]


def contact(service, clock, instance_id: int, day: str, outcome: str = "reached_patient", attempts: int = 1):
    clock.set(at(day, 12))
    task = task_of(service, instance_id, "interactive_contact")
    service.complete(task.id, {"tcm_contact": {"outcome": outcome, "date": day, "method": "telephone",
                                               "attempts": attempts}}, ADA)


def reconcile(service, clock, instance_id: int, day: str):
    clock.set(at(day, 12))
    task = task_of(service, instance_id, "medication_reconciliation")
    service.complete(task.id, {"medication_reconciliation": {"date": day, "sources": ["discharge_summary"],
                                                             "discrepancies_found": 0}}, ADA)


def visit(service, clock, instance_id: int, day: str, mdm: str = "high"):
    clock.set(at(day, 12))
    task = task_of(service, instance_id, "face_to_face_visit")
    service.complete(task.id, {"tcm_visit": {"date": day, "setting": "office", "medical_decision_making": mdm}},
                     ADA)


