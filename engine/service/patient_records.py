"""Use cases of a patient's record over time: edit the demographics, end a program with a reason, record a
hospital discharge (the message an external feed sends, so TCM starts), keep the care plan (goals, interventions,
barriers) between stages, and comment for the care team. Each checks access (engine.care.access) and is
audited."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from engine.care import access, care_plans, comments, patients
from engine.care import instances as instances_mod
from engine.care.actors import Actor
from engine.care.care_plans import ItemInput
from engine.care.characters import refused_character
from engine.care.messages import CorrelationResult
from engine.care.patients import PatientInput
from engine.care.tasks import get_task
from engine.errors import InvalidInput, InvalidState
from engine.models import CarePlanItem, Comment, Instance, InstanceStatus
from engine.store import audit
from engine.time import clock

END_REASONS = {"completed": "Completed", "declined": "Declined by the patient", "moved": "Moved away",
               "deceased": "Deceased"}
COMPLEXITIES = ("moderate", "high")
DISCHARGE_MESSAGE = "hospital_discharge"
TCM_DAYS = 30  # TCM covers the discharge day and the 29 days after it


@dataclass
class DischargeInput:
    """A hospital discharge as typed on the patient's page (what the hospital's feed would send)."""

    discharge_date: str = ""
    facility: str = ""
    complexity: str = "moderate"
    diagnoses: list[str] = field(default_factory=list)
    medications: list[str] = field(default_factory=list)  # "Furosemide 40 mg"


def discharge_payload(fields: DischargeInput, today: date) -> dict:
    """The message's payload, as an external feed sends it; InvalidInput naming what is wrong."""
    try:
        day = date.fromisoformat((fields.discharge_date or "").strip())
    except ValueError:
        raise InvalidInput("enter the discharge date as YYYY-MM-DD") from None
    if day > today:
        raise InvalidInput("the discharge date is in the future")
    if day < today - timedelta(days=TCM_DAYS - 1):
        raise InvalidInput(f"the discharge was more than {TCM_DAYS} days ago: its TCM period has ended")
    facility = " ".join((fields.facility or "").split())
    if not facility:
        raise InvalidInput("name the hospital or facility the patient was discharged from")
    if fields.complexity not in COMPLEXITIES:
        raise InvalidInput(f"the medical decision complexity is one of: {', '.join(COMPLEXITIES)}")
    lines = {"facility": [facility], "diagnoses": fields.diagnoses, "medications": fields.medications}
    for name, values in lines.items():
        for value in values:
            if problem := refused_character(value):
                raise InvalidInput(f"the {name} {problem}")
            if len(value) > 300:
                raise InvalidInput(f"each of the {name} has at most 300 characters")
    diagnoses = [" ".join(d.split()) for d in fields.diagnoses if d.strip()]
    medications = [_medication(m) for m in fields.medications if m.strip()]
    return {"discharge_date": day.isoformat(), "facility": facility[:300], "diagnoses": diagnoses,
            "complexity": fields.complexity, "medications": medications}


def _medication(line: str) -> dict:
    """"Furosemide 40 mg" -> {name: Furosemide, dose: 40 mg}: the dose starts at the first number."""
    words = " ".join(line.split()).split(" ")
    at = next((n for n, w in enumerate(words) if n and w[:1].isdigit()), len(words))
    return {"name": " ".join(words[:at]), "dose": " ".join(words[at:])}


class PatientRecordUseCases:
    def update_patient(self, patient_id: str, fields: PatientInput, actor: Actor) -> dict:
        """Change a patient's demographics; every field is checked as for a new patient (PatientInvalid names
        each one) and the change is audited with the old and new values. Returns the changes."""
        with self.transaction(f"update patient {patient_id}") as session:
            patients.get_patient(session, patient_id)
            access.require_change(session, actor, patient_id, "demographics")
            return patients.update_patient(session, patient_id, fields, actor.name)

    def end_program(self, instance_id: int, reason: str, actor: Actor, note: str = "") -> Instance:
        """End a patient's program with a reason (completed, declined, moved, deceased): its open tasks close
        and its timers and waits stop."""
        if reason not in END_REASONS:
            raise InvalidInput(f"say why the program ends: one of {', '.join(END_REASONS)}")
        note = " ".join((note or "").split())
        if problem := refused_character(note):
            raise InvalidInput(f"the note {problem}")
        if len(note) > 500:
            raise InvalidInput("the note has at most 500 characters")
        with self.transaction(f"end instance {instance_id}") as session:
            instance = instances_mod.get_instance(session, instance_id)
            access.require_change(session, actor, instance.patient_id, "programs")
            if instance.status in InstanceStatus.ENDED:
                raise InvalidState(f"{instance.program} has already ended ({instance.status})")
            said = END_REASONS[reason] + (f": {note}" if note else "")
            instances_mod.terminate(session, self.runtime, instance_id, actor, said)
            audit.record(session, "program_ended", actor.name, instance=instance,
                         details={"end_reason": reason, "program": instance.program, "note": note or None})
            return instance

    def record_discharge(self, patient_id: str, fields: DischargeInput, actor: Actor) -> CorrelationResult:
        """Record a hospital discharge from the patient's page: the same `hospital_discharge` message an
        external feed sends, so TCM starts (or the running TCM hears of it)."""
        with self.transaction(f"record a discharge of {patient_id}") as session:
            patients.get_patient(session, patient_id)
            access.require_change(session, actor, patient_id, "discharge")
        payload = discharge_payload(fields, clock.now().date())
        result = self.correlate(DISCHARGE_MESSAGE, {"patient_id": patient_id}, payload, actor)
        with self.transaction(f"record a discharge of {patient_id}") as session:
            audit.record(session, "discharge_recorded", actor.name, patient_id=patient_id, details={
                "facility": payload["facility"], "discharge_date": payload["discharge_date"],
                "started": result.started, "delivered": result.delivered, "refused": result.refused})
        return result

    # ------------------------------------------------------------------------------------------------ care plan
    def add_care_plan_item(self, patient_id: str, fields: ItemInput, actor: Actor,
                           instance_id: int | None = None) -> CarePlanItem:
        """Add a goal, intervention or barrier to the patient's plan, in one program (`instance_id`: while it
        runs, its pathway's plan gets it too) or across programs."""
        with self.transaction(f"change the care plan of {patient_id}") as session:
            patients.get_patient(session, patient_id)
            access.require_change(session, actor, patient_id, "care plan")
            instance = self._program_of(session, patient_id, instance_id)
            row = care_plans.add_item(session, patient_id, instance, fields, actor.name)
            self._into_pathway(session, instance, row, actor)
            return row

    def update_care_plan_item(self, patient_id: str, item_id: int, fields: ItemInput, actor: Actor) -> CarePlanItem:
        """Record progress on a plan item (status, note) or change its target, owner or dates."""
        with self.transaction(f"change the care plan of {patient_id}") as session:
            patients.get_patient(session, patient_id)
            access.require_change(session, actor, patient_id, "care plan")
            row = care_plans.update_item(session, patient_id, item_id, fields, actor.name)
            instance = instances_mod.get_instance(session, row.instance_id) if row.instance_id else None
            self._into_pathway(session, instance, row, actor)
            return row

    @staticmethod
    def _program_of(session, patient_id: str, instance_id: int | None) -> Instance | None:
        if instance_id is None:
            return None
        instance = instances_mod.get_instance(session, instance_id)
        if instance.patient_id != patient_id:
            raise InvalidInput(f"instance {instance_id} is not one of this patient's programs")
        return instance

    def _into_pathway(self, session, instance: Instance | None, row: CarePlanItem, actor: Actor) -> None:
        """While the program runs (or is suspended), the plan in its data gets the change, for its next stage."""
        if not care_plans.editable_instance(instance):
            return
        loaded = self.runtime.load(session, instance)
        if care_plans.put_into(loaded.workflow, row):
            self.runtime.save(session, loaded, actor.name)

    # ------------------------------------------------------------------------------------------------ comments
    def add_comment(self, patient_id: str, body: str, actor: Actor, task_id: int | None = None) -> Comment:
        """A comment on the patient (or one of their tasks) for their care team; @user names notify them."""
        with self.transaction(f"comment on {patient_id}") as session:
            patients.get_patient(session, patient_id)
            task = None
            if task_id is not None:
                task = get_task(session, task_id)
                if task.patient_id != patient_id:
                    raise InvalidInput(f"task {task_id} is not one of this patient's tasks")
            access.require_change(session, actor, patient_id, "comments")
            return comments.add(session, patient_id, body, actor.name, task=task)
