"""Background work as an admin watches it: timers coming due and those overdue (due, of a running instance,
and not fired: the sweep is behind or down), stored jobs (message deliveries, patient imports, migrations) open
or failed with their error, and the notification outbox."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.models import (
    BackgroundJob,
    Instance,
    InstanceStatus,
    JobStatus,
    Notification,
    NotificationStatus,
    TimerWait,
)
from engine.time import clock

TIMER_VIEWS = ("overdue", "soon")
JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED, JobStatus.DONE)
OUTBOX_STATUSES = (NotificationStatus.PENDING, NotificationStatus.SENDING, NotificationStatus.FAILED,
                   NotificationStatus.SENT)
SOON = timedelta(hours=24)


@dataclass
class Overview:
    timers_overdue: int  # due a while ago and not fired
    timers_soon: int  # due within a day
    jobs: dict[str, int]  # per status
    outbox: dict[str, int]  # per status
    oldest_overdue: datetime | None


@dataclass
class Rows:
    rows: list
    page: int
    page_size: int
    more: bool


LATE = timedelta(minutes=1)  # a timer is overdue once it is this late: the sweep runs every few seconds


def overview(session: Session) -> Overview:
    now = clock.now()
    late = _timers(now, "overdue")
    return Overview(
        session.scalar(select(func.count()).select_from(late.subquery())) or 0,
        session.scalar(select(func.count()).select_from(_timers(now, "soon").subquery())) or 0,
        _by_status(session, BackgroundJob, JOB_STATUSES),
        _by_status(session, Notification, OUTBOX_STATUSES),
        session.scalar(select(func.min(TimerWait.due_at)).join(Instance, Instance.id == TimerWait.instance_id)
                       .where(TimerWait.due_at < now - LATE, Instance.status == InstanceStatus.RUNNING)))


def _by_status(session: Session, model, statuses) -> dict[str, int]:
    return {status: session.scalar(select(func.count()).select_from(model).where(model.status == status)) or 0
            for status in statuses}


def _timers(now: datetime, view: str):
    query = select(TimerWait, Instance).join(Instance, Instance.id == TimerWait.instance_id).where(
        Instance.status == InstanceStatus.RUNNING)
    if view == "overdue":
        return query.where(TimerWait.due_at < now - LATE)
    return query.where(TimerWait.due_at >= now - LATE, TimerWait.due_at < now + SOON)


def timers(session: Session, view: str, page: int, page_size: int = 50) -> Rows:
    if view not in TIMER_VIEWS:
        raise InvalidInput(f"the timers to show are one of: {', '.join(TIMER_VIEWS)}")
    query = _timers(clock.now(), view).order_by(TimerWait.due_at, TimerWait.id)
    found = [tuple(row) for row in session.execute(query.offset((page - 1) * page_size).limit(page_size + 1))]
    return Rows(found[:page_size], page, page_size, len(found) > page_size)


def jobs(session: Session, status: str | None, page: int, page_size: int = 50) -> Rows:
    if status is not None and status not in JOB_STATUSES:
        raise InvalidInput(f"a job's status is one of: {', '.join(JOB_STATUSES)}")
    query = select(BackgroundJob)
    query = query.where(BackgroundJob.status == status) if status else query.where(
        BackgroundJob.status != JobStatus.DONE)
    found = list(session.scalars(query.order_by(BackgroundJob.id.desc()).offset((page - 1) * page_size)
                                 .limit(page_size + 1)))
    return Rows(found[:page_size], page, page_size, len(found) > page_size)


def outbox(session: Session, status: str | None, page: int, page_size: int = 50) -> Rows:
    if status is not None and status not in OUTBOX_STATUSES:
        raise InvalidInput(f"a notification's status is one of: {', '.join(OUTBOX_STATUSES)}")
    query = select(Notification)
    query = query.where(Notification.status == status) if status else query.where(
        Notification.status != NotificationStatus.SENT)
    found = list(session.scalars(query.order_by(Notification.id.desc()).offset((page - 1) * page_size)
                                 .limit(page_size + 1)))
    return Rows(found[:page_size], page, page_size, len(found) > page_size)
