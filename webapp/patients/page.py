"""What a patient's page shows, gathered in one place: the record, programs with where they stand, open
tasks, the history and the care plan. The view only renders it."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.care import patients, time_entries
from engine.care.actors import Actor
from engine.care.instances import get_instance
from engine.models import AuditEvent, InboxTask, Instance, InstanceStatus, Patient
from engine.read import diagrams, instance_data
from engine.read import instance_views as queries
from engine.store import audit
from webapp.patients.timeline import TimelineEntry, timeline


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
    history: list[TimelineEntry]
    care_plan: dict | None = None
    care_plan_program: str | None = None
    risk: dict = field(default_factory=dict)
    minutes: dict[str, int] = field(default_factory=dict)  # YYYY-MM -> clinical staff minutes


def patient_page(service, patient_id: str, viewer: Actor) -> PatientPage:
    with service.db.transaction() as s:
        patient = patients.get_patient(s, patient_id, viewer=viewer.name)  # the view is audited
        s.expunge(patient)
        instances = queries.list_instances(s, patient_id=patient_id, limit=50)
        open_tasks = queries.patient_tasks(s, patient_id)
        programs = []
        for instance in instances:
            drawn = [d.to_dict() for d in diagrams.instance_diagrams(s, service.runtime,
                                                                      get_instance(s, instance.id))]
            programs.append(ProgramView(instance, drawn, [t for t in open_tasks if t.instance_id == instance.id]))
        events: list[AuditEvent] = queries.patient_history(s, patient_id, limit=150)
        minutes = time_entries.minutes_by_month(s, patient_id)
        for obj in (*instances, *open_tasks, *events):
            s.expunge(obj)
    page = PatientPage(patient, instances, programs, open_tasks, timeline(events, instances), minutes=minutes)
    _add_care_plan(service, page, viewer)
    return page


def _data(service, instance_id: int, viewer: Actor) -> dict:
    with service.db.transaction() as s:
        instance = get_instance(s, instance_id)
        audit.record(s, "viewed", viewer.name, instance=instance, details={"what": "data"})
        return instance_data.current_data(s, service.runtime, instance)


def _add_care_plan(service, page: PatientPage, viewer: Actor) -> None:
    """The care plan and risk figures of the most recent program that has them (read from its data)."""
    for instance in page.instances:  # newest first
        if instance.status == InstanceStatus.ERROR:
            continue
        data = _data(service, instance.id, viewer)
        plan = data.get("care_plan")
        if page.risk == {}:
            page.risk = {k: data[k] for k in ("risk_tier", "lace_score", "lace_band", "phq9_total",
                                              "phq9_severity", "gad7_total", "gad7_severity",
                                              "social_needs_positive") if k in data}
        if isinstance(plan, dict):
            page.care_plan, page.care_plan_program = plan, instance.program
            return
