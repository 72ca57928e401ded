"""Import patients from a CSV file: every row checked, good rows added in batches, refused rows reported
with their line and what was wrong. Progress is kept on the job row so a page can show it while it runs."""
from __future__ import annotations

import csv
import io
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.care.patients import PatientInput, PatientInvalid, check, search_key
from engine.errors import InvalidInput, NotFound
from engine.models import ImportJob, Patient
from engine.store import audit
from engine.store.database import Database
from engine.time import clock

log = logging.getLogger(__name__)

COLUMNS = ("mrn", "given_name", "family_name", "birth_date", "sex", "phone", "email", "address",
           "primary_care_provider", "preferred_language", "conditions")
REQUIRED_COLUMNS = ("mrn", "given_name", "family_name", "birth_date")
MAX_ROWS = 50_000
BATCH = 200


def read_csv(text: str) -> list[tuple[int, dict]]:
    """(line number, row) pairs; refuses a file whose header lacks the required columns."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise InvalidInput("the file is empty: the first line must name the columns "
                           f"({', '.join(REQUIRED_COLUMNS)}, ...)")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"the header lacks the column(s) {', '.join(missing)}; "
                           f"the columns are: {', '.join(COLUMNS)}")
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise InvalidInput(f"unknown column(s) {', '.join(unknown)}; the columns are: {', '.join(COLUMNS)}")
    reader.fieldnames = header
    rows = []
    for row in reader:
        if not any((v or "").strip() for k, v in row.items() if k):
            continue  # blank line
        rows.append((reader.line_num, row))
        if len(rows) > MAX_ROWS:
            raise InvalidInput(f"the file has more than {MAX_ROWS:,} rows; split it")
    return rows


def _input(row: dict) -> PatientInput:
    values = {c: (row.get(c) or "").strip() for c in COLUMNS if c != "conditions"}
    conditions = [c for c in (row.get("conditions") or "").split(";") if c.strip()]
    return PatientInput(conditions=conditions, **values)


def create_job(session: Session, filename: str, content: bytes | str, by: str) -> ImportJob:
    """Check the file's shape now (a wrong header is refused at once) and queue the rows' import."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("the file is not UTF-8 text; save it as 'CSV UTF-8'") from None
    rows = read_csv(content)
    job = ImportJob(kind="patients", filename=(filename or "upload.csv")[:300], status="queued",
                    total_rows=len(rows), done_rows=0, added=0, rejected=[], content=content, created_by=by,
                    created_at=clock.now())
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(f"no import {job_id}")
    return job


def run_job(db: Database, job_id: int) -> ImportJob | None:
    """Import the job's rows in batches, each batch one transaction; progress visible between batches."""
    with db.transaction() as session:
        job = get_job(session, job_id)
        if job.status not in ("queued", "running"):
            return job
        job.status = "running"
        rows = read_csv(job.content or "")
        start = job.done_rows
        by = job.created_by
    try:
        for first in range(start, len(rows), BATCH):
            _import_batch(db, job_id, rows[first:first + BATCH], by)
    except Exception as exc:  # noqa: BLE001 - recorded on the job; rows already added stay added
        log.exception("patient import %s failed", job_id)
        with db.transaction() as session:
            job = get_job(session, job_id)
            job.status, job.error, job.finished_at = "failed", str(exc)[:500], clock.now()
        return None
    with db.transaction() as session:
        job = get_job(session, job_id)
        job.status, job.finished_at, job.content = "done", clock.now(), None
        audit.record(session, "patients_imported", by, details={
            "import": job.id, "file": job.filename, "added": job.added, "rejected": len(job.rejected)})
        return job


def _import_batch(db: Database, job_id: int, batch: list[tuple[int, dict]], by: str) -> None:
    with db.transaction() as session:
        job = get_job(session, job_id)
        mrns = [(r.get("mrn") or "").strip() for _, r in batch]
        taken = set(session.scalars(select(Patient.mrn).where(Patient.mrn.in_(mrns))))
        rejected = list(job.rejected or [])
        now = clock.now()
        for line, row in batch:
            mrn = (row.get("mrn") or "").strip()
            try:
                values = check(_input(row), now.date())
            except PatientInvalid as exc:
                rejected.append({"line": line, "mrn": mrn, "errors": exc.errors})
                continue
            if values["mrn"] in taken:
                rejected.append({"line": line, "mrn": mrn,
                                 "errors": {"mrn": f"A patient with MRN {mrn} already exists"}})
                continue
            taken.add(values["mrn"])
            session.add(Patient(id=values["mrn"], search_name=search_key(values["given_name"], values["family_name"]),
                                created_at=now, updated_at=now, created_by=by, **values))
            job.added += 1
        job.rejected = rejected
        job.done_rows += len(batch)
