"""Instance pages and lists, patient histories and open tasks: rows only, never workflow state."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, InboxTask, Instance, MessageWait, TaskStatus, TimerWait


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
