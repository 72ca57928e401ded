"""What to tell whom: a reminder before a task is due, an escalation to the role's lead once it is overdue, and
a daily digest of a care manager's tasks. Each planned e-mail gets a key that names what it is about, so
planning twice (two sweeps, a retried job) stores it once.

Reminders go to the task's assignee, or, while nobody has claimed it, to everyone holding its role. One reminder
and one escalation per task and recipient; a task without a role escalates to nobody.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from engine.config import NotifySettings
from engine.models import InboxTask, Notification, TaskStatus
from engine.notifications.directory import Recipient, RecipientDirectory
from engine.notifications.outbox import Planned, plan

MAX_TASKS = 2000  # per kind and run; the next run takes the rest


def _stamp(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "no due date"


def _link(settings: NotifySettings, task: InboxTask) -> str:
    return f"\n{settings.base_url}/tasks/{task.id}" if settings.base_url else ""


def _describe(task: InboxTask) -> str:
    # task title, program and the patient's id: no clinical data in e-mail
    return f"#{task.id} {task.title} (patient {task.patient_id}, {task.program})"


def _not_yet(kind: str):
    return ~exists().where(Notification.task_id == InboxTask.id, Notification.kind == kind)


def _reminder_recipients(directory: RecipientDirectory, task: InboxTask) -> list[Recipient]:
    if task.assignee:
        found = directory.user(task.assignee)
        return [found] if found else []
    return directory.with_role(task.role) if task.role else []


def plan_reminders(session: Session, directory: RecipientDirectory, settings: NotifySettings,
                   now: datetime) -> list[int]:
    tasks = session.scalars(
        select(InboxTask).where(InboxTask.status.in_(TaskStatus.ACTIVE), InboxTask.due_at > now,
                                InboxTask.due_at <= now + settings.reminder_before, _not_yet("reminder"))
        .order_by(InboxTask.due_at, InboxTask.id).limit(MAX_TASKS)).all()
    planned = []
    for task in tasks:
        for person in _reminder_recipients(directory, task):
            body = (f"Hello {person.name or person.username},\n\n"
                    f"this task is due {_stamp(task.due_at)}:\n\n  {_describe(task)}{_link(settings, task)}\n")
            new = plan(session, Planned(key=f"reminder:{task.id}:{person.username}", kind="reminder",
                                        recipient=person.email, username=person.username, task_id=task.id,
                                        subject=f"Due {_stamp(task.due_at)}: {task.title}", body=body), now)
            if new is not None:
                planned.append(new)
    return planned


def plan_escalations(session: Session, directory: RecipientDirectory, settings: NotifySettings,
                     now: datetime) -> list[int]:
    tasks = session.scalars(
        select(InboxTask).where(InboxTask.status.in_(TaskStatus.ACTIVE), InboxTask.due_at <= now,
                                InboxTask.due_at > now - settings.escalate_within, InboxTask.role.is_not(None),
                                _not_yet("escalation"))
        .order_by(InboxTask.due_at, InboxTask.id).limit(MAX_TASKS)).all()
    planned = []
    for task in tasks:
        lead_role = settings.lead_of(task.role)
        for lead in directory.with_role(lead_role):
            who = f"assigned to {task.assignee}" if task.assignee else f"unclaimed in the {task.role} queue"
            body = (f"Hello {lead.name or lead.username},\n\n"
                    f"a {task.role} task is overdue since {_stamp(task.due_at)}, {who}:\n\n"
                    f"  {_describe(task)}{_link(settings, task)}\n")
            new = plan(session, Planned(key=f"escalation:{task.id}:{lead.username}", kind="escalation",
                                        recipient=lead.email, username=lead.username, task_id=task.id,
                                        subject=f"Overdue: {task.title} (patient {task.patient_id})", body=body),
                       now)
            if new is not None:
                planned.append(new)
    return planned


def digest_tasks(session: Session, person: Recipient) -> list[InboxTask]:
    """The person's own tasks and the unclaimed tasks of their roles' queues, most urgent first."""
    mine = InboxTask.assignee == person.username
    queue = and_(InboxTask.assignee.is_(None), InboxTask.role.in_(sorted(person.roles))) if person.roles else None
    condition = or_(mine, queue) if queue is not None else mine
    return list(session.scalars(
        select(InboxTask).where(InboxTask.status.in_(TaskStatus.ACTIVE), condition)
        .order_by(InboxTask.due_at.is_(None), InboxTask.due_at, InboxTask.priority.desc(), InboxTask.id)
        .limit(200)))


def plan_digests(session: Session, directory: RecipientDirectory, settings: NotifySettings, day: date,
                 now: datetime) -> list[int]:
    planned = []
    for person in directory.everyone():
        tasks = digest_tasks(session, person)
        if not tasks:
            continue
        overdue = sum(1 for t in tasks if t.due_at is not None and t.due_at <= now)
        lines = [f"  {'OVERDUE ' if t.due_at is not None and t.due_at <= now else ''}due {_stamp(t.due_at)}  "
                 f"{_describe(t)}{' [yours]' if t.assignee == person.username else ''}" for t in tasks]
        body = (f"Hello {person.name or person.username},\n\nyour tasks on {day.isoformat()}: {len(tasks)} open, "
                f"{overdue} overdue.\n\n" + "\n".join(lines) + "\n"
                + (f"\n{settings.base_url}/\n" if settings.base_url else ""))
        new = plan(session, Planned(key=f"digest:{person.username}:{day.isoformat()}", kind="digest",
                                    recipient=person.email, username=person.username,
                                    subject=f"Your care tasks on {day.isoformat()}: {len(tasks)} open, "
                                            f"{overdue} overdue", body=body), now)
        if new is not None:
            planned.append(new)
    return planned
