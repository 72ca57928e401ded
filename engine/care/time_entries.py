"""Minutes of clinical staff time spent on a patient's care, recorded with the tasks they were spent on and
counted per calendar month (UTC): what CCM bills by."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.care.actors import Actor
from engine.care.instances import get_instance
from engine.errors import InvalidInput
from engine.models import InboxTask, TimeEntry
from engine.store import audit
from engine.time import clock

MAX_MINUTES = 24 * 60


def check_minutes(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        minutes = int(str(value).strip())
    except ValueError:
        raise InvalidInput("Minutes spent must be a whole number") from None
    if not 0 <= minutes <= MAX_MINUTES:
        raise InvalidInput(f"Minutes spent must be between 0 and {MAX_MINUTES}")
    return minutes


def record_minutes(session: Session, task_id: int, minutes: int, actor: Actor) -> TimeEntry | None:
    """Minutes of clinical staff time spent on the task, counted in its calendar month (UTC)."""
    if not minutes:
        return None
    row = session.get(InboxTask, task_id)
    instance = get_instance(session, row.instance_id)
    now = clock.now()
    entry = TimeEntry(patient_id=row.patient_id, instance_id=row.instance_id, task_id=row.id, program=row.program,
                      activity=row.title, username=actor.name, minutes=minutes, month=now.strftime("%Y-%m"),
                      recorded_at=now)
    session.add(entry)
    audit.record(session, "time_recorded", actor.name, instance=instance, task_uuid=row.task_uuid,
                 element_id=row.element_id, details={"minutes": minutes, "month": entry.month})
    return entry


def minutes_by_month(session: Session, patient_id: str) -> dict[str, int]:
    rows = session.execute(select(TimeEntry.month, func.sum(TimeEntry.minutes)).where(
        TimeEntry.patient_id == patient_id).group_by(TimeEntry.month).order_by(TimeEntry.month.desc()))
    return {month: int(total or 0) for month, total in rows}
