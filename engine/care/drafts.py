"""A person's draft of a task's form: saved while the task is open, seen only by them, dropped when the task is
completed."""
from __future__ import annotations

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from engine.care.actors import Actor
from engine.models import InboxTask, TaskDraft
from engine.store import audit
from engine.store.step_writes import WriteBatch
from engine.time import clock


def store(session: Session, row: InboxTask, data: dict, actor: Actor) -> None:
    """Keep `data` as the actor's draft of the task (replacing an earlier one); audited."""
    row.has_drafts = True
    draft = session.scalar(select(TaskDraft).where(TaskDraft.task_id == row.id, TaskDraft.username == actor.name))
    if draft is None:
        session.add(TaskDraft(task_id=row.id, username=actor.name, data=data, saved_at=clock.now()))
    else:
        draft.data, draft.saved_at = data, clock.now()
    audit.record(session, "draft_saved", actor.name, instance=row.instance, task_uuid=row.task_uuid,
                 element_id=row.element_id)


DROP = delete(TaskDraft.__table__).where(TaskDraft.__table__.c.task_id == bindparam("task_id"))


def drop_all(batch: WriteBatch, task_id: int) -> None:
    """Drop every draft of a task being completed: a statement for the step's writes (engine.store.step_writes)."""
    batch.add(DROP, {"task_id": task_id})


def draft_of(session: Session, task_id: int, username: str) -> dict | None:
    return session.scalar(select(TaskDraft.data).where(TaskDraft.task_id == task_id, TaskDraft.username == username))
