"""Fire due timers: each due instance is resumed through the same load-run-save path as a completion."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from . import audit, clock
from .actors import Actor
from .models import Instance, InstanceStatus, TimerWait
from .runtime import Runtime

TIMER_ACTOR = Actor.system_actor("timer")


def due_instance_ids(session: Session, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Running instances that have at least one timer due at `now`, oldest due first.

    Due means strictly before `now`: SpiffWorkflow fires a timer only once its moment has passed, so a row
    taken at its exact moment would be audited as fired while nothing fired (and again on every sweep).
    """
    now = now or clock.now()
    first_due = func.min(TimerWait.due_at)
    return list(session.scalars(
        select(TimerWait.instance_id)
        .join(Instance, Instance.id == TimerWait.instance_id)
        .where(TimerWait.due_at < now, Instance.status == InstanceStatus.RUNNING)
        .group_by(TimerWait.instance_id)
        .order_by(first_due, TimerWait.instance_id)
        .limit(limit)
    ))


def fire_due(session: Session, runtime: Runtime, instance_id: int, now: datetime | None = None) -> int:
    """Fire what is due for one instance; returns how many timers fired (0 if someone else got there first)."""
    now = now or clock.now()
    instance = session.get(Instance, instance_id)
    if instance is None or instance.status != InstanceStatus.RUNNING:
        return 0
    due = due_rows(session, instance_id, now)
    if not due:
        return 0
    loaded = runtime.load(session, instance)
    runtime.advance(session, loaded, TIMER_ACTOR.name, lambda wf: wf.refresh_timers())
    runtime.save(session, loaded, TIMER_ACTOR.name)
    return audit_fired(session, instance, due, TIMER_ACTOR.name)


def due_rows(session: Session, instance_id: int, now: datetime | None = None) -> list[TimerWait]:
    now = now or clock.now()
    return list(session.scalars(
        select(TimerWait).where(TimerWait.instance_id == instance_id, TimerWait.due_at < now)
    ))


def audit_fired(session: Session, instance: Instance, due: list[TimerWait], actor: str) -> int:
    """Audit the timers that really fired: a fired timer's row was replaced (cycle) or removed by the save."""
    fired = [row for row in due if inspect(row).was_deleted]
    for row in fired:
        audit.record(session, "timer_fired", actor, instance=instance, task_uuid=row.task_uuid,
                     element_id=row.element_id,
                     details={"name": row.name, "kind": row.kind, "due_at": row.due_at.isoformat()})
    return len(fired)
