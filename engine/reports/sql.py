"""SQL the reports share: a timestamp's day (UTC) on either database, percentiles, and the programs there are."""
from __future__ import annotations

import math
from datetime import date, datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from engine.models import Deployment


def utc_day(session: Session, column):
    """The UTC calendar day of a timestamp column (PostgreSQL keeps them with a zone; SQLite as UTC text)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def as_date(value) -> date | None:
    """A day as the database hands it back (a date, or text on SQLite)."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def percentile(values: list[float], fraction: float) -> float | None:
    """The `fraction` percentile with linear interpolation between the closest ranks (as PostgreSQL's
    percentile_cont): of 1, 2, 3, 4 the median is 2.5."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def programs(session: Session) -> dict[str, str]:
    """The programs of every deployed version, process id -> name: startable processes no other one calls
    (a message may start them: TCM)."""
    found: dict[str, str] = {}
    for processes in session.scalars(select(Deployment.processes).order_by(Deployment.id)):
        for process in processes or ():
            if process.get("startable") and not process.get("called"):
                found[process["id"]] = process.get("name") or process["id"]
    return dict(sorted(found.items(), key=lambda item: item[1]))


def names_of(session: Session, process_ids) -> list[str]:
    """The names these programs have had (inbox rows and time entries carry a program's name)."""
    wanted = set(process_ids)
    names = set()
    for processes in session.scalars(select(Deployment.processes)):
        names.update(p.get("name") or p["id"] for p in processes or () if p.get("id") in wanted)
    return sorted(names)


def interactive(session: Session) -> None:
    """A report's transaction answers a person waiting: on PostgreSQL, no JIT compilation in it. The planner
    overestimates the joins of grouped subqueries (millions of rows where there are 100,000), which sets off
    JIT with inlining and optimisation: measured 1.6 s of compiling for a 1 s CCM worklist query at 100,000
    patients (bench/reports.py). And memory enough to group a month of 100,000 patients without spilling to
    disk. And a plan made for each question's own values: psycopg prepares a statement run five times, and
    PostgreSQL then may plan it once for any values; for a scope's list of patient ids or a date range that
    generic plan was measured at 1.0-1.3 s where the plan for the values takes 0.2 s (the dashboard at 100,000
    patients, from its fifth request on)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true), "
                             "set_config('plan_cache_mode', 'force_custom_plan', true)"))
