"""What the FHIR resources of a patient are read from: completed forms (their answers as submitted, with the
form they answered), the care plan record (goals, interventions, barriers per program), and the patient's
history. Rows only."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.care import care_plans
from engine.models import AuditEvent, CarePlanItem, Instance, TaskResult

VIEWS = ("viewed", "patient_viewed")  # reads of the record: the patient page's history leaves them out


@dataclass(frozen=True)
class FormResult:
    """A completed task's answers and the form (JSON Schema) they answered, when the pathway version still has
    it."""

    task_id: int
    patient_id: str
    instance_id: int
    program: str
    title: str
    form_name: str | None
    form: dict | None
    answers: dict
    completed_by: str
    completed_at: object


@dataclass(frozen=True)
class CarePlanRecords:
    """A patient's care plan record (engine.care.care_plans): its items, and the programs they belong to."""

    patient_id: str
    items: list[CarePlanItem]
    programs: dict[int, Instance]


def _form_of(session: Session, runtime, instance_id: int, name: str | None) -> dict | None:
    if not name:
        return None
    instance = session.get(Instance, instance_id)
    if instance is None:
        return None
    return runtime.specs.get(session, instance.deployment_id).forms.get(name)


def _result(session: Session, runtime, row: TaskResult) -> FormResult:
    return FormResult(row.task_id, row.patient_id, row.instance_id, row.program, row.title, row.form_schema,
                      _form_of(session, runtime, row.instance_id, row.form_schema), dict(row.answers or {}),
                      row.completed_by, row.completed_at)


def form_result(session: Session, runtime, task_id: int) -> FormResult | None:
    row = session.scalar(select(TaskResult).where(TaskResult.task_id == task_id))
    return _result(session, runtime, row) if row is not None else None


def form_results(session: Session, runtime, patient_id: str, *, after_task: int | None = None,
                 limit: int = 50) -> list[FormResult]:
    """A patient's completed forms, oldest first (after the task id `after_task`, for the next page)."""
    query = select(TaskResult).where(TaskResult.patient_id == patient_id)
    if after_task is not None:
        query = query.where(TaskResult.task_id > after_task)
    rows = session.scalars(query.order_by(TaskResult.task_id).limit(limit))
    return [_result(session, runtime, row) for row in rows]


def care_plan_records(session: Session, patient_id: str, item_id: int | None = None) -> CarePlanRecords:
    """The patient's care plan items (goals, interventions, barriers), program by program; or the one item."""
    items = care_plans.items(session, patient_id)
    if item_id is not None:
        items = [i for i in items if i.id == item_id]
    ids = sorted({i.instance_id for i in items if i.instance_id})
    programs = {i.id: i for i in session.scalars(select(Instance).where(Instance.id.in_(ids)))} if ids else {}
    return CarePlanRecords(patient_id, items, programs)


def care_plan_item(session: Session, item_id: int) -> CarePlanItem | None:
    return session.get(CarePlanItem, item_id) if 1 <= item_id < 2**31 else None


def history(session: Session, patient_id: str, *, after_id: int | None = None, limit: int = 50) -> list[AuditEvent]:
    """The events about a patient, oldest first (after `after_id`), reads of the record left out."""
    query = select(AuditEvent).where(AuditEvent.patient_id == patient_id, AuditEvent.action.not_in(VIEWS))
    if after_id is not None:
        query = query.where(AuditEvent.id > after_id)
    return list(session.scalars(query.order_by(AuditEvent.id).limit(limit)))


def event(session: Session, event_id: int) -> AuditEvent | None:
    if not 1 <= event_id < 2**63:
        return None
    row = session.get(AuditEvent, event_id)
    return row if row is not None and row.action not in VIEWS and row.patient_id else None
