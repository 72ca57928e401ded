from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JsonDoc


class JobStatus:
    QUEUED = "queued"  # waiting for a worker (or for `not_before`, after a failed attempt)
    RUNNING = "running"  # claimed by `claimed_by` until `lease_until`
    DONE = "done"
    FAILED = "failed"  # gave up after the last attempt; see `error`

    OPEN = (QUEUED, RUNNING)


class Leased:
    """The columns of a row that workers claim (engine.store.leases): attempts so far, not before when the next
    may start, and who holds it until when. Without a holder, `lease_until` is a dispatch mark: the sweep waits
    until then before ringing the bell for the row again."""

    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None]


class BackgroundJob(Leased, Base):
    """Work handed to the background (a message to correlate, an import to run), stored before any broker hears
    of it: the broker only rings the bell, so a broker that loses its queue loses nothing. `key` makes a job
    idempotent: submitting the same key twice stores one job, and its effects are recorded under that key."""

    __tablename__ = "background_jobs"
    __table_args__ = (Index(None, "status", "not_before"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict] = mapped_column(JsonDoc)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    result: Mapped[dict | None] = mapped_column(JsonDoc)
    error: Mapped[str | None] = mapped_column(Text)


class JobReceipt(Base):
    """That the effect named `key` happened (a message delivered to one instance), written in the same
    transaction as the effect: a retried job finds it and does not do the effect again."""

    __tablename__ = "job_receipts"

    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime]


class NotificationStatus:
    PENDING = "pending"
    SENDING = "sending"  # handed to the SMTP server by `claimed_by`; not yet recorded as accepted
    SENT = "sent"
    FAILED = "failed"


class Notification(Leased, Base):
    """One e-mail to one recipient, planned once under its idempotency key (unique) before it is sent."""

    __tablename__ = "notifications"
    __table_args__ = (Index(None, "status", "not_before"), Index(None, "task_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(250), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # reminder, escalation, digest
    recipient: Mapped[str] = mapped_column(String(320))  # e-mail address
    username: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    task_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
