"""What a lead does for their team: give claimed or queued tasks to a colleague who holds the task's role, with
a reason the new assignee reads on the task's page; one task or many at once, all or none."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import roles
from engine.care import accounts
from engine.care.actors import Actor
from engine.care.tasks import get_task
from engine.errors import Conflict, Forbidden, InvalidInput
from engine.models import InboxTask, Reassignment, TaskStatus
from engine.store import audit
from engine.time import clock

MAX_TASKS = 200


def reassign(session: Session, task_ids: list[int], assignee: str, reason: str, actor: Actor,
             led: tuple[str, ...]) -> list[InboxTask]:
    """Give each task to `assignee` (an active account holding the task's role); `led`: the roles the actor
    leads (a task of another role is refused). Nothing changes unless every task can be given."""
    ids = list(dict.fromkeys(task_ids))
    if not ids:
        raise InvalidInput("choose at least one task to reassign")
    if len(ids) > MAX_TASKS:
        raise InvalidInput(f"reassign at most {MAX_TASKS} tasks at once")
    name = (assignee or "").strip()
    if not name:
        raise InvalidInput("choose the colleague to give the tasks to")
    colleague = accounts.find_by_name(session, name)
    if colleague is None:
        raise InvalidInput(f"nobody signs in as '{name[:100]}': choose a colleague who has an account")
    if not colleague.active:
        raise InvalidInput(f"{colleague.display_name} cannot sign in at the moment, so cannot be given tasks")
    now = clock.now()
    done = []
    for task_id in ids:
        row = get_task(session, task_id)
        _check(row, colleague, actor, led)
        previous = row.assignee
        if previous == colleague.username:
            continue
        row.assignee, row.status, row.claimed_at = colleague.username, TaskStatus.CLAIMED, now
        session.add(Reassignment(task_id=row.id, from_assignee=previous, to_assignee=colleague.username,
                                 reason=reason, by=actor.name, at=now))
        audit.record(session, "reassigned", actor.name, instance=row.instance, task_uuid=row.task_uuid,
                     element_id=row.element_id,
                     details={"assignee": colleague.username, "previous_assignee": previous, "reason": reason})
        done.append(row)
    session.flush()
    return done


def _check(row: InboxTask, colleague, actor: Actor, led: tuple[str, ...]) -> None:
    if row.status not in TaskStatus.ACTIVE:
        raise Conflict(f"task {row.id} ({row.title}) is {row.status}: only a claimed or queued task can be "
                       "reassigned; nothing was changed")
    if not actor.is_admin and row.role not in led:
        raise Forbidden(f"task {row.id} ({row.title}) belongs to the {roles.label(row.role)} role, which "
                        f"{actor.name} does not lead")
    held = set(colleague.roles)
    if row.role and row.role not in held and roles.ADMIN not in held:
        raise InvalidInput(f"{colleague.display_name} does not hold the {roles.label(row.role)} role that task "
                           f"{row.id} ({row.title}) needs; nothing was changed")


def handoff_to_assignee(session: Session, task: InboxTask) -> Reassignment | None:
    """Why the task's assignee has it, when a lead gave it to them (and nobody has moved it since)."""
    if not task.assignee:
        return None
    latest = session.scalars(select(Reassignment).where(Reassignment.task_id == task.id)
                             .order_by(Reassignment.id.desc()).limit(1)).first()
    return latest if latest is not None and latest.to_assignee == task.assignee else None
