"""What each task was completed with, kept as the patient's record: the completed task's page shows its answers
read only, and a stage that may take a recent result (a PHQ-9 done in the last 14 days in another program)
finds it here instead of asking again.

A user task opts in with the property `reuseRecentWithin` (an ISO 8601 duration, `P14D`): while the patient has
a result of the same form that recent, the task opens with those answers and says where they came from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.models import InboxTask, TaskResult
from engine.store.step_writes import WriteBatch
from engine.time.durations import parse_duration

REUSE_PROPERTY = "reuseRecentWithin"
_INSERT = insert(TaskResult.__table__).inline()


@dataclass(frozen=True)
class RecentResult:
    """A result taken from the patient's record for a task that would ask the same again."""

    task_id: int
    title: str
    program: str
    answers: dict
    completed_by: str
    completed_at: datetime


def record(batch: WriteBatch, row: InboxTask, answers: dict, now: datetime) -> None:
    """Keep the answers a task is being completed with (a statement of the completing step's writes)."""
    batch.add(_INSERT, dict(task_id=row.id, patient_id=row.patient_id, instance_id=row.instance_id,
                            program=row.program, title=row.title, form_schema=row.form_schema,
                            answers=dict(answers or {}), completed_by=row.completed_by or "", completed_at=now))


def result_of(session: Session, task_id: int) -> TaskResult | None:
    return session.scalar(select(TaskResult).where(TaskResult.task_id == task_id))


def reuse_window(properties: dict, now: datetime):
    """The task's `reuseRecentWithin` as a timedelta (as long as it is up to `now`), or None (not set, or not a
    duration)."""
    text = (properties or {}).get(REUSE_PROPERTY)
    if not text:
        return None
    try:
        return parse_duration(str(text), now) - now
    except (ValueError, TypeError):
        return None


def recent(session: Session, row: InboxTask, window, now: datetime) -> RecentResult | None:
    """The patient's newest result of the task's form completed within `window` before `now` (another task)."""
    if window is None or not row.form_schema:
        return None
    found = session.scalar(select(TaskResult).where(
        TaskResult.patient_id == row.patient_id, TaskResult.form_schema == row.form_schema,
        TaskResult.task_id != row.id, TaskResult.completed_at >= now - window)
        .order_by(TaskResult.completed_at.desc()).limit(1))
    if found is None:
        return None
    return RecentResult(found.task_id, found.title, found.program, dict(found.answers or {}), found.completed_by,
                        found.completed_at)
