"""Programs open or closed to new starts. Closing one stops every door from starting it (a care team's start,
an operator's, another system's message); the instances already running carry on untouched."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.care import characters
from engine.errors import Conflict, InvalidInput
from engine.models import ProgramAvailability
from engine.store import audit
from engine.time import clock

MAX_REASON = 500


def closed(session: Session) -> dict[str, ProgramAvailability]:
    """The programs closed to new starts, by process id."""
    rows = session.scalars(select(ProgramAvailability).where(ProgramAvailability.open_for_starts.is_(False)))
    return {row.process_id: row for row in rows}


def require_open(session: Session, process_id: str, name: str) -> None:
    """Refuse a new start of a program an admin closed, saying so (and why, when they said)."""
    row = session.get(ProgramAvailability, process_id)
    if row is not None and not row.open_for_starts:
        why = f" ({row.reason})" if row.reason else ""
        raise Conflict(f"{name} is closed to new starts{why}; the instances already running carry on")


def open_only(session: Session, programs: list[dict]) -> list[dict]:
    """The programs of a list (dicts with an `id`) that take new starts."""
    shut = closed(session)
    return [p for p in programs if p["id"] not in shut]


def set_open(session: Session, process_id: str, open_for_starts: bool, by: str, reason: str = "",
             known: set[str] | None = None) -> ProgramAvailability:
    """Open or close a program for new starts (audited). `known`: the process ids that exist."""
    reason = (reason or "").strip()
    characters.require_text("the reason", reason)
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"the reason is {len(reason)} characters long; at most {MAX_REASON}")
    if known is not None and process_id not in known:
        raise InvalidInput(f"there is no deployed program '{process_id}'")
    row = session.get(ProgramAvailability, process_id)
    if row is None:
        row = ProgramAvailability(process_id=process_id)
        session.add(row)
    row.open_for_starts, row.reason, row.changed_by, row.changed_at = open_for_starts, reason or None, by, clock.now()
    session.flush()
    audit.record(session, "program_opened" if open_for_starts else "program_closed", by,
                 details={"program": process_id, "reason": reason or None})
    return row
