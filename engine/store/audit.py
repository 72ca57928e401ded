"""Append-only audit trail of every change to deployments, instances and tasks."""
from __future__ import annotations

import json
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from engine.models import AuditEvent
from engine.store.step_writes import WriteBatch, defer
from engine.time import clock

MAX_VALUE_CHARS = 500


def record(
    session: Session,
    action: str,
    actor: str,
    *,
    instance=None,
    deployment_id: int | None = None,
    patient_id: str | None = None,
    task_uuid: str | None = None,
    element_id: str | None = None,
    details: dict | None = None,
) -> None:
    """Append one event to the transaction. The events of a transaction are written together, as plain INSERTs
    (no ORM objects, no RETURNING): with a step's rows when the runtime saves one (`queue_pending`), else
    just before the transaction commits. This sits on every step's hot path. Within `through(channel)` every
    event says which door it came through (`via`: the API client, say)."""
    via = VIA.get()
    if via is not None:
        details = {**(details or {}), "via": via}
    session.info.setdefault(_PENDING, []).append(dict(
        at=clock.now(),
        actor=actor,
        action=action,
        instance_id=instance.id if instance is not None else None,
        patient_id=patient_id if patient_id is not None else getattr(instance, "patient_id", None),
        deployment_id=deployment_id if deployment_id is not None else getattr(instance, "deployment_id", None),
        task_uuid=task_uuid,
        element_id=element_id,
        details=details,
    ))


_PENDING = "carepath_pending_audit"
VIA: ContextVar[str | None] = ContextVar("carepath_audit_via", default=None)


@contextmanager
def through(channel: str | None):
    """Every event recorded within the block (in this thread or task) names `channel` as `via` in its details:
    the API client or session a request came through."""
    token = VIA.set(channel)
    try:
        yield
    finally:
        VIA.reset(token)
INSERT = insert(AuditEvent.__table__).inline()


def queue_pending(session: Session, batch: WriteBatch) -> None:
    """Hand the events recorded so far to `batch`, which writes them with the step's other rows; events
    recorded after that are written at commit."""
    rows = session.info.pop(_PENDING, None)
    for row in rows or ():
        batch.add(INSERT, row)


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    if session.info.get(_PENDING):
        batch = WriteBatch()
        queue_pending(session, batch)
        defer(session, batch)  # on PostgreSQL, sent with the COMMIT


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def pending(session: Session) -> list[dict]:
    """Events recorded in this transaction and not yet written (they are written at the next save or commit)."""
    return list(session.info.get(_PENDING, []))


def changed_fields(before: dict, after: dict, cleared=()) -> dict:
    """The fields whose value a submission changed, values shortened for the trail; a cleared one reads None."""
    changes = {name: None for name in cleared}
    for key, value in after.items():
        if key not in before or before[key] != value:
            changes[key] = _short(value)
    return changes


def _short(value):
    text = json.dumps(value, default=str)
    if len(text) <= MAX_VALUE_CHARS:
        return value
    return text[:MAX_VALUE_CHARS] + "…"
