"""Break-the-glass report for the privacy officer and admins: every time someone opened a record from outside
its care team, with their reason, how long the access lasted, and how many times they read the record
during it (audit events). Reads access grants, patients and audit rows only.

A read is an opening of the record: its page (`patient_viewed`), a task page, or a read of the patient through
another door (an API or FHIR read, the care team). The program data a page reads for itself (the care plan on the
patient's page: a `viewed` event of an instance, without a task) is part of that page's opening, not a read of its
own; the audit trail still lists it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.models import AccessGrant, AuditEvent, Patient

OPENED = or_(AuditEvent.action == "patient_viewed",
             and_(AuditEvent.action == "viewed",
                  or_(AuditEvent.task_uuid.is_not(None), AuditEvent.instance_id.is_(None))))
PAGE_SIZE = 50


@dataclass
class GlassBreak:
    grant: AccessGrant
    patient_name: str
    reads: int  # openings of the patient's record (its page, a task, another door) while the access held


@dataclass
class AccessReport:
    rows: list[GlassBreak]
    total: int
    page: int
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def glass_breaks(session: Session, *, since: datetime | None = None, until: datetime | None = None,
                 username: str | None = None, patient_id: str | None = None, page: int = 1) -> AccessReport:
    conditions = []
    if since is not None:
        conditions.append(AccessGrant.granted_at >= since)
    if until is not None:
        conditions.append(AccessGrant.granted_at < until)
    if username:
        conditions.append(AccessGrant.username == username)
    if patient_id:
        conditions.append(AccessGrant.patient_id == patient_id)
    total = session.scalar(select(func.count()).select_from(AccessGrant).where(*conditions)) or 0
    query = (select(AccessGrant, Patient).outerjoin(Patient, Patient.id == AccessGrant.patient_id).where(*conditions)
             .order_by(AccessGrant.granted_at.desc(), AccessGrant.id.desc())
             .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    rows = []
    for grant, patient in session.execute(query):
        reads = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.patient_id == grant.patient_id, AuditEvent.actor == grant.username,
            OPENED, AuditEvent.at >= grant.granted_at, AuditEvent.at <= grant.expires_at))
        rows.append(GlassBreak(grant, patient.name if patient else grant.patient_id, int(reads or 0)))
    return AccessReport(rows, total, page)
