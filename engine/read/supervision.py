"""What a lead sees of their team: each member's workload (claimed, due today, overdue), the queues' unclaimed
work, and the escalations (boundary timers that fired, overdue tasks) with what has been acknowledged. Reads
inbox, account and escalation rows only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from engine.models import Escalation, InboxTask, Patient, TaskStatus, User, UserRole
from engine.time import clock


@dataclass
class Load:
    username: str
    display_name: str
    roles: list[str]
    active: bool
    claimed: int = 0
    due_today: int = 0
    overdue: int = 0


@dataclass
class QueueLoad:
    role: str
    waiting: int
    overdue: int


@dataclass
class Workload:
    people: list[Load]
    queues: list[QueueLoad]
    now: datetime


def _day(now: datetime) -> tuple[datetime, datetime]:
    start = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    return start, start + timedelta(days=1)


def workload(session: Session, led: tuple[str, ...]) -> Workload:
    """The work of the roles `led` claimed by each person (team members first, then anyone else holding some),
    and what waits unclaimed in each role's queue."""
    now = clock.now()
    start, end = _day(now)
    due_today = func.sum(case((and_(InboxTask.due_at >= start, InboxTask.due_at < end), 1), else_=0))
    overdue = func.sum(case((InboxTask.due_at < now, 1), else_=0))
    claimed = {row[0]: row[1:] for row in session.execute(
        select(InboxTask.assignee, func.count(), due_today, overdue)
        .where(InboxTask.status == TaskStatus.CLAIMED, InboxTask.role.in_(led)).group_by(InboxTask.assignee))}
    members = session.scalars(select(User).where(User.id.in_(select(UserRole.user_id).where(
        UserRole.role.in_(led)))).order_by(User.display_name)).all()
    people = [Load(u.username, u.display_name, [r for r in u.roles if r in led], u.active) for u in members]
    known = {p.username for p in people}
    people += [Load(name, name, [], True) for name in sorted(claimed) if name not in known]
    for person in people:
        counts = claimed.get(person.username)
        if counts:
            person.claimed, person.due_today, person.overdue = (int(v or 0) for v in counts)
    queues = [QueueLoad(role, int(n or 0), int(late or 0)) for role, n, late in session.execute(
        select(InboxTask.role, func.count(), overdue).where(InboxTask.status == TaskStatus.OPEN,
                                                              InboxTask.role.in_(led)).group_by(InboxTask.role))]
    return Workload(people, sorted(queues, key=lambda q: led.index(q.role)), now)


# ------------------------------------------------------------------------------------------------ escalations
@dataclass
class EscalationRow:
    ref: str  # timer:<escalation id> or overdue:<task id>: what acknowledging it names
    kind: str  # timer, overdue
    title: str
    task: InboxTask | None
    patient: Patient | None
    patient_id: str | None
    role: str | None
    raised_at: datetime
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    note: str | None = None


@dataclass
class EscalationList:
    rows: list[EscalationRow]
    timers_waiting: int
    overdue_waiting: int
    page: int
    page_size: int
    more: bool


def _visible(led: tuple[str, ...], oversees_all: bool):
    return or_(Escalation.role.in_(led), Escalation.role.is_(None)) if oversees_all else Escalation.role.in_(led)


def _acked_overdue():
    return exists().where(Escalation.task_id == InboxTask.id, Escalation.kind == "overdue",
                          Escalation.raised_at == InboxTask.due_at)


def escalations(session: Session, led: tuple[str, ...], oversees_all: bool, *, acknowledged: bool = False,
                page: int = 1, page_size: int = 50) -> EscalationList:
    """The escalations of the roles `led`, newest first: boundary timers that fired, and the team's overdue
    tasks; unacknowledged ones only, or (`acknowledged`) those acknowledged."""
    now = clock.now()
    offset = (page - 1) * page_size
    timers = select(Escalation).where(Escalation.kind == "timer", _visible(led, oversees_all),
                                      Escalation.acknowledged_at.is_(None) if not acknowledged
                                      else Escalation.acknowledged_at.is_not(None))
    overdue = [InboxTask.status.in_(TaskStatus.ACTIVE), InboxTask.due_at < now, InboxTask.role.in_(led),
               ~_acked_overdue()]
    rows: list[EscalationRow] = []
    if acknowledged:
        found = session.scalars(select(Escalation).where(_visible(led, oversees_all),
                                                         Escalation.acknowledged_at.is_not(None))
                                .order_by(Escalation.acknowledged_at.desc(), Escalation.id.desc())
                                .offset(offset).limit(page_size + 1)).all()
        rows = [_from_row(e) for e in found]
    else:
        found = session.scalars(timers.order_by(Escalation.id.desc()).offset(offset).limit(page_size + 1)).all()
        rows = [_from_row(e) for e in found]
        if len(rows) <= page_size:  # then the overdue tasks, oldest due first
            skip = max(0, offset - _count(session, timers))
            late = session.scalars(select(InboxTask).where(*overdue).order_by(InboxTask.due_at, InboxTask.id)
                                   .offset(skip).limit(page_size + 1 - len(rows))).all()
            rows += [EscalationRow(f"overdue:{t.id}", "overdue", t.title, t, None, t.patient_id, t.role, t.due_at)
                     for t in late]
    more = len(rows) > page_size
    rows = rows[:page_size]
    _attach(session, rows)
    return EscalationList(rows, _count(session, timers.where(Escalation.acknowledged_at.is_(None))),
                          session.scalar(select(func.count()).select_from(InboxTask).where(*overdue)) or 0,
                          page, page_size, more)


def _count(session: Session, query) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _from_row(e: Escalation) -> EscalationRow:
    return EscalationRow(f"{e.kind}:{e.id if e.kind == 'timer' else e.task_id}", e.kind, e.title, None, None,
                         e.patient_id, e.role, e.raised_at, e.acknowledged_by, e.acknowledged_at, e.note)


def _attach(session: Session, rows: list[EscalationRow]) -> None:
    """The tasks and patients the rows are about, in two queries."""
    task_ids = [int(r.ref.split(":")[1]) for r in rows if r.kind == "overdue" and r.task is None]
    if task_ids:
        tasks = {t.id: t for t in session.scalars(select(InboxTask).where(InboxTask.id.in_(task_ids)))}
        for row in rows:
            if row.kind == "overdue" and row.task is None:
                row.task = tasks.get(int(row.ref.split(":")[1]))
    timer_tasks = [r for r in rows if r.kind == "timer"]
    if timer_tasks:
        linked = {e.id: e.task_id for e in session.scalars(select(Escalation).where(
            Escalation.id.in_([int(r.ref.split(":")[1]) for r in timer_tasks])))}
        tasks = {t.id: t for t in session.scalars(select(InboxTask).where(
            InboxTask.id.in_([i for i in linked.values() if i])))}
        for row in timer_tasks:
            row.task = tasks.get(linked.get(int(row.ref.split(":")[1])))
    patients = {p.id: p for p in session.scalars(select(Patient).where(
        Patient.id.in_({r.patient_id for r in rows if r.patient_id})))}
    for row in rows:
        row.patient = patients.get(row.patient_id)
