"""The audit trail as a privacy officer reads it: events filtered by patient, person, action, time range and
outcome (allowed, or refused), newest first, a page at a time by (time, id) so that page 10,000 costs what page
1 does; who saw a patient in a span of days (those who opened the record, and those shown the patient in a
list); and the rows of a CSV export."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, literal, literal_column, or_, select, true
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.models import AuditEvent
from engine.time import clock

REFUSED = "refused"
OUTCOMES = ("allowed", REFUSED)
# events that read a patient's record or data (a task page shows it too)
RECORD_VIEWS = ("viewed", "patient_viewed", "access_granted")
MAX_PAGE_SIZE = 500
MAX_SPAN_DAYS = 3660


@dataclass(frozen=True)
class AuditQuery:
    patient_id: str | None = None
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None  # at or after
    until: datetime | None = None  # before
    outcome: str | None = None  # allowed or refused
    before: tuple[datetime, int] | None = None  # keyset: older than this (at, id)
    after: tuple[datetime, int] | None = None  # keyset: newer than this (at, id)
    page_size: int = 50

    def check(self) -> None:
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise InvalidInput(f"the outcome must be one of: {', '.join(OUTCOMES)}")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(f"the page size must be between 1 and {MAX_PAGE_SIZE}")
        if self.since and self.until and self.since >= self.until:
            raise InvalidInput("the time range ends before it starts")

    def described(self) -> dict:
        """The filters as the audit trail keeps them (reading the trail is itself an event)."""
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in vars(self).items()
                if v not in (None, "") and k not in ("before", "after", "page_size")}


@dataclass
class AuditPage:
    query: AuditQuery
    events: list[AuditEvent]
    has_newer: bool
    has_older: bool


def conditions(q: AuditQuery) -> list:
    found = []
    if q.patient_id:
        found.append(AuditEvent.patient_id == q.patient_id)
    if q.actor:
        found.append(AuditEvent.actor == q.actor)
    if q.action:
        found.append(AuditEvent.action == q.action)
    if q.outcome == REFUSED:
        found.append(AuditEvent.action == REFUSED)
    elif q.outcome == "allowed":
        found.append(AuditEvent.action != REFUSED)
    if q.since is not None:
        found.append(AuditEvent.at >= q.since)
    if q.until is not None:
        found.append(AuditEvent.at < q.until)
    return found


def _older(key: tuple[datetime, int]):
    """Before (at, id). The plain bound on `at` comes first so that the database reads the time index from
    there (a bare OR made PostgreSQL walk and drop every newer event: 1.8 s at page 5,000,000 of 10,000,000)."""
    at, event_id = key
    return and_(AuditEvent.at <= at, or_(AuditEvent.at < at, AuditEvent.id < event_id))


def _newer(key: tuple[datetime, int]):
    at, event_id = key
    return and_(AuditEvent.at >= at, or_(AuditEvent.at > at, AuditEvent.id > event_id))


def page(session: Session, q: AuditQuery) -> AuditPage:
    q.check()
    where = conditions(q)
    query = select(AuditEvent).where(*where)
    if q.after is not None:
        query = query.where(_newer(q.after)).order_by(AuditEvent.at.asc(), AuditEvent.id.asc())
    else:
        if q.before is not None:
            query = query.where(_older(q.before))
        query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    events = list(session.scalars(query.limit(q.page_size + 1)))
    more = len(events) > q.page_size
    events = events[:q.page_size]
    if q.after is not None:
        events.reverse()
    first, last = ((events[0].at, events[0].id), (events[-1].at, events[-1].id)) if events else (None, None)
    if q.after is not None:
        has_newer, has_older = more, bool(events) and _any(session, where, _older(last))
    else:
        has_older = more
        has_newer = q.before is not None and bool(events) and _any(session, where, _newer(first))
    return AuditPage(q, events, bool(has_newer), bool(has_older))


def _any(session: Session, where: list, extra) -> bool:
    return session.scalar(select(AuditEvent.id).where(*where, extra).limit(1)) is not None


def export(session: Session, q: AuditQuery, limit: int) -> Iterator[AuditEvent]:
    """Every event the filters match, newest first (at most `limit`), read in pages of 1,000."""
    q.check()
    where, key, sent = conditions(q), None, 0
    while sent < limit:
        query = select(AuditEvent).where(*where)
        if key is not None:
            query = query.where(_older(key))
        batch = list(session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                     .limit(min(1000, limit - sent))))
        if not batch:
            return
        yield from batch
        sent += len(batch)
        key = (batch[-1].at, batch[-1].id)


def csv_row(event: AuditEvent) -> list:
    return [event.id, event.at.isoformat(), event.actor, event.action, event.patient_id or "",
            event.instance_id or "", event.element_id or "",
            json.dumps(event.details, ensure_ascii=False, default=str, sort_keys=True) if event.details else ""]


CSV_HEADER = ["id", "at", "actor", "action", "patient", "instance", "element", "details"]


# ------------------------------------------------------------------------------------------------ who saw them
@dataclass
class Viewer:
    actor: str
    times: int
    first: datetime
    last: datetime
    actions: list[str]


@dataclass
class ViewersReport:
    patient_id: str
    days: int
    since: datetime
    opened: list[Viewer]  # opened the record, a task of theirs, their data (or broke the glass for it)
    listed: list[Viewer]  # were shown the patient in a list (an inbox page, a search, a patient list)


def viewers(session: Session, patient_id: str, days: int) -> ViewersReport:
    if not 1 <= days <= MAX_SPAN_DAYS:
        raise InvalidInput(f"the span must be from 1 to {MAX_SPAN_DAYS} days")
    since = clock.now() - timedelta(days=days)
    opened = _grouped(session, [AuditEvent.patient_id == patient_id, AuditEvent.action.in_(RECORD_VIEWS),
                                AuditEvent.at >= since])
    listed = _grouped(session, [_names(session, patient_id), AuditEvent.at >= since])
    return ViewersReport(patient_id, days, since, opened, listed)


def _grouped(session: Session, where: list) -> list[Viewer]:
    query = (select(AuditEvent.actor, func.count(), func.min(AuditEvent.at), func.max(AuditEvent.at))
             .where(*where).group_by(AuditEvent.actor).order_by(func.max(AuditEvent.at).desc()))
    found = [Viewer(actor, n, first, last, []) for actor, n, first, last in session.execute(query)]
    if found:
        actions: dict[str, set[str]] = {}
        for actor, action in session.execute(select(AuditEvent.actor, AuditEvent.action).where(*where).distinct()):
            actions.setdefault(actor, set()).add(action)
        for viewer in found:
            viewer.actions = sorted(actions.get(viewer.actor, ()))
    return found


def _names(session: Session, patient_id: str):
    """Events whose details list the patient among those shown (`details.patients`): on PostgreSQL through the
    trail's GIN index of those lists, elsewhere through SQLite's json_each."""
    if session.get_bind().dialect.name == "postgresql":
        # written as the index is (its expression, and its WHERE as a literal): a bound 'patients' would keep
        # PostgreSQL from using it (0.4 s a report at 10,000,000 events, instead of a millisecond)
        listed = literal_column("audit_events.details -> 'patients'", JSONB)
        return and_(sql_text("audit_events.details ? 'patients'"),
                    listed.op("@>")(func.jsonb_build_array(literal(patient_id))))
    shown = func.json_each(AuditEvent.details, "$.patients").table_valued("value")
    return exists(select(true()).select_from(shown).where(shown.c.value == patient_id))
