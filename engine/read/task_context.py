"""Everything a person needs to work one task: the task row, its patient, its form and the data it holds, their
saved draft and the colleagues who may take it; and the patient's next task for them."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.care import accounts, drafts, patients
from engine.care.actors import Actor
from engine.care.task_forms import TaskForm
from engine.care.tasks import get_task, task_form
from engine.errors import RoleMissing
from engine.models import InboxTask, Patient, TaskStatus
from engine.runtime.runner import Runtime
from engine.store import audit


@dataclass
class TaskContext:
    task: InboxTask
    patient: Patient | None
    form: TaskForm  # the task's form and the data it holds: what the pathway knows when the task opened
    draft: dict | None  # the viewer's saved draft
    colleagues: list[tuple[str, str]]  # (username, display name) who hold the task's role

    @property
    def patient_id(self) -> str:
        return self.task.patient_id

    @property
    def schema(self) -> dict | None:
        return self.form.schema

    @property
    def ui_schema(self) -> dict | None:
        return self.form.ui_schema

    @property
    def data(self) -> dict:
        return self.form.data


def task_context(session: Session, runtime: Runtime, task_id: int, viewer: Actor) -> TaskContext:
    """The task and its form, prefilled, for someone who holds its role; the view is an audit event (it shows
    patient data)."""
    row = get_task(session, task_id)
    if not viewer.holds(row.role):
        raise RoleMissing(f"task {row.id} belongs to the {row.role} role, which {viewer.name} does not hold")
    audit.record(session, "viewed", viewer.name, instance=row.instance, task_uuid=row.task_uuid,
                 element_id=row.element_id, details={"what": "task"})
    return page_context(session, row, task_form(session, runtime, row), viewer)


def page_context(session: Session, row: InboxTask, form: TaskForm, viewer: Actor) -> TaskContext:
    """The rest of a task's page around a form already read (a refused submission is shown again with it)."""
    patient = patients.patients_by_id(session, [row.patient_id]).get(row.patient_id)
    colleagues = [(u.username, u.display_name) for u in accounts.users_holding(session, row.role)]
    return TaskContext(row, patient, form, drafts.draft_of(session, row.id, viewer.name), colleagues)


def next_task_for(session: Session, patient_id: str, actor: Actor, after_task_id: int) -> InboxTask | None:
    """The patient's next open task this person may do now: claimed by them, else open in one of their roles."""
    rows = session.scalars(select(InboxTask).where(
        InboxTask.patient_id == patient_id, InboxTask.status.in_(TaskStatus.ACTIVE),
        InboxTask.id != after_task_id).order_by(InboxTask.priority.desc(), InboxTask.due_at.is_(None),
                                                InboxTask.due_at, InboxTask.id))
    for row in rows:
        if row.assignee == actor.name or (row.assignee is None and actor.holds(row.role)):
            return row
    return None
