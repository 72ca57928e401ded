"""Minutes of clinical staff time spent on a patient's care, recorded with the tasks they were spent on and
counted per calendar month (UTC): what CCM bills by."""
from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, object_session

from engine.care import time_log
from engine.care.actors import Actor
from engine.models import InboxTask, TimeEntry
from engine.store.step_writes import WriteBatch
from engine.time import clock

INSERT = insert(TimeEntry.__table__).inline()


def record_minutes(batch: WriteBatch, row: InboxTask, minutes: int | None, actor: Actor) -> None:
    """Minutes of clinical staff time spent on a task being completed, counted in its calendar month (UTC): a
    row for the step's writes (`batch`, engine.store.step_writes); the completion's audit event names them."""
    if not minutes:
        return
    now = clock.now()
    month = now.strftime("%Y-%m")
    batch.add(INSERT, dict(patient_id=row.patient_id, instance_id=row.instance_id, task_id=row.id,
                           program=row.program, activity=row.title, username=actor.name, minutes=minutes,
                           month=month, recorded_at=now, spent_on=now.date(), recorded_by=None))
    dialect = object_session(row).get_bind().dialect.name
    time_log.add_to_month(batch, dialect, row.patient_id, month, row.program, minutes)  # the month's sum


def minutes_by_month(session: Session, patient_id: str) -> dict[str, int]:
    rows = session.execute(select(TimeEntry.month, func.sum(TimeEntry.minutes)).where(
        TimeEntry.patient_id == patient_id).group_by(TimeEntry.month).order_by(TimeEntry.month.desc()))
    return {month: int(total or 0) for month, total in rows}
