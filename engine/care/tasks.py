"""Human tasks: claim, release, assign, follow-up dates, drafts, and completion with form data."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, contains_eager

from engine.care import access, drafts, results, time_entries
from engine.care.actors import Actor
from engine.care.instances import get_instance
from engine.care.task_forms import (
    FormInvalid,
    Submission,
    TaskForm,
    as_shown,
    check_cleared,
    minutes_of,
    validate_submission,
)
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.models import MAX_ID, InboxTask, Instance, TaskStatus
from engine.roles import ADMIN
from engine.runtime.runner import Runtime
from engine.store import audit, first_read
from engine.store.step_writes import WriteBatch, read_before_begin
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
    if not 1 <= task_id <= MAX_ID:  # no row can have it: not worth a query the database would refuse
        raise NotFound(f"task {task_id} does not exist")
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


_require_role = access.require_role  # who may work a task is decided in engine.care.access
_require_may_work = access.require_may_work


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


def release(session: Session, task_id: int, actor: Actor) -> InboxTask:
    """Give a claimed task back to its role's queue: its assignee may, or an admin."""
    row = get_task(session, task_id)
    _require_active(row)
    access.require_not_delegated(row, actor, "release")
    _require_role(row, actor)
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
    access.require_not_delegated(row, actor, "assign")
    if row.assignee and row.assignee != actor.name and not actor.is_admin:
        raise Forbidden(f"task {row.id} is claimed by {row.assignee}; only they or an admin can reassign it")
    _require_role(row, actor)
    if assignee_roles is not None and row.role and row.role not in assignee_roles and ADMIN not in assignee_roles:
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


Reader = Callable[[TaskForm], Submission]


def require_page(row: InboxTask, task_uuid: str | None) -> None:
    """A submission made on the page of one task stays with it: when the task it was made for (its uuid) is not
    this one any more, nothing is stored."""
    if task_uuid is not None and task_uuid != row.task_uuid:
        raise Conflict(f"this form does not belong to task {row.id} ({row.title}) any more, so nothing was saved")


def complete(session: Session, runtime: Runtime, task_id: int, answers: Submission | Reader | dict | None,
             actor: Actor, *, task_uuid: str | None = None) -> InboxTask:
    """Check the answers against the task's form, run the task and what follows, save, record the minutes
    spent and drop the drafts; one transaction, one decode of the workflow.

    `answers` is a Submission, or a function that reads one against the task's form and data (a web page's
    post is read with them: the choices a task offers come from its data). Cleared answers are taken out of
    the task's data (a field the person emptied, or a conditional one that no longer applies): without that an
    earlier answer, from a loop's previous round say, would outlive the form that was just submitted without
    it. A refusal is a FormInvalid whose `form` is what the form needs to be shown again."""
    if answers is None or isinstance(answers, dict):
        answers = Submission(answers if answers is not None else {})
    row = get_task(session, task_id)
    _require_active(row)
    _require_may_work(row, actor)
    require_page(row, task_uuid)
    instance = get_instance(session, row.instance_id)
    runtime.require_running(instance, f"complete task {row.id}")
    loaded = runtime.load(session, instance)
    task = loaded.workflow.get_task_from_id(UUID(row.task_uuid))
    if task is None or task.state != TaskState.READY:
        raise Conflict(f"task {row.id} ({row.title}) is no longer waiting to be done")
    schema = loaded.parsed.forms.get(row.form_schema) if row.form_schema else None
    form = TaskForm(row.form_schema, schema, loaded.parsed.forms.get(row.form_ui_schema) if row.form_ui_schema
                    else None, dict(task.data))
    try:
        submission = answers(form) if callable(answers) else answers
        data = _checked(form, submission, row.form_schema)
        minutes = minutes_of(schema, data, submission.minutes, row.form_schema)
    except FormInvalid as exc:
        exc.form = form
        raise
    cleared = [name for name in check_cleared(schema, submission.cleared, row.form_schema) if name not in data]
    before = dict(task.data)

    def run(workflow):
        for name in cleared:
            task.data.pop(name, None)
        task.data.update(data)
        task.run()

    ok = runtime.advance(session, loaded, actor.name, run)
    now = clock.now()
    also = WriteBatch()
    if ok or task.state == TaskState.COMPLETED:
        row.status, row.completed_at, row.completed_by = TaskStatus.COMPLETED, now, actor.name
        if row.assignee is None:
            row.assignee = actor.name
        audit.record(session, "completed", actor.name, instance=instance, task_uuid=row.task_uuid,
                     element_id=row.element_id,
                     details={"title": row.title,
                              "changed": audit.changed_fields(before, data, [n for n in cleared if n in before]),
                              **({"minutes": minutes} if minutes else {})})
        time_entries.record_minutes(also, row, minutes, actor)
        results.record(also, row, data, now)
        if row.has_drafts:
            drafts.drop_all(also, row.id)
    runtime.save(session, loaded, actor.name, also)  # written after its version check, with the step's rows
    return row


def save_draft(session: Session, runtime: Runtime, task_id: int, answers: Submission | Reader, actor: Actor, *,
               task_uuid: str | None = None) -> InboxTask:
    """Keep answers as the actor's draft of an open task of their role (only they see it; the task stays open).
    A draft is not checked against the form: only what the caller could not read is refused. When a colleague
    claimed the task meanwhile the answers are kept all the same (the returned row says who has it)."""
    row = get_task(session, task_id)
    if row.status not in TaskStatus.ACTIVE:
        raise InvalidInput(f"task {row.id} is {row.status}: there is nothing to save a draft for")
    access.require_may_draft(row, actor)  # kept even when a colleague took the task meanwhile
    require_page(row, task_uuid)
    form = task_form(session, runtime, row)
    try:
        submission = answers(form) if callable(answers) else answers
        if submission.unreadable:
            raise FormInvalid(row.form_schema, dict(submission.unreadable))
    except FormInvalid as exc:
        exc.form = form
        raise
    drafts.store(session, row, submission.data, actor)
    return row


def task_form(session: Session, runtime: Runtime, row: InboxTask) -> TaskForm:
    """The task's form and the data it holds now (the workflow is decoded for an open task only)."""
    instance = row.instance
    parsed = runtime.specs.get(session, instance.deployment_id)
    data: dict = {}
    if row.status in TaskStatus.ACTIVE:
        spiff_task = runtime.load(session, instance).workflow.get_task_from_id(UUID(row.task_uuid))
        data = dict(spiff_task.data) if spiff_task is not None else {}
    return TaskForm(row.form_schema, parsed.forms.get(row.form_schema) if row.form_schema else None,
                    parsed.forms.get(row.form_ui_schema) if row.form_ui_schema else None, data)


def _checked(form: TaskForm, submission: Submission, form_name: str | None) -> dict:
    """The submission's data, validated against the form as it stands (its read-only fields as the task holds
    them); what the caller could not read is refused with what the form refuses."""
    data = submission.data if submission.data is not None else {}
    if not isinstance(data, dict):
        raise InvalidInput("task data must be a JSON object")
    try:
        validate_submission(form.schema, as_shown(form.schema, data, form.data, form_name), form_name, form.data)
    except FormInvalid as exc:
        if not submission.unreadable:
            raise
        raise FormInvalid(form_name, {**exc.errors, **submission.unreadable}, exc.problems) from None
    if submission.unreadable:
        raise FormInvalid(form_name, dict(submission.unreadable))
    return data
