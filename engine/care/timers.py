"""Fire due timers: each due instance is resumed through the same load-run-save path as a completion.

Due timer rows are claimed before they are fired (`claim_due`): a claim names its owner and lasts until its lease
runs out, so two sweeps or workers never pick the same row, and a worker that dies leaves rows that anyone may
claim again once the lease has passed. The claim itself is not what makes a timer fire once: firing re-reads the
instance under a row lock and fires only what is still due, and the instance's version column refuses a second
concurrent save; a retried or duplicated firing finds nothing due and does nothing.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, inspect, or_, select, update
from sqlalchemy.orm import Session

from engine.care import escalations
from engine.care.actors import Actor
from engine.models import Instance, InstanceStatus, TimerWait
from engine.runtime.runner import Runtime
from engine.store import audit
from engine.time import clock

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


def unclaimed_due_count(session: Session, now: datetime, cap: int) -> int:
    """How many due timer rows of running instances nobody holds a claim on (at most `cap`): a cheap look."""
    rows = (select(TimerWait.id).join(Instance, Instance.id == TimerWait.instance_id)
            .where(TimerWait.due_at < now, Instance.status == InstanceStatus.RUNNING,
                   or_(TimerWait.lease_until.is_(None), TimerWait.lease_until < now))
            .limit(cap).subquery())
    return session.scalar(select(func.count()).select_from(rows)) or 0


def coming_due(session: Session, now: datetime, until: datetime, limit: int = 1000) -> list[datetime]:
    """The moments timers of running instances come due in [now, until), in order."""
    return list(session.scalars(
        select(TimerWait.due_at).join(Instance, Instance.id == TimerWait.instance_id)
        .where(TimerWait.due_at >= now, TimerWait.due_at < until, Instance.status == InstanceStatus.RUNNING)
        .order_by(TimerWait.due_at).limit(limit)))


def claim_due(session: Session, owner: str, now: datetime, lease: timedelta, limit: int = 500) -> list[int]:
    """Claim up to `limit` due, unclaimed (or lease-expired) timer rows of running instances for `owner`, until
    `now + lease`; returns the instances to fire, oldest due first.

    On PostgreSQL the candidates are locked with FOR UPDATE SKIP LOCKED, so concurrent claims take disjoint
    rows without waiting for each other. SQLite has one writer at a time: the UPDATE with its sub-select runs
    under the database's write lock, which makes it as safe (and as exclusive).
    """
    candidates = (
        select(TimerWait.id)
        .join(Instance, Instance.id == TimerWait.instance_id)
        .where(TimerWait.due_at < now, Instance.status == InstanceStatus.RUNNING,
               or_(TimerWait.lease_until.is_(None), TimerWait.lease_until < now))
        .order_by(TimerWait.due_at, TimerWait.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True, of=TimerWait)
    table = TimerWait.__table__
    rows = session.execute(
        update(table).where(table.c.id.in_(candidates.scalar_subquery()))
        .values(claimed_by=owner, lease_until=now + lease)
        .returning(table.c.instance_id, table.c.due_at)
    ).all()
    first_due: dict[int, datetime] = {}
    for instance_id, due_at in rows:
        if instance_id not in first_due or due_at < first_due[instance_id]:
            first_due[instance_id] = due_at
    return sorted(first_due, key=lambda i: (first_due[i], i))


def release(session: Session, owner: str, instance_id: int) -> None:
    """Give up `owner`'s claims on an instance's rows that are still there (not fired, or not fired yet)."""
    table = TimerWait.__table__
    session.execute(update(table).where(table.c.instance_id == instance_id, table.c.claimed_by == owner)
                    .values(claimed_by=None, lease_until=None))


def fire_due(session: Session, runtime: Runtime, instance_id: int, now: datetime | None = None, *,
             owner: str | None = None) -> int:
    """Fire what is due for one instance; returns how many timers fired (0 if someone else got there first).

    The instance row is locked first (PostgreSQL), so one worker at a time steps it: a second one waits, then
    finds the fired timers gone. With `owner`, that owner's claims on rows still there afterwards are given up
    in the same transaction (fired rows are gone with their claims)."""
    now = now or clock.now()
    instance = session.get(Instance, instance_id, with_for_update=True)
    if instance is None or instance.status != InstanceStatus.RUNNING:
        if owner is not None and instance is not None:
            release(session, owner, instance_id)
        return 0
    due = due_rows(session, instance_id, now)
    if not due:
        return 0
    loaded = runtime.load(session, instance)
    boundaries = escalations.boundary_targets(loaded.workflow, due)  # read before they fire
    runtime.advance(session, loaded, TIMER_ACTOR.name, lambda wf: wf.refresh_timers())
    runtime.save(session, loaded, TIMER_ACTOR.name)
    fired = audit_fired(session, instance, due, TIMER_ACTOR.name)
    if boundaries:
        escalations.raise_for_timers(session, instance, [r for r in due if inspect(r).was_deleted], boundaries)
    if owner is not None and fired < len(due):
        release(session, owner, instance_id)
    return fired


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
