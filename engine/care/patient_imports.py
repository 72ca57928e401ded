"""Import patients from a CSV file: every row checked, good rows added in batches, refused rows reported
with their line and what was wrong. Progress is kept on the job row so a page can show it while it runs."""
from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.care.characters import refused_character, replaced, shown
from engine.care.patients import PatientInput, PatientInvalid, check, register
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


@dataclass(frozen=True)
class CsvRow:
    """One row of the file: its line (the last, for a row whose quoted field spans lines) and its values by
    column; `refused` says what is wrong, by field, with a row refused as it is read (a field too long to
    read, a control character)."""
    line: int
    values: dict
    refused: dict[str, str] | None = None

    def rejection(self) -> dict:
        return {"line": self.line, "mrn": shown((self.values.get("mrn") or "").strip()), "errors": self.refused}


def _unreadable(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"a field is longer than {csv.field_size_limit():,} characters, so the row cannot be read"
    return f"the row cannot be read as CSV ({exc})"


def _capital(message: str) -> str:
    return message[:1].upper() + message[1:]


def read_csv(text: str) -> list[CsvRow]:
    """The file's rows, each with its line number; refuses a file whose header lacks the required columns. A
    row that cannot be read (a field over csv's limit of 131,072 characters) or that holds a control character
    comes with what is wrong (`refused`): it is reported, the others are imported."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))  # a line ends at \n, \r\n or \r, as csv expects
    try:
        names = next(reader, [])
    except csv.Error as exc:
        raise InvalidInput(f"line 1, the header: {_unreadable(exc)}") from None
    header = [(h or "").strip().lower() for h in names]
    if not any(header):
        raise InvalidInput("the file is empty: the first line must name the columns "
                           f"({', '.join(REQUIRED_COLUMNS)}, ...)")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"the header lacks the column(s) {', '.join(missing)}; "
                           f"the columns are: {', '.join(COLUMNS)}")
    unknown = [shown(h) for h in header if h and h not in COLUMNS]
    if unknown:
        raise InvalidInput(f"unknown column(s) {', '.join(unknown)}; the columns are: {', '.join(COLUMNS)}")
    rows = []
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # the reader goes on with the next line
            rows.append(CsvRow(reader.line_num, {}, {"row": _capital(_unreadable(exc))}))
            continue
        values = {name: value for name, value in zip(header, fields) if name}
        if not any(v.strip() for v in values.values()):
            continue  # blank line
        refused = {name: _capital(problem) for name, value in values.items() if (problem := refused_character(value))}
        rows.append(CsvRow(reader.line_num, values, refused or None))
        if len(rows) > MAX_ROWS:
            raise InvalidInput(f"the file has more than {MAX_ROWS:,} rows; split it")
    return rows


def _input(row: dict) -> PatientInput:
    values = {c: (row.get(c) or "").strip() for c in COLUMNS if c != "conditions"}
    conditions = [c for c in (row.get("conditions") or "").split(";") if c.strip()]
    return PatientInput(conditions=conditions, **values)


def create_job(session: Session, filename: str, content: bytes | str, by: str) -> ImportJob:
    """Check the file's shape now (a wrong header is refused at once) and queue the rows' import. Rows that
    cannot be read, or hold control characters, are refused now; the file is kept with those characters
    replaced (a database may not store them), and its other rows are imported by `run_job`."""
    if problem := refused_character(filename or ""):
        raise InvalidInput(f"the file name {problem}")
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("the file is not UTF-8 text; save it as 'CSV UTF-8'") from None
    rows = read_csv(content)
    job = ImportJob(kind="patients", filename=(filename or "upload.csv")[:300], status="queued",
                    total_rows=len(rows), done_rows=0, added=0, rejected=[r.rejection() for r in rows if r.refused],
                    content=replaced(content), created_by=by, created_at=clock.now())
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
        refused_at_once = {r["line"] for r in job.rejected or ()}  # and what an earlier run of this job refused
    try:
        for first in range(start, len(rows), BATCH):
            _import_batch(db, job_id, [r for r in rows[first:first + BATCH] if r.line not in refused_at_once],
                          len(rows[first:first + BATCH]), by)
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


def _import_batch(db: Database, job_id: int, batch: list[CsvRow], size: int, by: str) -> None:
    """Import a batch of rows (`size` of the file's, those refused at once left out): each patient is added as
    one added by hand is, with the `patient_added` event their history starts with."""
    with db.transaction() as session:
        job = get_job(session, job_id)
        mrns = [(r.values.get("mrn") or "").strip() for r in batch]
        taken = set(session.scalars(select(Patient.mrn).where(Patient.mrn.in_(mrns))))
        rejected = list(job.rejected or [])
        now = clock.now()
        for row in batch:
            mrn = (row.values.get("mrn") or "").strip()
            try:
                values = check(_input(row.values), now.date())
            except PatientInvalid as exc:
                rejected.append({"line": row.line, "mrn": mrn, "errors": exc.errors})
                continue
            if values["mrn"] in taken:
                rejected.append({"line": row.line, "mrn": mrn,
                                 "errors": {"mrn": f"A patient with MRN {mrn} already exists"}})
                continue
            taken.add(values["mrn"])
            register(session, values, by, now)
            job.added += 1
        job.rejected = sorted(rejected, key=lambda r: r["line"])  # with those refused at once, in file order
        job.done_rows += size
