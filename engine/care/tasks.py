"""Human tasks: claim, release, assign, follow-up dates, and completion with form data."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, contains_eager

from engine.care.actors import Actor
from engine.care.instances import get_instance
from engine.care.task_forms import as_shown, check_cleared, validate_submission
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.models import InboxTask, Instance, TaskStatus
from engine.runtime.runner import Runtime
from engine.store import audit, first_read
from engine.store.step_writes import read_before_begin
from engine.time import clock

# built once: a completion starts with it, and building the statement costs about what running it does
_TASK_WITH_INSTANCE = (
    select(InboxTask).join(InboxTask.instance).options(contains_eager(InboxTask.instance))
    .where(InboxTask.id == bindparam("task_id"))
)
_TASK_AND_INSTANCE_ROWS = first_read.WholeRows(
    select(InboxTask.__table__, Instance.__table__).join_from(InboxTask.__table__, Instance.__table__)
    .where(InboxTask.__table__.c.id == bindparam("task_id")),
    InboxTask, Instance,
)


def get_task(session: Session, task_id: int) -> InboxTask:
    """The task row, with its instance loaded by the same query (later lookups hit the identity map).

    A plain read, usually the transaction's first statement: it may run before the BEGIN (engine.store.step_writes), and
    then goes to the driver directly (engine.store.first_read), the same rows and objects for less work."""
    with read_before_begin(session) as before_begin:
        if before_begin is None:
            row = session.scalars(_TASK_WITH_INSTANCE, {"task_id": task_id}).first()
        else:
            row = _task_from_driver(session, before_begin, task_id)
    if row is None:
        raise NotFound(f"task {task_id} does not exist")
    return row


def _task_from_driver(session: Session, connection, task_id: int) -> InboxTask | None:
    found = _TASK_AND_INSTANCE_ROWS.first(connection, {"task_id": task_id})
    if found is None:
        return None
    task_values, instance_values = found
    instance = first_read.attach(session, Instance, instance_values)
    return first_read.attach(session, InboxTask, task_values, instance=instance)


def _require_active(row: InboxTask) -> None:
    if row.status == TaskStatus.COMPLETED:
        raise Conflict(f"task {row.id} ({row.title}) was already completed by {row.completed_by} "
                       f"at {row.completed_at:%Y-%m-%d %H:%M} UTC")
    if row.status == TaskStatus.CANCELLED:
        raise Conflict(f"task {row.id} ({row.title}) is no longer open: the pathway moved on without it")


def _require_may_work(row: InboxTask, actor: Actor) -> None:
    if not actor.holds(row.role):
        raise Forbidden(f"task {row.id} ({row.title}) belongs to the {row.role} role, which {actor.name} does not hold")
    if row.assignee and row.assignee != actor.name and not actor.is_admin:
        raise Forbidden(f"task {row.id} ({row.title}) is claimed by {row.assignee}; only they can work on it")


def claim(session: Session, task_id: int, actor: Actor) -> InboxTask:
    row = get_task(session, task_id)
    _require_active(row)
    _require_may_work(row, actor)
    if row.assignee == actor.name:
        return row
    now = clock.now()
    result = session.execute(
        update(InboxTask)
        .where(InboxTask.id == row.id, InboxTask.status == TaskStatus.OPEN, InboxTask.assignee.is_(None))
        .values(assignee=actor.name, status=TaskStatus.CLAIMED, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(row)
        raise Conflict(f"task {row.id} ({row.title}) was just claimed by {row.assignee or 'someone else'}")
    session.refresh(row)
    audit.record(session, "claimed", actor.name, instance=get_instance(session, row.instance_id),
                 task_uuid=row.task_uuid, element_id=row.element_id)
    return row


def unclaim(session: Session, task_id: int, actor: Actor) -> InboxTask:
    row = get_task(session, task_id)
    _require_active(row)
    if row.assignee is None:
        return row
    if row.assignee != actor.name and not actor.is_admin:
        raise Forbidden(f"task {row.id} is claimed by {row.assignee}; only they or an admin can release it")
    previous = row.assignee
    row.assignee, row.status, row.claimed_at = None, TaskStatus.OPEN, None
    audit.record(session, "released", actor.name, instance=get_instance(session, row.instance_id),
                 task_uuid=row.task_uuid, element_id=row.element_id, details={"previous_assignee": previous})
    session.flush()
    return row


def assign(session: Session, task_id: int, assignee: str, actor: Actor,
           assignee_roles: frozenset[str] | set[str] | None = None) -> InboxTask:
    """Give a task to a colleague. When their roles are known, they must hold the task's role."""
    row = get_task(session, task_id)
    _require_active(row)
    assignee = (assignee or "").strip()
    if not assignee:
        raise InvalidInput("assign needs the user name of the colleague to assign to")
    if row.assignee and row.assignee != actor.name and not actor.is_admin:
        raise Forbidden(f"task {row.id} is claimed by {row.assignee}; only they or an admin can reassign it")
    if not actor.holds(row.role):
        raise Forbidden(f"{actor.name} does not hold the {row.role} role of task {row.id}")
    if assignee_roles is not None and row.role and row.role not in assignee_roles:
        raise InvalidInput(f"{assignee} does not hold the {row.role} role that task {row.id} needs")
    previous = row.assignee
    row.assignee, row.status, row.claimed_at = assignee, TaskStatus.CLAIMED, clock.now()
    audit.record(session, "assigned", actor.name, instance=get_instance(session, row.instance_id),
                 task_uuid=row.task_uuid, element_id=row.element_id,
                 details={"assignee": assignee, "previous_assignee": previous})
    session.flush()
    return row


def set_follow_up(session: Session, task_id: int, follow_up_at: datetime | None, actor: Actor) -> InboxTask:
    row = get_task(session, task_id)
    _require_active(row)
    _require_may_work(row, actor)
    row.follow_up_at = follow_up_at
    audit.record(session, "follow_up_set", actor.name, instance=get_instance(session, row.instance_id),
                 task_uuid=row.task_uuid, element_id=row.element_id,
                 details={"follow_up_at": follow_up_at.isoformat() if follow_up_at else None})
    session.flush()
    return row


def complete(session: Session, runtime: Runtime, task_id: int, data: dict | None, actor: Actor,
             cleared=()) -> InboxTask:
    """Validate `data` against the task's form, run the task and what follows, save; one transaction.

    `cleared` names answers of the form to take out of the task's data (a field the person emptied, or a
    conditional one that no longer applies): without it an earlier answer, from a loop's previous round say,
    would outlive the form that was just submitted without it."""
    row = get_task(session, task_id)
    _require_active(row)
    _require_may_work(row, actor)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidInput("task data must be a JSON object")
    instance = get_instance(session, row.instance_id)
    runtime.require_running(instance, f"complete task {row.id}")
    loaded = runtime.load(session, instance)
    task = loaded.workflow.get_task_from_id(UUID(row.task_uuid))
    if task is None or task.state != TaskState.READY:
        raise Conflict(f"task {row.id} ({row.title}) is no longer waiting to be done")
    schema = loaded.parsed.forms.get(row.form_schema) if row.form_schema else None
    validate_submission(schema, as_shown(schema, data, task.data, row.form_schema), row.form_schema)
    cleared = [name for name in check_cleared(schema, cleared, row.form_schema) if name not in data]
    before = dict(task.data)

    def run(workflow):
        for name in cleared:
            task.data.pop(name, None)
        task.data.update(data)
        task.run()

    ok = runtime.advance(session, loaded, actor.name, run)
    now = clock.now()
    if ok or task.state == TaskState.COMPLETED:
        row.status, row.completed_at, row.completed_by = TaskStatus.COMPLETED, now, actor.name
        if row.assignee is None:
            row.assignee = actor.name
        audit.record(session, "completed", actor.name, instance=instance, task_uuid=row.task_uuid,
                     element_id=row.element_id,
                     details={"title": row.title,
                              "changed": audit.changed_fields(before, data, [n for n in cleared if n in before])})
    runtime.save(session, loaded, actor.name)
    return row
