"""A person's draft of a task's form: saved while the task is open, seen only by them, dropped when the task is
completed."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.care.actors import Actor
from engine.care.tasks import get_task
from engine.errors import Forbidden, InvalidInput
from engine.models import TaskDraft, TaskStatus
from engine.store import audit
from engine.time import clock


def save_draft(session: Session, task_id: int, data: dict, actor: Actor) -> None:
    row = get_task(session, task_id)
    if row.status not in TaskStatus.ACTIVE:
        raise InvalidInput(f"task {row.id} is {row.status}: there is nothing to save a draft for")
    if not actor.holds(row.role):
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


def draft_of(session: Session, task_id: int, username: str) -> dict | None:
    return session.scalar(select(TaskDraft.data).where(TaskDraft.task_id == task_id, TaskDraft.username == username))
