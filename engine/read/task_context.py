"""Everything a person needs to work one task: the task row, its form files, the data to prefill the form
with, their saved draft and the colleagues who may take it; and the patient's next task for them."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.care import accounts, drafts
from engine.care.actors import Actor
from engine.care.tasks import get_task
from engine.models import InboxTask, TaskStatus
from engine.runtime.runner import Runtime
from engine.store import audit


@dataclass
class TaskContext:
    task: InboxTask
    patient_id: str
    schema: dict | None
    ui_schema: dict | None
    data: dict  # the task's data: what the pathway knows when the task opened
    draft: dict | None
    colleagues: list[tuple[str, str]]  # (username, display name) who hold the task's role


def task_context(session: Session, runtime: Runtime, task_id: int, viewer: Actor) -> TaskContext:
    """The task and its form, prefilled; the view is an audit event (it shows patient data)."""
    row = get_task(session, task_id)
    instance = row.instance
    parsed = runtime.specs.get(session, instance.deployment_id)
    schema = parsed.forms.get(row.form_schema) if row.form_schema else None
    ui_schema = parsed.forms.get(row.form_ui_schema) if row.form_ui_schema else None
    data: dict = {}
    if row.status in TaskStatus.ACTIVE:
        workflow = runtime.load(session, instance).workflow
        spiff_task = workflow.get_task_from_id(uuid.UUID(row.task_uuid))
        data = dict(spiff_task.data) if spiff_task is not None else {}
    draft = drafts.draft_of(session, row.id, viewer.name)
    colleagues = [(u.username, u.display_name) for u in accounts.users_holding(session, row.role)]
    audit.record(session, "viewed", viewer.name, instance=instance, task_uuid=row.task_uuid,
                 element_id=row.element_id, details={"what": "task"})
    return TaskContext(row, instance.patient_id, schema, ui_schema, data, draft, colleagues)


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
