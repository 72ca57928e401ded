"""Keep the inbox, timer and message rows of one instance in step with its workflow.

Only differences are written: a step that leaves a task open touches none of its rows. Changes to rows already
in the session are made on their objects; new inbox rows are queued on the step's `WriteBatch`
(engine.store.step_writes), which the runtime sends with the instance row and the audit events.

Callers run these with autoflush off (the runtime does): the queries here read rows of this instance only, and
the session's pending changes to them are taken into account in Python.
"""
from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, delete, insert, inspect, select
from sqlalchemy.orm import LoaderCallableStatus, Session

from engine.models import InboxTask, Instance, MessageWait, TaskStatus, TimerWait
from engine.runtime.pending import WaitingTasks, find_task, human_tasks, messages, timers
from engine.store import audit
from engine.store.step_writes import WriteBatch
from engine.time.durations import due_from

NO_VALUE = LoaderCallableStatus.NO_VALUE
INBOX_INSERT = insert(InboxTask.__table__).inline()
WAIT_INSERT = insert(MessageWait.__table__).inline()
WAIT_DELETE = delete(MessageWait.__table__).where(MessageWait.__table__.c.id == bindparam("wait_id"))


ROUTED_BY = "care team"  # who the audit trail says gave a new task to the patient's team member


def sync_rows(session: Session, instance: Instance, workflow, now: datetime, actor: str,
              batch: WriteBatch, router=None, waiting: WaitingTasks | None = None,
              message_rows: list[MessageWait] | None = None) -> None:
    """`router(session, instance, role)`, when given, names who a new task goes to (the patient's care team
    member in its role, engine.care.teams.route); None leaves it in its role's queue. `waiting`: the tasks the
    workflow waits at, when the caller shares them (the runtime's save: one walk for the inbox and the facts).
    `message_rows`: the instance's message waits, when the caller has just read them all in this transaction."""
    _sync_inbox(session, instance, workflow, now, actor, batch, router, waiting)
    _sync_timers(session, instance, workflow, now)
    _sync_messages(session, instance, workflow, batch, message_rows)


def clear_waits(session: Session, instance: Instance, now: datetime, reason: str, actor: str) -> None:
    """An ended instance waits for nothing: its open tasks are cancelled, its timers and messages dropped."""
    for row in _rows_open_before(session, instance):
        row.status = TaskStatus.CANCELLED
        row.completed_at = now
        audit.record(session, "task_cancelled", actor, instance=instance, task_uuid=row.task_uuid,
                     element_id=row.element_id, details={"title": row.title, "reason": reason})
    # ORM deletes (not batched): rows of these already in the session are marked deleted, which is how the
    # caller tells the timers that fired (engine.care.timers.audit_fired)
    if instance_had(instance, "timer_rows"):
        session.execute(delete(TimerWait).where(TimerWait.instance_id == instance.id))
    if instance_had(instance, "message_rows"):
        session.execute(delete(MessageWait).where(MessageWait.instance_id == instance.id))
    instance.open_tasks = instance.timer_rows = instance.message_rows = 0


def committed(obj, attr: str):
    """The value `obj.attr` had before this transaction changed it (what its attribute history would say,
    read straight off the object's state: this runs for every inbox row of the session on every step)."""
    original = inspect(obj).committed_state.get(attr, NO_VALUE)
    return getattr(obj, attr) if original is NO_VALUE else original


def instance_had(instance: Instance, counter: str) -> bool:
    """Whether the instance had rows of this kind before this step (its committed counter value)."""
    return bool(committed(instance, counter))


def _rows_open_before(session: Session, instance: Instance) -> list[InboxTask]:
    """The inbox rows still open, of those open before this step. When every one of them is already in the
    session (a completion loaded its own row), no query is needed."""
    known = [obj for obj in session.identity_map.values()
             if isinstance(obj, InboxTask) and obj.instance_id == instance.id
             and committed(obj, "status") in TaskStatus.ACTIVE]
    if len(known) != (committed(instance, "open_tasks") or 0) or inspect(instance).pending:
        known = _active_rows(session, instance.id)
    # a row loaded earlier keeps its unflushed changes (completed by this step): filter on them
    return [row for row in known if row.status in TaskStatus.ACTIVE]


def _active_rows(session: Session, instance_id: int) -> list[InboxTask]:
    return list(
        session.scalars(
            select(InboxTask).where(InboxTask.instance_id == instance_id, InboxTask.status.in_(TaskStatus.ACTIVE))
        )
    )


def _sync_inbox(session: Session, instance: Instance, workflow, now: datetime, actor: str,
                batch: WriteBatch, router=None, waiting: WaitingTasks | None = None) -> None:
    ready = {t.task_uuid: t for t in human_tasks(workflow, waiting)}
    open_after = 0
    for row in _rows_open_before(session, instance):
        found = ready.pop(row.task_uuid, None)
        if found is None:
            _close(session, instance, row, workflow, now, actor)
        else:
            open_after += 1
            if found.due_at is not None and found.due_at != row.due_at:
                row.due_at = found.due_at
    instance.open_tasks = open_after + len(ready)
    for task in ready.values():
        row = _new_row(instance, task, now)
        assignee = router(session, instance, task.role) if router is not None else None
        if assignee:
            row.update(assignee=assignee, status=TaskStatus.CLAIMED, claimed_at=now)
            audit.record(session, "assigned", ROUTED_BY, instance=instance, task_uuid=task.task_uuid,
                         element_id=task.element_id,
                         details={"assignee": assignee, "previous_assignee": None, "title": task.title})
        batch.add(INBOX_INSERT, row)


def _close(session: Session, instance: Instance, row: InboxTask, workflow, now: datetime, actor: str) -> None:
    """An open row whose task left READY without being completed through the inbox.

    A task whose own completion failed (its postScript: SpiffWorkflow marks it ERROR, and the instance is in
    error) was completed, by this step's actor: a retry finishes it, it is not theirs to do again. Any other
    (a boundary timer or message interrupted it, the instance was terminated) is no longer workable."""
    task = find_task(workflow, row.task_uuid)
    if task is not None and task.state == TaskState.ERROR:
        row.status, row.completed_at, row.completed_by = TaskStatus.COMPLETED, now, actor
        row.assignee = row.assignee or actor
        audit.record(session, "completed", actor, instance=instance, task_uuid=row.task_uuid,
                     element_id=row.element_id, details={"title": row.title})
        return
    row.status = TaskStatus.CANCELLED
    row.completed_at = now
    audit.record(session, "task_cancelled", actor, instance=instance, task_uuid=row.task_uuid,
                 element_id=row.element_id, details={"title": row.title})


def _new_row(instance: Instance, task, now: datetime) -> dict:
    return dict(
        instance_id=instance.id,
        task_uuid=task.task_uuid,
        element_id=task.element_id,
        title=task.title,
        documentation=task.documentation,
        role=task.role,
        assignee=None,
        status=TaskStatus.OPEN,
        priority=task.priority,
        due_at=task.due_at or due_from(task.due_in, now),
        follow_up_at=None,
        form_schema=task.form_schema,
        form_ui_schema=task.form_ui_schema,
        patient_id=instance.patient_id,
        program=instance.program,
        stage=task.stage,
        created_at=now,
        claimed_at=None,
        completed_at=None,
        completed_by=None,
        has_drafts=False,
        delegated_by=None,
    )


def _sync_timers(session: Session, instance: Instance, workflow, now: datetime) -> None:
    wanted = {(t.task_uuid, t.due_at): t for t in timers(workflow, now)}
    instance.timer_rows = len(wanted)
    if not wanted and not instance_had(instance, "timer_rows"):
        return
    existing = session.scalars(select(TimerWait).where(TimerWait.instance_id == instance.id)).all()
    for row in existing:
        if wanted.pop((row.task_uuid, row.due_at), None) is None:
            session.delete(row)
    for t in wanted.values():
        session.add(
            TimerWait(instance_id=instance.id, task_uuid=t.task_uuid, element_id=t.element_id,
                      name=(t.name or None) and str(t.name)[:300], kind=t.kind, due_at=t.due_at)
        )


def _sync_messages(session: Session, instance: Instance, workflow, batch: WriteBatch,
                   existing: list[MessageWait] | None = None) -> None:
    """The instance's message waits as its workflow has them; the changes go on the step's batch (a message
    loop ends one wait and begins the next at every message: no ORM flush of its own). A row dropped here
    leaves the session, so a later read of the transaction loads what the batch wrote."""
    wanted = {(m.task_uuid, m.message_name): m for m in messages(workflow, instance.patient_id, instance.id)}
    instance.message_rows = len(wanted)
    if not wanted and not instance_had(instance, "message_rows"):
        return
    if existing is None:
        existing = session.scalars(select(MessageWait).where(MessageWait.instance_id == instance.id)).all()
    for row in existing:
        found = wanted.pop((row.task_uuid, row.message_name), None)
        if found is None:
            batch.add(WAIT_DELETE, {"wait_id": row.id}, what="message wait")
            session.expunge(row)
        elif found.correlation != row.correlation:
            row.correlation = found.correlation
    for m in wanted.values():
        batch.add(WAIT_INSERT, dict(instance_id=instance.id, task_uuid=m.task_uuid, element_id=m.element_id,
                                    message_name=m.message_name, patient_id=instance.patient_id,
                                    correlation=m.correlation), what="message wait")
