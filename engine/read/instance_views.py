"""Read-side queries for inboxes and instance pages. They read rows only, never workflow state."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, InboxTask, Instance, MessageWait, TaskStatus, TimerWait
from engine.time import clock

SORTS = {
    "due": (InboxTask.due_at.is_(None), InboxTask.due_at, InboxTask.id),
    "priority": (InboxTask.priority.desc(), InboxTask.due_at, InboxTask.id),
    "created": (InboxTask.created_at, InboxTask.id),
    "patient": (InboxTask.patient_id, InboxTask.id),
}


@dataclass
class TaskFilter:
    assignee: str | None = None
    roles: list[str] | None = None  # a role's queue: open tasks of these roles
    status: list[str] = field(default_factory=lambda: list(TaskStatus.ACTIVE))
    overdue: bool = False
    patient_id: str | None = None
    program: str | None = None
    instance_id: int | None = None
    priority_at_least: int | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    completed_by: str | None = None
    sort: str = "due"
    limit: int = 50
    offset: int = 0


def _where(f: TaskFilter, now: datetime):
    conditions = []
    if f.status:
        conditions.append(InboxTask.status.in_(f.status))
    if f.assignee:
        conditions.append(InboxTask.assignee == f.assignee)
    if f.roles is not None:
        conditions.append(InboxTask.role.in_(f.roles))
    if f.overdue:
        conditions.append(InboxTask.due_at < now)
    if f.patient_id:
        conditions.append(InboxTask.patient_id == f.patient_id)
    if f.program:
        conditions.append(InboxTask.program == f.program)
    if f.instance_id is not None:
        conditions.append(InboxTask.instance_id == f.instance_id)
    if f.priority_at_least is not None:
        conditions.append(InboxTask.priority >= f.priority_at_least)
    if f.due_before is not None:
        conditions.append(InboxTask.due_at < f.due_before)
    if f.due_after is not None:
        conditions.append(InboxTask.due_at >= f.due_after)
    if f.completed_by:
        conditions.append(InboxTask.completed_by == f.completed_by)
    return conditions


def list_tasks(session: Session, f: TaskFilter) -> list[InboxTask]:
    if f.sort not in SORTS:
        from engine.errors import InvalidInput

        raise InvalidInput(f"unknown sort '{f.sort}'; use one of: {', '.join(SORTS)}")
    query = select(InboxTask).where(*_where(f, clock.now())).order_by(*SORTS[f.sort])
    return list(session.scalars(query.limit(max(1, min(f.limit, 1000))).offset(max(0, f.offset))))


def count_tasks(session: Session, f: TaskFilter) -> int:
    return session.scalar(select(func.count()).select_from(InboxTask).where(*_where(f, clock.now()))) or 0


@dataclass
class InstanceView:
    instance: Instance
    tasks: list[InboxTask]
    timers: list[TimerWait]
    messages: list[MessageWait]
    history: list[AuditEvent]


def instance_view(session: Session, instance: Instance, history_limit: int = 200) -> InstanceView:
    tasks = session.scalars(
        select(InboxTask).where(InboxTask.instance_id == instance.id).order_by(InboxTask.id)
    ).all()
    timers = session.scalars(
        select(TimerWait).where(TimerWait.instance_id == instance.id).order_by(TimerWait.due_at)
    ).all()
    messages = session.scalars(select(MessageWait).where(MessageWait.instance_id == instance.id)).all()
    history = session.scalars(
        select(AuditEvent).where(AuditEvent.instance_id == instance.id).order_by(AuditEvent.id).limit(history_limit)
    ).all()
    return InstanceView(instance, list(tasks), list(timers), list(messages), list(history))


def list_instances(session: Session, patient_id: str | None = None, status: str | None = None,
                   limit: int = 100) -> list[Instance]:
    query = select(Instance).order_by(Instance.id.desc()).limit(limit)
    if patient_id:
        query = query.where(Instance.patient_id == patient_id)
    if status:
        query = query.where(Instance.status == status)
    return list(session.scalars(query))


def patient_history(session: Session, patient_id: str, limit: int = 100) -> list[AuditEvent]:
    """The newest events about a patient (their pathways, tasks, record), newest first; views left out."""
    query = (select(AuditEvent).where(AuditEvent.patient_id == patient_id,
                                      AuditEvent.action.not_in(("viewed", "patient_viewed")))
             .order_by(AuditEvent.id.desc()).limit(limit))
    return list(session.scalars(query))


def patient_tasks(session: Session, patient_id: str, statuses=TaskStatus.ACTIVE) -> list[InboxTask]:
    query = (select(InboxTask).where(InboxTask.patient_id == patient_id, InboxTask.status.in_(statuses))
             .order_by(InboxTask.due_at.is_(None), InboxTask.due_at, InboxTask.id))
    return list(session.scalars(query))
