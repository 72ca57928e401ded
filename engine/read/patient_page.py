"""What a patient's page shows, gathered in one transaction: the record (its view audited), programs with their
diagrams and open tasks, the history, the care plan and risk figures, and the care minutes per month."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from engine.care import access, patients, time_entries
from engine.care.access import Access
from engine.care.actors import Actor
from engine.models import AuditEvent, InboxTask, Instance, InstanceStatus, Patient
from engine.read import diagrams, instance_data, instance_views, patient_record
from engine.read.patient_record import PatientRecord
from engine.store import audit

RISK_FIELDS = ("risk_tier", "lace_score", "lace_band", "phq9_total", "phq9_severity", "gad7_total", "gad7_severity",
               "social_needs_positive")


@dataclass
class ProgramView:
    instance: Instance
    diagrams: list[dict]
    tasks: list[InboxTask]

    @property
    def active(self) -> bool:
        return self.instance.status not in InstanceStatus.ENDED


@dataclass
class PatientPage:
    patient: Patient
    instances: list[Instance]
    programs: list[ProgramView]
    tasks: list[InboxTask]
    history: list[AuditEvent]  # newest first, views left out
    care_plan: dict | None = None
    care_plan_program: str | None = None
    risk: dict = field(default_factory=dict)
    minutes: dict[str, int] = field(default_factory=dict)  # YYYY-MM -> clinical staff minutes
    record: PatientRecord = field(default_factory=PatientRecord)  # team, comments, care plan, names
    access: Access | None = None  # why the viewer may read it (a broken glass says until when)

    @property
    def running_programs(self) -> set[str]:
        return {i.process_id for i in self.instances if i.status not in InstanceStatus.ENDED}


def patient_page(session: Session, runtime, patient_id: str, viewer: Actor) -> PatientPage:
    patients.get_patient(session, patient_id)  # an unknown patient is a 404, before any question of access
    allowed = access.require_patient(session, viewer, patient_id)
    patient = patients.get_patient(session, patient_id, viewer=viewer.name)  # the view is audited
    instances = instance_views.list_instances(session, patient_id=patient_id, limit=50)
    open_tasks = instance_views.patient_tasks(session, patient_id)
    programs = [ProgramView(instance, [d.to_dict() for d in diagrams.instance_diagrams(session, runtime, instance)],
                            [t for t in open_tasks if t.instance_id == instance.id]) for instance in instances]
    history = instance_views.patient_history(session, patient_id, limit=150)
    page = PatientPage(patient, instances, programs, open_tasks, history,
                       minutes=time_entries.minutes_by_month(session, patient_id), access=allowed,
                       record=patient_record.record(session, runtime.specs, patient_id, instances, history))
    _add_care_plan(session, runtime, page, viewer)
    return page


def _add_care_plan(session: Session, runtime, page: PatientPage, viewer: Actor) -> None:
    """The care plan and risk figures of the most recent program that has them (read from its data: audited)."""
    for instance in page.instances:  # newest first
        if instance.status == InstanceStatus.ERROR:
            continue
        audit.record(session, "viewed", viewer.name, instance=instance, details={"what": "data"})
        data = instance_data.current_data(session, runtime, instance)
        if page.risk == {}:
            page.risk = {k: data[k] for k in RISK_FIELDS if k in data}
        plan = data.get("care_plan")
        if isinstance(plan, dict):
            page.care_plan, page.care_plan_program = plan, instance.program
            return
