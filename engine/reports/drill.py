"""What is behind a number on the dashboard: the patients or the tasks it counts, with the same filters."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.models import InboxTask, InstanceFacts, OutcomeMeasure, Patient, TaskStatus
from engine.models.patient import RISK_TIERS
from engine.reports import dashboard as board
from engine.reports.scope import Scope
from engine.time import clock

LIMIT = 500


@dataclass
class Line:
    """One patient or task behind a number: who, and what about them the number counted."""

    patient_id: str
    name: str
    mrn: str | None
    detail: str
    task: InboxTask | None = None


@dataclass
class Drill:
    title: str
    kind: str  # patients or tasks
    lines: list[Line] = field(default_factory=list)
    total: int = 0

    @property
    def patient_ids(self) -> list[str]:
        return list(dict.fromkeys(line.patient_id for line in self.lines))


def _span(key: str) -> tuple[date, date]:
    try:
        first, _, last = key.partition("/")
        return date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise InvalidInput("the period must be two dates, YYYY-MM-DD/YYYY-MM-DD") from None


def _names(session: Session, ids) -> dict[str, Patient]:
    ids = list(dict.fromkeys(ids))
    return {p.id: p for p in session.scalars(select(Patient).where(Patient.id.in_(ids)))} if ids else {}


def _patient_lines(session: Session, found: list[tuple[str, str]]) -> list[Line]:
    people = _names(session, [pid for pid, _ in found])
    return [Line(pid, people[pid].name if pid in people else pid, people[pid].mrn if pid in people else None, detail)
            for pid, detail in found]


def _count_and_page(session: Session, query, limit: int):
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return session.execute(query.limit(limit)).all(), int(total or 0)


def drill(session: Session, chart: str, key: str, series: str, filters: board.Filters, scope: Scope,
          programs: dict[str, str], limit: int = LIMIT) -> Drill:
    handlers = {"enrolment": _enrolment, "funnel": _funnel, "tasks_by_role": _open_tasks,
                "tasks_by_person": _open_tasks, "throughput": _completed, "risk": _risk, "mood": _mood,
                "hba1c": _measured, "weight": _measured}
    handler = handlers.get(chart)
    if handler is None:
        raise InvalidInput(f"there is no chart '{chart[:40]}' on the dashboard")
    return handler(session, chart, key, series, filters, scope, programs, limit)


def _facts_where(filters: board.Filters, scope: Scope) -> list:
    where = [board._in_filters(InstanceFacts.patient_id, filters, scope)]
    if filters.program:
        where.append(InstanceFacts.process_id == filters.program)
    return where


def _enrolment(session, chart, key, series, filters, scope, programs, limit) -> Drill:
    first, last = _span(key)
    if series not in programs:
        raise InvalidInput(f"there is no program '{series[:40]}'")
    query = (select(InstanceFacts.patient_id, InstanceFacts.started_on, InstanceFacts.program)
             .where(InstanceFacts.process_id == series, InstanceFacts.started_on >= first,
                    InstanceFacts.started_on <= last, *_facts_where(filters, scope))
             .order_by(InstanceFacts.started_on, InstanceFacts.instance_id))
    rows, total = _count_and_page(session, query, limit)
    lines = _patient_lines(session, [(pid, f"{program} started {on}") for pid, on, program in rows])
    return Drill(f"{programs[series]}: started {first} to {last}", "patients", lines, total)


def _funnel(session, chart, key, series, filters, scope, programs, limit) -> Drill:
    if key == board.ENDED:
        where = [InstanceFacts.ended_on >= filters.range.start, InstanceFacts.ended_on <= filters.range.end]
        title = f"Programs that ended {filters.range.start} to {filters.range.end}"
    else:
        where = [InstanceFacts.ended_on.is_(None), InstanceFacts.stage == key]
        title = f"Patients in {key} now"
    query = (select(InstanceFacts.patient_id, InstanceFacts.program, InstanceFacts.started_on,
                    InstanceFacts.ended_on, InstanceFacts.end_reason)
             .where(*where, *_facts_where(filters, scope)).order_by(InstanceFacts.started_on))
    rows, total = _count_and_page(session, query, limit)
    lines = _patient_lines(session, [
        (pid, f"{program}, ended {ended} ({(reason or '').replace('_', ' ')})" if ended
         else f"{program}, started {started}") for pid, program, started, ended, reason in rows])
    return Drill(title, "patients", lines, total)


def _task_lines(session: Session, rows, detail) -> list[Line]:
    people = _names(session, [task.patient_id for task, in rows])
    return [Line(task.patient_id, people[task.patient_id].name if task.patient_id in people else task.patient_id,
                 people[task.patient_id].mrn if task.patient_id in people else None, detail(task), task)
            for task, in rows]


def _open_tasks(session, chart, key, series, filters, scope, programs, limit) -> Drill:
    now = clock.now()
    where = [InboxTask.status.in_(TaskStatus.ACTIVE), *board._task_filters(session, filters, scope)]
    column = InboxTask.role if chart == "tasks_by_role" else InboxTask.assignee
    where.append(column == key if key != board.NOBODY else column.is_(None))
    if series == "overdue":
        where.append(InboxTask.due_at < now)
    none = key == board.NOBODY
    who = ("no role" if none else key) if chart == "tasks_by_role" else \
        ("nobody yet (waiting in a queue)" if none else key)
    query = select(InboxTask).where(*where).order_by(InboxTask.due_at.is_(None), InboxTask.due_at, InboxTask.id)
    rows, total = _count_and_page(session, query, limit)
    lines = _task_lines(session, rows, lambda t: f"{t.title} · {t.program}"
                        + (f" · due {t.due_at:%Y-%m-%d %H:%M}" if t.due_at else ""))
    return Drill(f"{'Overdue' if series == 'overdue' else 'Open'} tasks: {who}", "tasks", lines, total)


def _completed(session, chart, key, series, filters, scope, programs, limit) -> Drill:
    first, last = _span(key)
    where = [InboxTask.status == TaskStatus.COMPLETED, InboxTask.completed_at >= board._midnight(first),
             InboxTask.completed_at < board._midnight(last + timedelta(days=1)),
             *board._task_filters(session, filters, scope)]
    if series == "late":
        where.append(InboxTask.completed_at > InboxTask.due_at)
    query = select(InboxTask).where(*where).order_by(InboxTask.completed_at, InboxTask.id)
    rows, total = _count_and_page(session, query, limit)
    lines = _task_lines(session, rows, lambda t: f"{t.title} · completed {t.completed_at:%Y-%m-%d} by "
                                                 f"{t.completed_by}")
    late = " after their due time" if series == "late" else ""
    return Drill(f"Tasks completed{late}, week of {first}", "tasks", lines, total)


def _risk(session, chart, key, series, filters, scope, programs, limit) -> Drill:
    if key not in RISK_TIERS and key != board.NOT_ASSESSED:
        raise InvalidInput(f"there is no risk tier '{key[:40]}'")
    tier = Patient.risk_tier.is_(None) if key == board.NOT_ASSESSED else Patient.risk_tier == key
    query = (select(Patient.id).where(tier, board._patients_in(filters, scope, Patient.id))
             .order_by(Patient.family_name, Patient.given_name, Patient.id))
    rows, total = _count_and_page(session, query, limit)
    label = "not assessed" if key == board.NOT_ASSESSED else f"risk tier {key}"
    return Drill(f"Patients: {label}", "patients", _patient_lines(session, [(pid, label) for pid, in rows]), total)


def _mood(session, chart, key, series, filters, scope, programs, limit) -> Drill:
    labels = dict(board.MOODS)
    if key not in labels:
        raise InvalidInput(f"there is no score '{key[:40]}'")
    per = board.mood_patients(session, filters, scope, key)
    followed = per.c.latest_on > per.c.first_on
    wanted = {"followed": followed, "improved": and_(followed, per.c.first - per.c.latest >= board.IMPROVED_BY),
              "share": and_(followed, per.c.first - per.c.latest >= board.IMPROVED_BY), "latest": followed}
    query = select(per).order_by(per.c.patient_id)
    if series in wanted:
        query = query.where(wanted[series])
    rows, total = _count_and_page(session, query, limit)
    lines = _patient_lines(session, [
        (pid, f"{labels[key]} {first} on {first_on}" + (f" → {latest} on {latest_on}" if latest_on != first_on
                                                       else " (one screening)"))
        for pid, first, first_on, latest, latest_on in rows])
    what = {"followed": "screened again", "improved": f"improved by {board.IMPROVED_BY}+",
            "share": f"improved by {board.IMPROVED_BY}+", "latest": "screened again"}.get(series, "screened")
    return Drill(f"{labels[key]}: patients {what}", "patients", lines, total)


def _measured(session, chart, key, series, filters, scope, programs, limit) -> Drill:
    measure = "hba1c" if chart == "hba1c" else "weight_kg"
    try:
        first = date.fromisoformat(f"{key}-01")
    except ValueError:
        raise InvalidInput("the month must be written YYYY-MM") from None
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    where = [OutcomeMeasure.measure == measure, OutcomeMeasure.taken_on >= max(first, filters.range.start),
             OutcomeMeasure.taken_on <= min(last, filters.range.end),
             board._in_filters(OutcomeMeasure.patient_id, filters, scope)]
    if filters.program:
        where.append(OutcomeMeasure.process_id == filters.program)
    query = (select(OutcomeMeasure.patient_id, func.avg(OutcomeMeasure.value), func.count())
             .where(*where).group_by(OutcomeMeasure.patient_id).order_by(OutcomeMeasure.patient_id))
    rows, total = _count_and_page(session, query, limit)
    unit = "%" if measure == "hba1c" else "kg"
    name = "HbA1c" if measure == "hba1c" else "weight"
    lines = _patient_lines(session, [(pid, f"mean {name} {mean:.1f} {unit} ({n} reading{'s' if n != 1 else ''})")
                                     for pid, mean, n in rows])
    return Drill(f"Patients with a {name} in {first:%B %Y}", "patients", lines, total)
