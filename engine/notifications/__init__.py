"""E-mail notifications: reminders before a task is due, escalations to the role's lead when it is overdue,
and a daily digest of a care manager's tasks. Planned once under an idempotency key (engine.notifications.outbox),
sent over SMTP by a background worker or the in-process scheduler. Keeps its own table (the outbox); may
import `engine.config`, `engine.models`, `engine.store` and `engine.time`."""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from engine.config import NotifySettings, Settings, SmtpSettings
from engine.notifications import outbox, planner
from engine.notifications.directory import (
    AccountsDirectory,
    ChainDirectory,
    Recipient,
    RecipientDirectory,
    StaticDirectory,
    default_directory,
)
from engine.notifications.mailer import SendFailed, SmtpMailer, build
from engine.time import clock

log = logging.getLogger(__name__)

__all__ = [
    "AccountsDirectory",
    "ChainDirectory",
    "Notifier",
    "NotifySettings",
    "Recipient",
    "RecipientDirectory",
    "SmtpSettings",
    "StaticDirectory",
]


class Notifier:
    def __init__(self, db, smtp: SmtpSettings, settings: NotifySettings | None = None,
                 directory: RecipientDirectory | None = None, mailer=None):
        self.db = db
        self.smtp = smtp
        self.settings = settings or NotifySettings()
        self.directory = directory or default_directory(db)
        self.mailer = mailer or SmtpMailer(smtp)

    @classmethod
    def from_settings(cls, db, settings: Settings) -> Notifier | None:
        """A notifier when an SMTP server is configured (CAREPATH_SMTP_HOST), else None (notifications are off)."""
        return cls(db, settings.smtp, settings.notify) if settings.smtp is not None else None

    def plan_due(self, now: datetime | None = None) -> list[int]:
        """Plan the reminders and escalations due now; returns the ids of the new notifications."""
        now = now or clock.now()
        with self.db.transaction() as session:
            return (planner.plan_reminders(session, self.directory, self.settings, now)
                    + planner.plan_escalations(session, self.directory, self.settings, now))

    def plan_digests(self, day: date | None = None, now: datetime | None = None) -> list[int]:
        now = now or clock.now()
        with self.db.transaction() as session:
            return planner.plan_digests(session, self.directory, self.settings, day or now.date(), now)

    def send(self, notification_id: int, owner: str, *, lease: timedelta = timedelta(minutes=5),
             max_attempts: int = 5) -> str:
        """Send one planned notification: 'sent', 'skipped' (sent already, or someone else is sending it),
        'retry' (a temporary failure; it goes again after a back-off) or 'failed'."""
        with self.db.transaction() as session:
            item = outbox.claim(session, notification_id, owner, clock.now(), lease)
        if item is None:
            return "skipped"
        msg = build(self.smtp, key=item.key, recipient=item.recipient, subject=item.subject, body=item.body)
        try:
            self.mailer.send(msg)
        except SendFailed as exc:
            log.warning("notification %s (%s): %s", item.id, item.key, exc)
            with self.db.transaction() as session:
                status = outbox.mark_failed(session, item.id, owner, clock.now(), str(exc),
                                            permanent=exc.permanent, max_attempts=max_attempts)
            return "failed" if status == "failed" else "retry"
        with self.db.transaction() as session:
            outbox.mark_sent(session, item.id, owner, clock.now())
        return "sent"

    def stale(self, dispatch_mark: timedelta, now: datetime | None = None) -> list[int]:
        with self.db.transaction() as session:
            return outbox.stale(session, now or clock.now(), dispatch_mark)

    def mark_dispatched(self, ids: list[int], dispatch_mark: timedelta) -> None:
        with self.db.transaction() as session:
            outbox.mark_dispatched(session, ids, clock.now(), dispatch_mark)
