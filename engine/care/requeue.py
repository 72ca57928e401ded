"""An admin's retry of background work that gave up: a failed job (a message delivery, a patient import, a
migration) or a failed e-mail goes back to its queue with a fresh count of attempts; the next sweep rings for
it (a caller may ring at once)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.errors import InvalidState, NotFound
from engine.models import MAX_ID, BackgroundJob, JobStatus, Notification, NotificationStatus
from engine.store import audit
from engine.time import clock


def retry_job(session: Session, job_id: int, by: str) -> BackgroundJob:
    job = session.get(BackgroundJob, job_id) if 1 <= job_id <= MAX_ID else None
    if job is None:
        raise NotFound(f"background job {job_id} does not exist")
    if job.status != JobStatus.FAILED:
        raise InvalidState(f"background job {job_id} is {job.status}; only a failed job is retried by hand")
    previous = job.error
    job.status, job.attempts, job.not_before = JobStatus.QUEUED, 0, clock.now()
    job.claimed_by = job.lease_until = job.finished_at = None
    audit.record(session, "job_retried", by, details={"job": job.id, "kind": job.kind,
                                                      "previous_error": (previous or "")[:300] or None})
    return job


def retry_notification(session: Session, notification_id: int, by: str) -> Notification:
    row = session.get(Notification, notification_id) if 1 <= notification_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"notification {notification_id} does not exist")
    if row.status != NotificationStatus.FAILED:
        raise InvalidState(f"notification {notification_id} is {row.status}; only a failed one is retried by hand")
    previous = row.error
    row.status, row.attempts, row.not_before = NotificationStatus.PENDING, 0, clock.now()
    row.claimed_by = row.lease_until = None
    audit.record(session, "notification_retried", by, details={"notification": row.id, "kind": row.kind,
                                                               "previous_error": (previous or "")[:300] or None})
    return row
