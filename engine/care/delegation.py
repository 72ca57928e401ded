"""Delegation (Camunda's delegate and resolve): the person working a task hands it to a colleague for input;
the colleague answers with a note, which hands it back; the owner completes it. While it is out, the colleague
holds it (it is in their My tasks) and only they may hand it back, or the owner take it back."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.care import comments
from engine.care.access import require_may_work
from engine.care.actors import Actor
from engine.care.characters import refused_character
from engine.care.instances import get_instance
from engine.care.tasks import get_task
from engine.errors import Conflict, Forbidden, InvalidInput
from engine.models import InboxTask, TaskStatus, User
from engine.store import audit
from engine.time import clock


def _active(row: InboxTask) -> None:
    if row.status not in TaskStatus.ACTIVE:
        raise Conflict(f"task {row.id} ({row.title}) is {row.status}: it cannot be handed on")


def _colleague(session: Session, username: str, actor: Actor) -> User:
    name = (username or "").strip().lower()
    if problem := refused_character(name):
        raise InvalidInput(f"the colleague's user name {problem}")
    if not name:
        raise InvalidInput("choose the colleague to ask for input")
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise InvalidInput(f"nobody signs in as '{username}': choose a colleague who has an account")
    if not user.active:
        raise InvalidInput(f"{user.display_name} cannot sign in at the moment, so cannot be asked for input")
    if user.username == actor.name:
        raise InvalidInput("ask a colleague: the task is yours already")
    return user


def delegate(session: Session, task_id: int, username: str, note: str, actor: Actor) -> InboxTask:
    """Hand a task the actor may work to a colleague for input, saying what is needed."""
    row = get_task(session, task_id)
    _active(row)
    if row.delegated_by:
        raise Conflict(f"task {row.id} ({row.title}) is already with {row.assignee} for input")
    require_may_work(row, actor)
    colleague = _colleague(session, username, actor)
    text = comments.clean_body(note, "request")
    owner = actor.name
    row.delegated_by, row.assignee, row.status, row.claimed_at = owner, colleague.username, TaskStatus.CLAIMED, \
        clock.now()
    audit.record(session, "delegated", owner, instance=get_instance(session, row.instance_id),
                 task_uuid=row.task_uuid, element_id=row.element_id,
                 details={"to": colleague.username, "title": row.title})
    comments.add(session, row.patient_id, text, owner, task=row, kind=comments.ASKED)
    comments.notify(session, colleague.username, "delegated", f"{owner} asks for your input on “{row.title}”",
                    owner, patient_id=row.patient_id, task_id=row.id)
    session.flush()
    return row


def resolve(session: Session, task_id: int, note: str, actor: Actor) -> InboxTask:
    """The colleague asked hands the task back to its owner with their note."""
    row = get_task(session, task_id)
    if actor.name != row.assignee and not actor.is_admin:
        raise Forbidden(f"only the colleague asked for input on task {row.id} ({row.title}) can hand it back")
    _active(row)
    if not row.delegated_by:
        raise Conflict(f"task {row.id} ({row.title}) is not out for input")
    text = comments.clean_body(note, "note")
    owner, helper = row.delegated_by, row.assignee
    row.assignee, row.delegated_by, row.claimed_at = owner, None, clock.now()
    audit.record(session, "resolved", actor.name, instance=get_instance(session, row.instance_id),
                 task_uuid=row.task_uuid, element_id=row.element_id, details={"to": owner, "title": row.title})
    comments.add(session, row.patient_id, text, helper, task=row, kind=comments.ANSWERED)
    comments.notify(session, owner, "resolved", f"{helper} answered on “{row.title}”: it is back with you",
                    helper, patient_id=row.patient_id, task_id=row.id)
    session.flush()
    return row


def take_back(session: Session, task_id: int, actor: Actor) -> InboxTask:
    """The owner takes a task back before the colleague answered."""
    row = get_task(session, task_id)
    if actor.name != row.delegated_by and not actor.is_admin:
        raise Forbidden(f"only the person who asked for input on task {row.id} ({row.title}) can take it back")
    _active(row)
    if not row.delegated_by:
        raise Conflict(f"task {row.id} ({row.title}) is not out for input")
    owner, helper = row.delegated_by, row.assignee
    row.assignee, row.delegated_by, row.claimed_at = owner, None, clock.now()
    audit.record(session, "delegation_withdrawn", actor.name, instance=get_instance(session, row.instance_id),
                 task_uuid=row.task_uuid, element_id=row.element_id, details={"from": helper, "title": row.title})
    comments.notify(session, helper, "withdrawn", f"{owner} took “{row.title}” back: no input needed now",
                    actor.name, patient_id=row.patient_id, task_id=row.id)
    session.flush()
    return row
