"""The notifications table as an outbox: plan each e-mail once under its key, then send it at most once per
successful attempt.

Sending is three steps: (1) claim the row (status `sending`, a lease, one more attempt) and commit; (2) hand the
message to the SMTP server; (3) record it as `sent`. A retry of any kind (a redelivered task, a second worker, a
sweep) finds the row `sent` or held and sends nothing. The one window left is a crash between (2) and (3): the
server has the message but the row still says `sending`; once the lease has run out the message is sent again
(at least once beats never for a clinical reminder). The copy carries the same Message-ID, by which mail systems
and clients drop duplicates. SMTP offers no way to make the hand-over and our record one atomic step.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.models import Notification, NotificationStatus
from engine.store import leases
from engine.store.conflicts import insert_for

log = logging.getLogger(__name__)
OPEN = (NotificationStatus.PENDING, NotificationStatus.SENDING)


@dataclass(frozen=True)
class Planned:
    key: str
    kind: str
    recipient: str
    subject: str
    body: str
    username: str | None = None
    task_id: int | None = None


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    recipient: str
    subject: str
    body: str
    attempts: int


def plan(session: Session, item: Planned, now: datetime) -> int | None:
    """Store the notification unless one with its key exists; returns the new row's id, else None."""
    values = dict(key=item.key[:250], kind=item.kind, recipient=item.recipient, username=item.username,
                  subject=item.subject[:300], body=item.body, task_id=item.task_id,
                  status=NotificationStatus.PENDING, attempts=0, not_before=now, claimed_by=None,
                  lease_until=None, created_at=now)
    dialect = session.get_bind().dialect.name
    table = Notification.__table__
    if dialect in ("postgresql", "sqlite"):
        statement = insert_for(dialect, table).values(**values).on_conflict_do_nothing(index_elements=["key"])
        return session.execute(statement.returning(table.c.id)).scalar()
    if session.scalar(select(Notification.id).where(Notification.key == values["key"])) is not None:
        return None
    return session.execute(insert(table).values(**values).returning(table.c.id)).scalar()


def claim(session: Session, notification_id: int, owner: str, now: datetime, lease: timedelta) -> Claimed | None:
    m, c = Notification, Notification.__table__.c
    rows = leases.take(session, m, (m.id == notification_id, m.status.in_(OPEN), m.not_before <= now,
                                    leases.unheld(m, now)),
                       {"status": NotificationStatus.SENDING, "claimed_by": owner, "lease_until": now + lease,
                        "attempts": c.attempts + 1},
                       returning=(c.key, c.recipient, c.subject, c.body, c.attempts))
    if not rows:
        return None
    key, recipient, subject, body, attempts = rows[0]
    return Claimed(notification_id, key, recipient, subject, body, attempts)


def _held(session: Session, notification_id: int, owner: str) -> Notification | None:
    row = session.get(Notification, notification_id)
    if row is None or row.claimed_by != owner:
        log.warning("notification %s is no longer held by %s; this attempt is not recorded", notification_id, owner)
        return None
    return row


def mark_sent(session: Session, notification_id: int, owner: str, now: datetime) -> None:
    row = _held(session, notification_id, owner)
    if row is not None:
        row.status, row.sent_at, row.error = NotificationStatus.SENT, now, None
        row.claimed_by = row.lease_until = None


def mark_failed(session: Session, notification_id: int, owner: str, now: datetime, error: str, *,
                permanent: bool, max_attempts: int) -> str | None:
    row = _held(session, notification_id, owner)
    if row is None:
        return None
    row.error = error[:2000]
    row.claimed_by = row.lease_until = None
    if permanent or row.attempts >= max_attempts:
        row.status = NotificationStatus.FAILED
    else:
        row.status = NotificationStatus.PENDING
        row.not_before = now + timedelta(seconds=min(3600.0, 30.0 * 2 ** (row.attempts - 1)))
    return row.status


def stale(session: Session, now: datetime, dispatch_mark: timedelta, limit: int = 500) -> list[int]:
    """Notifications to send that nobody sends now and whose bell is not ringing: marked as rung again."""
    m = Notification
    return leases.take(session, m, (m.status.in_(OPEN), m.not_before <= now, leases.expired(m, now)),
                       {"claimed_by": None, "lease_until": now + dispatch_mark}, limit=limit, order_by=(m.id,))


def mark_dispatched(session: Session, ids: list[int], now: datetime, dispatch_mark: timedelta) -> None:
    if ids:
        table = Notification.__table__
        session.execute(table.update().where(table.c.id.in_(ids), table.c.claimed_by.is_(None))
                        .values(lease_until=now + dispatch_mark))
