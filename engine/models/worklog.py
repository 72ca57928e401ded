from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JsonDoc


class TaskDraft(Base):
    """What someone typed into a task's form and saved without submitting; one per task and person."""

    __tablename__ = "task_drafts"
    __table_args__ = (UniqueConstraint("task_id", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("inbox_tasks.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict] = mapped_column(JsonDoc)
    saved_at: Mapped[datetime]


class TimeEntry(Base):
    """Minutes of clinical staff time spent on a patient's task (care programs bill by time per month)."""

    __tablename__ = "time_entries"
    __table_args__ = (Index(None, "patient_id", "month"), Index(None, "username", "month"), Index(None, "recorded_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(100))
    instance_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(Integer)
    program: Mapped[str] = mapped_column(String(200))
    activity: Mapped[str] = mapped_column(String(300))  # the task's title
    username: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, in UTC
    recorded_at: Mapped[datetime]
    spent_on: Mapped[date | None] = mapped_column(Date)  # the day of the work (time logged without a task)
    recorded_by: Mapped[str | None] = mapped_column(String(200))  # who logged it, when not `username`


class ImportJob(Base):
    """A bulk import of patients from a CSV file: its progress and the rows it refused."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))  # patients
    filename: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))  # queued, running, done, failed
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    done_rows: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    # [{"line": n, "mrn": ..., "errors": {field: message}}]
    rejected: Mapped[list] = mapped_column(JsonDoc, default=list)
    error: Mapped[str | None] = mapped_column(String(500))
    content: Mapped[str | None] = mapped_column(Text)  # the uploaded CSV, cleared when the job ends
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
