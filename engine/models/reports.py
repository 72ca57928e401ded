"""The rows reports read instead of workflow state: a compact row of facts per instance, the scores and
measurements its pathway recorded, and each patient's minutes per month (kept with every time entry).

The runtime writes the first two when a step saves an instance (engine.runtime.report_facts), with the step's
other rows; the minutes are added to in the same write as the time entry they sum up.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, Index, Integer, PrimaryKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base


class InstanceFacts(Base):
    """What one instance has established so far (dates, scores, outcomes), one row per instance. A fact once
    known stays: a later step that does not see it any more (a branch that never held it) leaves it."""

    __tablename__ = "instance_facts"
    __table_args__ = (
        Index(None, "process_id", "started_on"),
        Index(None, "process_id", "discharge_on"),
        Index(None, "patient_id"),
    )

    instance_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(100))
    process_id: Mapped[str] = mapped_column(String(200))
    program: Mapped[str] = mapped_column(String(200))  # the program's name, as instances and inbox rows have it
    deployment_id: Mapped[int] = mapped_column(Integer)
    started_on: Mapped[date] = mapped_column(Date)
    stage: Mapped[str | None] = mapped_column(String(200))  # the stage of the newest task
    risk_tier: Mapped[str | None] = mapped_column(String(20))
    consent_on: Mapped[date | None] = mapped_column(Date)
    care_plan_on: Mapped[date | None] = mapped_column(Date)  # agreed with the patient
    # transitional care: the discharge and what followed it
    discharge_on: Mapped[date | None] = mapped_column(Date)
    tcm_complexity: Mapped[str | None] = mapped_column(String(20))
    contact_on: Mapped[date | None] = mapped_column(Date)
    contact_outcome: Mapped[str | None] = mapped_column(String(40))
    contact_attempts: Mapped[int | None] = mapped_column(Integer)
    med_rec_on: Mapped[date | None] = mapped_column(Date)
    visit_on: Mapped[date | None] = mapped_column(Date)
    visit_mdm: Mapped[str | None] = mapped_column(String(20))  # medical decision making: moderate or high
    no_visit_reason: Mapped[str | None] = mapped_column(String(40))
    readmitted_on: Mapped[date | None] = mapped_column(Date)
    # mood scores: the first and the latest screening of the instance
    phq9_first: Mapped[int | None] = mapped_column(Integer)
    phq9_first_on: Mapped[date | None] = mapped_column(Date)
    phq9_latest: Mapped[int | None] = mapped_column(Integer)
    phq9_latest_on: Mapped[date | None] = mapped_column(Date)
    gad7_first: Mapped[int | None] = mapped_column(Integer)
    gad7_first_on: Mapped[date | None] = mapped_column(Date)
    gad7_latest: Mapped[int | None] = mapped_column(Integer)
    gad7_latest_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime]


class OutcomeMeasure(Base):
    """A score or measurement a pathway recorded on a day: phq9, gad7, hba1c (%), weight_kg."""

    __tablename__ = "outcome_measures"
    __table_args__ = (
        UniqueConstraint("instance_id", "measure", "taken_on"),
        Index(None, "measure", "taken_on"),
        Index(None, "patient_id", "measure", "taken_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(Integer)
    patient_id: Mapped[str] = mapped_column(String(100))
    process_id: Mapped[str] = mapped_column(String(200))
    measure: Mapped[str] = mapped_column(String(20))
    taken_on: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)


class MonthlyMinutes(Base):
    """A patient's minutes of clinical staff time in a calendar month (UTC) and program: the sum of their time
    entries, added to in the same write as each entry."""

    __tablename__ = "monthly_minutes"
    __table_args__ = (PrimaryKeyConstraint("month", "patient_id", "program"),)

    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    patient_id: Mapped[str] = mapped_column(String(100))
    program: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)


class CcmMonth(Base):
    """One row of the CCM billing worklist, worked out ahead by background work (engine.reports.ccm_months): a
    patient in Chronic Care Management in a month, their counted minutes, what the month still needs, and the
    keys the worklist is sorted by, so that a page of 100,000 patients reads 50 rows of an index."""

    __tablename__ = "ccm_months"
    __table_args__ = (
        PrimaryKeyConstraint("month", "patient_id"),
        Index("ix_ccm_months_worklist", "month", "rank", "sort_minutes", "family_name", "given_name", "patient_id"),
    )

    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    patient_id: Mapped[str] = mapped_column(String(100))
    consent_on: Mapped[date | None] = mapped_column(Date)
    care_plan_on: Mapped[date | None] = mapped_column(Date)
    complex: Mapped[int] = mapped_column(Integer)  # 1: the program marks the patient complex
    minutes: Mapped[int] = mapped_column(Integer)
    given_name: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    mrn: Mapped[str] = mapped_column(String(100))
    primary_care_provider: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    rank: Mapped[int] = mapped_column(Integer)  # the worklist's order of statuses: short first, billable last
    sort_minutes: Mapped[int] = mapped_column(Integer)  # short: minus the minutes (closest to 20 first); else 0


class ReportRefresh(Base):
    """What a summary kept by background work holds: when it was last brought up to date (its figures are as of
    then), the moment from which changes are still to be applied, its last full rebuild, and the months built."""

    __tablename__ = "report_refreshes"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    refreshed_at: Mapped[datetime]
    changes_from: Mapped[datetime]
    rebuilt_at: Mapped[datetime]
    months: Mapped[str] = mapped_column(String(200))  # built months, "2026-12,2026-11,..."


class TaskDay(Base):
    """Tasks completed on a day (UTC) in a program, and how many of them after they were due: the dashboard's
    throughput, worked out ahead by background work (engine.reports.work_summary)."""

    __tablename__ = "task_days"
    __table_args__ = (PrimaryKeyConstraint("day", "program"),)

    day: Mapped[date] = mapped_column(Date)
    program: Mapped[str] = mapped_column(String(200))
    completed: Mapped[int] = mapped_column(Integer)
    late: Mapped[int] = mapped_column(Integer)


class OpenWork(Base):
    """Tasks open at the last refresh per program, role and person ('' for none), and how many were overdue
    then: the dashboard's open work, worked out ahead by background work (engine.reports.work_summary)."""

    __tablename__ = "open_work"
    __table_args__ = (PrimaryKeyConstraint("program", "role", "assignee"),)

    program: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100))
    assignee: Mapped[str] = mapped_column(String(200))
    open: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)


class TcmDischarge(Base):
    """One row of TCM compliance worked out ahead by background work (engine.reports.tcm_summary): a discharge,
    what followed it, the code it supports and why, and the totals it counts in (`tally`: ",discharges,
    contact_met,...,"), as of the last refresh."""

    __tablename__ = "tcm_discharges"
    __table_args__ = (Index(None, "discharge_on"),)

    instance_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(100))
    discharge_on: Mapped[date] = mapped_column(Date)
    complexity: Mapped[str | None] = mapped_column(String(20))
    contact_deadline: Mapped[date] = mapped_column(Date)
    contact_on: Mapped[date | None] = mapped_column(Date)
    contact_outcome: Mapped[str | None] = mapped_column(String(40))
    contact_attempts: Mapped[int | None] = mapped_column(Integer)
    contact: Mapped[str] = mapped_column(String(10))
    med_rec_on: Mapped[date | None] = mapped_column(Date)
    visit_on: Mapped[date | None] = mapped_column(Date)
    visit_day: Mapped[int | None] = mapped_column(Integer)
    mdm: Mapped[str | None] = mapped_column(String(20))
    code: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(200))
    readmitted_on: Mapped[date | None] = mapped_column(Date)
    no_visit_reason: Mapped[str | None] = mapped_column(String(40))
    tally: Mapped[str] = mapped_column(String(300))


class ReportCount(Base):
    """A count the dashboard shows over everyone's patients, taken at the last refresh by background work
    (engine.reports.work_summary): `kind` stage (programs running now per program and stage of their newest
    task) or risk (patients per risk tier, '' for not assessed, per program, '' for every program)."""

    __tablename__ = "report_counts"
    __table_args__ = (PrimaryKeyConstraint("kind", "program", "key"),)

    kind: Mapped[str] = mapped_column(String(20))
    program: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    n: Mapped[int] = mapped_column(Integer)
