"""Append-only audit trail of every change to deployments, instances and tasks."""
from __future__ import annotations

import json

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from . import clock
from .models import AuditEvent

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
    """Append one event to the transaction. The events of a transaction are written together, as one plain
    INSERT just before it commits (no ORM objects, no RETURNING): this sits on every step's hot path."""
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


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.flush()
        session.connection().execute(insert(AuditEvent.__table__), rows)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def pending(session: Session) -> list[dict]:
    """Events recorded in this transaction and not yet written (they are written at commit)."""
    return list(session.info.get(_PENDING, []))


def changed_fields(before: dict, after: dict) -> dict:
    """The fields whose value a submission changed, values shortened for the trail."""
    changes = {}
    for key, value in after.items():
        if key not in before or before[key] != value:
            changes[key] = _short(value)
    return changes


def _short(value):
    text = json.dumps(value, default=str)
    if len(text) <= MAX_VALUE_CHARS:
        return value
    return text[:MAX_VALUE_CHARS] + "…"
