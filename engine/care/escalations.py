"""Escalations a lead should look at: a boundary timer that fired on a task (TCM's "two days passed" on the
interactive contact), and a task that is overdue. A timer's escalation is a row written when the timer fires;
an overdue task is an escalation for as long as it is overdue, and a row is written when a lead acknowledges
it. One unacknowledged row per timer element and task: a reminder cycle firing every 12 hours does not pile
up rows the lead has already been told about."""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput, NotFound
from engine.models import Escalation, InboxTask, Instance, TaskStatus, TimerWait
from engine.runtime.pending import find_task
from engine.store import audit
from engine.time import clock

TIMER, OVERDUE = "timer", "overdue"


def boundary_targets(workflow, due: list[TimerWait]) -> dict[str, str]:
    """For each due timer row that is a boundary event: the uuid of the task it is attached to."""
    found = {}
    for row in due:
        task = find_task(workflow, row.task_uuid)
        if task is None or not isinstance(task.task_spec, BoundaryEvent) or task.parent is None:
            continue
        main = next((c for c in task.parent.children if not isinstance(c.task_spec, BoundaryEvent)), None)
        if main is not None:
            found[row.task_uuid] = str(main.id)
    return found


def raise_for_timers(session: Session, instance: Instance, fired: list[TimerWait], targets: dict[str, str]) -> int:
    """An escalation for each fired boundary timer (unless one for the same element and task waits unread)."""
    raised = 0
    for row in fired:
        attached = targets.get(row.task_uuid)
        if attached is None:
            continue
        task = session.scalar(select(InboxTask).where(InboxTask.task_uuid == attached))
        waiting = session.scalar(select(Escalation.id).where(
            Escalation.instance_id == instance.id, Escalation.element_id == row.element_id,
            Escalation.task_id == (task.id if task else None), Escalation.acknowledged_at.is_(None)).limit(1))
        if waiting is not None:
            continue
        what = row.name or row.element_id
        title = f"{what}: {task.title}" if task is not None else str(what)
        session.add(Escalation(key=f"timer:{instance.id}:{row.task_uuid}:{row.due_at.isoformat()}"[:250],
                               kind=TIMER, task_id=task.id if task else None, instance_id=instance.id,
                               patient_id=instance.patient_id, role=task.role if task else None,
                               element_id=row.element_id, title=title[:300], raised_at=clock.now()))
        raised += 1
    return raised


def acknowledge(session: Session, refs: list[str], note: str, by: str, visible) -> int:
    """Mark escalations as seen: `timer:<id>` (an escalation row) or `overdue:<task id>` (an overdue task).
    `visible(role)` says whether the lead may see an escalation of that role. Returns how many were new."""
    done = 0
    for ref in refs:
        kind, _, number = (ref or "").partition(":")
        if kind not in (TIMER, OVERDUE) or not number.isdigit() or not 1 <= int(number) <= 2**31 - 1:
            raise InvalidInput(f"'{ref[:40]}' is not an escalation")
        done += (_ack_timer if kind == TIMER else _ack_overdue)(session, int(number), note, by, visible)
    return done


def _ack_timer(session: Session, escalation_id: int, note: str, by: str, visible) -> int:
    row = session.get(Escalation, escalation_id)
    if row is None or row.kind != TIMER or not visible(row.role):
        raise NotFound(f"escalation {escalation_id} does not exist")
    if row.acknowledged_at is not None:
        return 0
    row.acknowledged_by, row.acknowledged_at, row.note = by, clock.now(), note or None
    audit.record(session, "escalation_acknowledged", by, patient_id=row.patient_id,
                 details={"escalation": row.id, "title": row.title, "note": note or None})
    return 1


def _ack_overdue(session: Session, task_id: int, note: str, by: str, visible) -> int:
    task = session.get(InboxTask, task_id)
    if task is None or not visible(task.role):
        raise NotFound(f"task {task_id} does not exist")
    if task.status not in TaskStatus.ACTIVE or task.due_at is None or task.due_at >= clock.now():
        raise InvalidInput(f"task {task_id} ({task.title}) is not overdue")
    key = f"overdue:{task.id}:{task.due_at.isoformat()}"
    if session.scalar(select(Escalation.id).where(Escalation.key == key)) is not None:
        return 0
    session.add(Escalation(key=key, kind=OVERDUE, task_id=task.id, instance_id=task.instance_id,
                           patient_id=task.patient_id, role=task.role, element_id=task.element_id,
                           title=task.title, raised_at=task.due_at, acknowledged_by=by,
                           acknowledged_at=clock.now(), note=note or None))
    audit.record(session, "escalation_acknowledged", by, patient_id=task.patient_id,
                 details={"task": task.id, "title": task.title, "note": note or None})
    return 1
