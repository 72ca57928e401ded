"""Everything a person needs to work one task: the task row, its form files, the data to prefill the form
with, their saved draft, the colleagues who may take it; plus drafts and minutes spent on tasks."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import accounts, audit, clock
from .actors import Actor
from .errors import InvalidInput
from .instances import get_instance
from .models import InboxTask, TaskDraft, TaskStatus, TimeEntry
from .runtime import Runtime
from .tasks import get_task

MAX_MINUTES = 24 * 60


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
    draft = session.scalar(select(TaskDraft.data).where(TaskDraft.task_id == row.id,
                                                        TaskDraft.username == viewer.name))
    colleagues = [(u.username, u.display_name) for u in accounts.users_holding(session, row.role)]
    audit.record(session, "viewed", viewer.name, instance=instance, task_uuid=row.task_uuid,
                 element_id=row.element_id, details={"what": "task"})
    return TaskContext(row, instance.patient_id, schema, ui_schema, data, draft, colleagues)


def save_draft(session: Session, task_id: int, data: dict, actor: Actor) -> None:
    row = get_task(session, task_id)
    if row.status not in TaskStatus.ACTIVE:
        raise InvalidInput(f"task {row.id} is {row.status}: there is nothing to save a draft for")
    if not actor.holds(row.role):
        from .errors import Forbidden

        raise Forbidden(f"task {row.id} belongs to the {row.role} role, which {actor.name} does not hold")
    draft = session.scalar(select(TaskDraft).where(TaskDraft.task_id == row.id, TaskDraft.username == actor.name))
    if draft is None:
        session.add(TaskDraft(task_id=row.id, username=actor.name, data=data, saved_at=clock.now()))
    else:
        draft.data, draft.saved_at = data, clock.now()
    audit.record(session, "draft_saved", actor.name, instance=row.instance, task_uuid=row.task_uuid,
                 element_id=row.element_id)


def drop_drafts(session: Session, task_id: int) -> None:
    session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id))


def check_minutes(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        minutes = int(str(value).strip())
    except ValueError:
        raise InvalidInput("Minutes spent must be a whole number") from None
    if not 0 <= minutes <= MAX_MINUTES:
        raise InvalidInput(f"Minutes spent must be between 0 and {MAX_MINUTES}")
    return minutes


def record_minutes(session: Session, task_id: int, minutes: int, actor: Actor) -> TimeEntry | None:
    """Minutes of clinical staff time spent on the task, counted in its calendar month (UTC)."""
    if not minutes:
        return None
    row = session.get(InboxTask, task_id)
    instance = get_instance(session, row.instance_id)
    now = clock.now()
    entry = TimeEntry(patient_id=row.patient_id, instance_id=row.instance_id, task_id=row.id, program=row.program,
                      activity=row.title, username=actor.name, minutes=minutes, month=now.strftime("%Y-%m"),
                      recorded_at=now)
    session.add(entry)
    audit.record(session, "time_recorded", actor.name, instance=instance, task_uuid=row.task_uuid,
                 element_id=row.element_id, details={"minutes": minutes, "month": entry.month})
    return entry


def minutes_by_month(session: Session, patient_id: str) -> dict[str, int]:
    from sqlalchemy import func

    rows = session.execute(select(TimeEntry.month, func.sum(TimeEntry.minutes)).where(
        TimeEntry.patient_id == patient_id).group_by(TimeEntry.month).order_by(TimeEntry.month.desc()))
    return {month: int(total or 0) for month, total in rows}


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
