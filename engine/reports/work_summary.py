"""The dashboard's open work, throughput and counts worked out ahead, for the views over everyone's patients:
the tasks open now per program, role and person (models.OpenWork), the programs running per stage and the
patients per risk tier (models.ReportCount), each taken again whole at each refresh, and the tasks completed
per day and program (models.TaskDay). Without them, each dashboard over 100,000 patients groups a million task
rows twice, and every instance and patient, while someone waits.

How they are kept (`refresh`, with the CCM months, every 30 seconds by background work):
- open work and the counts: grouped again, whole (overdue counted at the refresh);
- throughput: every day once, then only the days from the last refresh on (less OVERLAP for transactions that
  committed after it looked): a task completed keeps its day. Rebuilt whole every REBUILD_EVERY.

Reading (`as_of`): a dashboard over everyone's patients without a team filter reads them when they were brought
up to date in the last STALE_AFTER, and says as of when; any other view (a care manager's patients, a team) asks
the task rows live, through its patients.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import case, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from engine.models import (
    InboxTask,
    InstanceFacts,
    OpenWork,
    Patient,
    ReportCount,
    TaskDay,
    TaskStatus,
)
from engine.reports import refreshes
from engine.reports.refreshes import OVERLAP
from engine.reports.sql import as_date, utc_day

NAME = "work"
NONE = ""  # the key of tasks without a role, or claimed by nobody; of patients not assessed; of every program
STAGE, RISK = "stage", "risk"


def as_of(session: Session, now: datetime) -> datetime | None:
    """When the summary's figures were taken, if it may be read; else None (ask the task rows)."""
    state = refreshes.fresh(session, NAME, now)
    return state.refreshed_at if state is not None else None


def refresh(session: Session, now: datetime, everything: bool = False) -> dict:
    """Bring open work and throughput up to date as of `now`; returns the days worked out again."""
    state = refreshes.locked(session, NAME)
    _open_work(session, now)
    _counts(session)
    whole = everything or refreshes.due_whole(state, now)
    since = None if whole else (state.changes_from - OVERLAP).date()
    _task_days(session, since)
    refreshes.done(session, state, NAME, now, whole)
    return {"whole": whole, "days_from": since.isoformat() if since else None}


def _open_work(session: Session, now: datetime) -> None:
    session.execute(delete(OpenWork))
    overdue = func.sum(case((InboxTask.due_at < now, 1), else_=0))
    role, person = func.coalesce(InboxTask.role, NONE), func.coalesce(InboxTask.assignee, NONE)
    source = (select(InboxTask.program, role, person, func.count(), overdue)
              .where(InboxTask.status.in_(TaskStatus.ACTIVE)).group_by(InboxTask.program, role, person))
    session.execute(insert(OpenWork).from_select(["program", "role", "assignee", "open", "overdue"], source))


def _counts(session: Session) -> None:
    """Programs running per program and stage; patients per risk tier, of each program and of all."""
    session.execute(delete(ReportCount))
    stage = (select(literal(STAGE), InstanceFacts.process_id, InstanceFacts.stage, func.count())
             .where(InstanceFacts.ended_on.is_(None), InstanceFacts.stage.is_not(None))
             .group_by(InstanceFacts.process_id, InstanceFacts.stage))
    session.execute(insert(ReportCount).from_select(["kind", "program", "key", "n"], stage))
    tier = func.coalesce(Patient.risk_tier, NONE)
    every = select(literal(RISK), literal(NONE), tier, func.count()).group_by(tier)
    session.execute(insert(ReportCount).from_select(["kind", "program", "key", "n"], every))
    enrolled = select(InstanceFacts.process_id.label("program"), InstanceFacts.patient_id).distinct().subquery()
    per_program = (select(literal(RISK), enrolled.c.program, tier, func.count())
                   .join_from(enrolled, Patient, Patient.id == enrolled.c.patient_id)
                   .group_by(enrolled.c.program, tier))
    session.execute(insert(ReportCount).from_select(["kind", "program", "key", "n"], per_program))


def counted(session: Session, kind: str, program: str | None) -> dict[str | None, int]:
    """The counts of `kind` (STAGE: of each stage; RISK: of each tier, None for not assessed), of one program
    (a process id) or of every one."""
    query = select(ReportCount.key, func.sum(ReportCount.n)).where(ReportCount.kind == kind)
    if kind == RISK:
        query = query.where(ReportCount.program == (program or NONE))
    elif program:
        query = query.where(ReportCount.program == program)
    return {key or None: int(n) for key, n in session.execute(query.group_by(ReportCount.key))}


def _task_days(session: Session, since: date | None) -> None:
    """Work the days from `since` (None: every day) out again."""
    gone = delete(TaskDay)
    where = [InboxTask.status == TaskStatus.COMPLETED, InboxTask.completed_at.is_not(None)]
    if since is not None:
        gone = gone.where(TaskDay.day >= since)
        where.append(InboxTask.completed_at >= datetime(since.year, since.month, since.day, tzinfo=timezone.utc))
    session.execute(gone)
    day = utc_day(session, InboxTask.completed_at)
    late = func.sum(case((InboxTask.completed_at > InboxTask.due_at, 1), else_=0))
    source = select(day, InboxTask.program, func.count(), func.coalesce(late, 0)).where(*where) \
        .group_by(day, InboxTask.program)
    session.execute(insert(TaskDay).from_select(["day", "program", "completed", "late"], source))


def open_by(session: Session, column: str, programs: list[str] | None, limit: int | None = None):
    """(key, open, overdue) per role or person ('' for none), most open first; of `programs` only if given."""
    key = getattr(OpenWork, column)
    query = select(key, func.sum(OpenWork.open), func.sum(OpenWork.overdue)).group_by(key) \
        .order_by(func.sum(OpenWork.open).desc(), key)
    if programs is not None:
        query = query.where(OpenWork.program.in_(programs))
    if limit is not None:
        query = query.limit(limit)
    return [(k or None, int(n), int(late or 0)) for k, n, late in session.execute(query)]


def completed_by_day(session: Session, first: date, last: date, programs: list[str] | None):
    """(day, completed, late) for each day from `first` to `last` with tasks completed."""
    query = (select(TaskDay.day, func.sum(TaskDay.completed), func.sum(TaskDay.late))
             .where(TaskDay.day >= first, TaskDay.day <= last).group_by(TaskDay.day))
    if programs is not None:
        query = query.where(TaskDay.program.in_(programs))
    return [(as_date(d), int(n), int(late or 0)) for d, n, late in session.execute(query)]

