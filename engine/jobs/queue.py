"""Background jobs stored before any broker hears of them (the `background_jobs` table).

The broker message only says "run job 12": if the broker loses it (restarted without persistence), or the worker
running it dies, the sweep finds the job still open once its lease (or its dispatch mark) has run out and rings
again. A job's effects are recorded under its key (engine.store.receipts), so running it again does them once.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import CarepathError, Conflict, NotFound
from engine.models import BackgroundJob, JobStatus
from engine.store import leases

log = logging.getLogger(__name__)
MAX_BACKOFF = 600.0


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    key: str
    payload: dict
    attempts: int


def add(session: Session, kind: str, payload: dict, key: str, now: datetime,
        dispatch_mark: timedelta) -> tuple[BackgroundJob, bool]:
    """Store a job (False if one with this key exists already: that one is returned, nothing is added)."""
    existing = session.scalar(select(BackgroundJob).where(BackgroundJob.key == key))
    if existing is not None:
        return existing, False
    job = BackgroundJob(key=key, kind=kind, payload=payload, status=JobStatus.QUEUED, attempts=0,
                        not_before=now, claimed_by=None, lease_until=now + dispatch_mark, created_at=now)
    session.add(job)
    session.flush()
    return job, True


def claim(session: Session, job_id: int, owner: str, now: datetime, lease: timedelta) -> Claimed | None:
    """Take job `job_id` for `owner` until `now + lease`; None when it is done, someone holds it, or it must
    wait (a retry's back-off)."""
    m = BackgroundJob
    rows = leases.take(session, m, (m.id == job_id, m.status.in_(JobStatus.OPEN), m.not_before <= now,
                                    leases.unheld(m, now)),
                       {"status": JobStatus.RUNNING, "claimed_by": owner, "lease_until": now + lease,
                        "attempts": m.__table__.c.attempts + 1},
                       returning=(m.__table__.c.kind, m.__table__.c.key, m.__table__.c.payload,
                                  m.__table__.c.attempts))
    if not rows:
        return None
    kind, key, payload, attempts = rows[0]
    return Claimed(job_id, kind, key, payload or {}, attempts)


def finish(session: Session, job_id: int, owner: str, now: datetime, result: dict | None) -> bool:
    job = _held(session, job_id, owner)
    if job is None:
        return False
    job.status, job.result, job.finished_at = JobStatus.DONE, result, now
    job.claimed_by = job.lease_until = None
    job.error = None
    return True


def fail(session: Session, job_id: int, owner: str, now: datetime, error: str, *, retry: bool,
         max_attempts: int) -> str | None:
    """Record a failed attempt: queued again after a back-off, or failed for good. Returns the new status."""
    job = _held(session, job_id, owner)
    if job is None:
        return None
    job.error = error[:2000]
    job.claimed_by = job.lease_until = None
    if retry and job.attempts < max_attempts:
        job.status = JobStatus.QUEUED
        job.not_before = now + timedelta(seconds=min(MAX_BACKOFF, 2.0 ** job.attempts))
    else:
        job.status, job.finished_at = JobStatus.FAILED, now
    return job.status


def _held(session: Session, job_id: int, owner: str) -> BackgroundJob | None:
    job = session.get(BackgroundJob, job_id)
    if job is None or job.claimed_by != owner:
        log.warning("background job %s is no longer held by %s (its lease ran out and another worker took "
                    "it over); this attempt's outcome is not recorded", job_id, owner)
        return None
    return job


def stale(session: Session, now: datetime, dispatch_mark: timedelta, limit: int = 500) -> list[int]:
    """Open jobs nobody works on and whose bell is not (or no longer) ringing: marked as rung again now."""
    m = BackgroundJob
    return leases.take(session, m, (m.status.in_(JobStatus.OPEN), m.not_before <= now, leases.expired(m, now)),
                       {"claimed_by": None, "lease_until": now + dispatch_mark}, limit=limit, order_by=(m.id,))


def get(session: Session, job_id: int) -> BackgroundJob:
    job = session.get(BackgroundJob, job_id)
    if job is None:
        raise NotFound(f"background job {job_id} does not exist")
    return job


def is_permanent(exc: BaseException) -> bool:
    """An error that a retry cannot cure: wrong input, a missing instance (a conflict is worth retrying)."""
    return isinstance(exc, CarepathError) and not isinstance(exc, Conflict)


def by_key(session: Session, key: str) -> BackgroundJob:
    job = session.scalar(select(BackgroundJob).where(BackgroundJob.key == key))
    if job is None:
        raise NotFound(f"no background job with key {key!r}")
    return job
