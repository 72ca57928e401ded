"""The program dashboard: enrolment over time, patients per stage, open and overdue work by role and by person,
task throughput per week, risk tiers, and outcomes (PHQ-9 and GAD-7 first against latest, HbA1c and weight
trends). Each chart is a table of rows (its table alternative and its CSV), filtered by program, team and date
range, and each of its numbers has a key that lists the patients or tasks behind it (engine.reports.drill).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Float, String, and_, case, cast, func, null, select
from sqlalchemy.orm import Session

from engine import roles
from engine.models import InboxTask, InstanceFacts, OutcomeMeasure, Patient, TaskStatus
from engine.models.patient import RISK_TIERS
from engine.reports import work_summary
from engine.reports.periods import DateRange, Month
from engine.reports.scope import Scope
from engine.reports.sql import as_date, names_of, utc_day
from engine.time import clock

# the stages of a care program, identification through discharge (the shipped stage processes' names)
STAGES = ("Identification", "Engagement", "Assessment", "Mood screening", "Planning", "Implementation",
          "Evaluation", "Transition or discharge")
ENDED = "Ended in the period"
NOT_ASSESSED = "not_assessed"
NOBODY = "-"  # the key of tasks without a role, or claimed by nobody
IMPROVED_BY = 5  # points: a clinically meaningful change of a PHQ-9 or GAD-7 score
HBA1C_TARGET = 7.0  # %, the programs' default target
MOODS = (("phq9", "PHQ-9"), ("gad7", "GAD-7"))
WEEKLY_UP_TO = 120  # days: a shorter range is shown by week, a longer one by month
PEOPLE_SHOWN = 25


@dataclass(frozen=True)
class Filters:
    range: DateRange
    program: str | None = None  # a process id
    team: Scope | None = None  # a care team role's patients


@dataclass
class ChartRow:
    label: str
    key: str  # what the row stands for, to list the patients or tasks behind it
    values: list


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # line, bar, hbar, doughnut
    category: str  # the first column's heading
    series: list[tuple[str, str]]  # (key, heading) of each value column
    rows: list[ChartRow] = field(default_factory=list)
    charted: tuple[int, ...] | None = None  # the value columns drawn (None: all); the table shows every one
    note: str = ""
    percent: tuple[int, ...] = ()  # value columns that are shares (0..1)
    stacked: bool = False  # bars of a row's values stacked (parts of one whole)

    @property
    def empty(self) -> bool:
        return not self.rows or all(not any(v for v in row.values if v) for row in self.rows)


def _in_filters(column, filters: Filters, scope: Scope):
    condition = scope.patients(column)
    if filters.team is not None:
        condition = and_(condition, filters.team.patients(column))
    return condition


def _buckets(r: DateRange) -> list[tuple[date, date, str]]:
    """(first day, last day, label) of each week (Monday) or month the range covers."""
    found = []
    if r.days <= WEEKLY_UP_TO:
        day = r.start - timedelta(days=r.start.weekday())
        while day <= r.end:
            found.append((day, day + timedelta(days=6), f"week of {day:%d %b %Y}"))
            day += timedelta(days=7)
        return found
    month = Month.of(r.start)
    while month.first <= r.end:
        found.append((month.first, month.last, month.first.strftime("%b %Y")))
        month = month.next()
    return found


def _bucket_of(day: date, buckets) -> int | None:
    for n, (first, last, _) in enumerate(buckets):
        if first <= day <= last:
            return n
    return None


def enrolment(session: Session, filters: Filters, scope: Scope, programs: dict[str, str]) -> Chart:
    wanted = [filters.program] if filters.program else list(programs)
    chart = Chart("enrolment", "Enrolment over time", "bar", "Period", [(p, programs.get(p, p)) for p in wanted],
                  note="Patients whose program started in each period, by program.", stacked=True)
    buckets = _buckets(filters.range)
    counts = [[0] * len(wanted) for _ in buckets]
    query = (select(InstanceFacts.started_on, InstanceFacts.process_id, func.count())
             .where(InstanceFacts.started_on >= filters.range.start, InstanceFacts.started_on <= filters.range.end,
                    InstanceFacts.process_id.in_(wanted), _in_filters(InstanceFacts.patient_id, filters, scope))
             .group_by(InstanceFacts.started_on, InstanceFacts.process_id))
    for day, process_id, n in session.execute(query):
        at = _bucket_of(as_date(day), buckets)
        if at is not None:
            counts[at][wanted.index(process_id)] += n
    chart.rows = [ChartRow(label, f"{first.isoformat()}/{last.isoformat()}", counts[n])
                  for n, (first, last, label) in enumerate(buckets)]
    return chart


def stage_rank(stage: str) -> int:
    return STAGES.index(stage) if stage in STAGES else len(STAGES)


def funnel(session: Session, filters: Filters, scope: Scope, as_of: datetime | None = None) -> Chart:
    chart = Chart("funnel", "Patients per stage", "hbar", "Stage", [("patients", "Patients")],
                  note="Programs running now, by the stage of their newest task; and the programs that ended in "
                       "the period.")
    where = [_in_filters(InstanceFacts.patient_id, filters, scope)]
    if filters.program:
        where.append(InstanceFacts.process_id == filters.program)
    if _summarised(filters, scope, as_of):
        counts = work_summary.counted(session, work_summary.STAGE, filters.program)
    else:
        counts = dict(session.execute(select(InstanceFacts.stage, func.count()).where(
            InstanceFacts.ended_on.is_(None), InstanceFacts.stage.is_not(None), *where)
            .group_by(InstanceFacts.stage)).all())
    if any(stage in STAGES for stage in counts) or not counts:  # a staged program: every stage, empty ones too
        counts = {stage: 0 for stage in STAGES} | counts
    found = sorted(counts.items(), key=lambda item: (stage_rank(item[0]), item[0]))
    ended = session.scalar(select(func.count()).select_from(InstanceFacts).where(
        InstanceFacts.ended_on >= filters.range.start, InstanceFacts.ended_on <= filters.range.end, *where))
    chart.rows = [ChartRow(stage, stage, [n]) for stage, n in found] + [ChartRow(ENDED, ENDED, [ended or 0])]
    return chart


def _task_filters(session: Session, filters: Filters, scope: Scope) -> list:
    where = [_in_filters(InboxTask.patient_id, filters, scope)]
    if filters.program:
        where.append(InboxTask.program.in_(_program_names(session, filters)))
    return where


def _summarised(filters: Filters, scope: Scope, as_of: datetime | None) -> bool:
    """Whether open work, throughput and the counts per stage and risk tier may be read from the summary kept
    ahead (engine.reports.work_summary): it is fresh, and the view is of everyone's patients with no team
    filter."""
    return as_of is not None and scope.everyone and filters.team is None


def _program_names(session: Session, filters: Filters) -> list[str] | None:
    return names_of(session, [filters.program]) or [filters.program] if filters.program else None


def open_work(session: Session, filters: Filters, scope: Scope,
              as_of: datetime | None = None) -> tuple[Chart, Chart]:
    """Open and overdue tasks now, by role and by person (the people with the most open work)."""
    if _summarised(filters, scope, as_of):
        programs = _program_names(session, filters)
        role_rows = work_summary.open_by(session, "role", programs)
        person_rows = work_summary.open_by(session, "assignee", programs, PEOPLE_SHOWN)
    else:
        now = clock.now()
        overdue = func.sum(case((InboxTask.due_at < now, 1), else_=0))
        where = [InboxTask.status.in_(TaskStatus.ACTIVE), *_task_filters(session, filters, scope)]
        role_rows = session.execute(select(InboxTask.role, func.count(), overdue).where(*where)
                                    .group_by(InboxTask.role).order_by(func.count().desc(), InboxTask.role)).all()
        person_rows = session.execute(select(InboxTask.assignee, func.count(), overdue).where(*where)
                                      .group_by(InboxTask.assignee).order_by(func.count().desc(), InboxTask.assignee)
                                      .limit(PEOPLE_SHOWN)).all()
    series = [("open", "Open"), ("overdue", "Overdue")]
    by_role = Chart("tasks_by_role", "Open and overdue tasks by role", "bar", "Role", series,
                    note="Tasks open now, whoever holds them.")
    for role, n, late in role_rows:
        by_role.rows.append(ChartRow(roles.label(role), role or NOBODY, [n, int(late or 0)]))
    by_person = Chart("tasks_by_person", "Open and overdue tasks by person", "hbar", "Person", series,
                      note=f"The {PEOPLE_SHOWN} people with the most open tasks; tasks nobody has claimed yet "
                           "are waiting in a queue.")
    for person, n, late in person_rows:
        by_person.rows.append(ChartRow(person or "Waiting in a queue", person or NOBODY, [n, int(late or 0)]))
    return by_role, by_person


def throughput(session: Session, filters: Filters, scope: Scope, as_of: datetime | None = None) -> Chart:
    chart = Chart("throughput", "Tasks completed per week", "bar", "Week", [("completed", "Completed"),
                                                                        ("late", "Completed after due")],
                  note="Tasks completed each week (Monday to Sunday, UTC).")
    day = utc_day(session, InboxTask.completed_at)
    late = func.sum(case((InboxTask.completed_at > InboxTask.due_at, 1), else_=0))
    start = filters.range.start - timedelta(days=filters.range.start.weekday())
    weeks: dict[date, list[int]] = {}
    monday = start
    while monday <= filters.range.end:
        weeks[monday] = [0, 0]
        monday += timedelta(days=7)
    if _summarised(filters, scope, as_of):
        found_days = work_summary.completed_by_day(session, start, filters.range.end, _program_names(session, filters))
    else:
        query = (select(day, func.count(), late)
                 .where(InboxTask.status == TaskStatus.COMPLETED, InboxTask.completed_at >= _midnight(start),
                        InboxTask.completed_at < _midnight(filters.range.end + timedelta(days=1)),
                        *_task_filters(session, filters, scope))
                 .group_by(day))
        found_days = [(as_date(found), n, n_late) for found, n, n_late in session.execute(query)]
    for on, n, n_late in found_days:
        week = weeks.setdefault(on - timedelta(days=on.weekday()), [0, 0])
        week[0] += n
        week[1] += int(n_late or 0)
    chart.rows = [ChartRow(f"{monday:%d %b %Y}", f"{monday.isoformat()}/{(monday + timedelta(days=6)).isoformat()}",
                           values) for monday, values in sorted(weeks.items())]
    return chart


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def _patients_in(filters: Filters, scope: Scope, column):
    condition = _in_filters(column, filters, scope)
    if filters.program:
        condition = and_(condition, column.in_(select(InstanceFacts.patient_id).where(
            InstanceFacts.process_id == filters.program)))
    return condition


def risk_tiers(session: Session, filters: Filters, scope: Scope, as_of: datetime | None = None) -> Chart:
    chart = Chart("risk", "Risk tier", "doughnut", "Risk tier", [("patients", "Patients")],
                  note="Each patient's risk tier as their program's assessment last worked it out.")
    if _summarised(filters, scope, as_of):
        counts = work_summary.counted(session, work_summary.RISK, filters.program)
    else:
        counts = dict(session.execute(select(Patient.risk_tier, func.count()).where(
            _patients_in(filters, scope, Patient.id)).group_by(Patient.risk_tier)).all())
    for tier in RISK_TIERS:
        chart.rows.append(ChartRow(tier.capitalize(), tier, [counts.get(tier, 0)]))
    chart.rows.append(ChartRow("Not assessed", NOT_ASSESSED, [counts.get(None, 0)]))
    return chart


def moods(session: Session, filters: Filters, scope: Scope) -> Chart:
    """PHQ-9 and GAD-7: each patient's first screening against their latest (their programs' first and latest
    in the period's programs)."""
    chart = Chart("mood", "PHQ-9 and GAD-7: first against latest score", "bar", "Score",
                  [("screened", "Patients screened"), ("followed", "Screened again"),
                   ("improved", f"Improved by {IMPROVED_BY}+ points"), ("share", "Share improved"),
                   ("first", "Mean first score"), ("latest", "Mean latest score")], charted=(4, 5), percent=(3,),
                  note=f"Per patient: the first screening against the latest, for the patients screened again (the "
                       f"means too). Improved: the latest score is {IMPROVED_BY} or more points below the first.")
    for measure, label in MOODS:
        stats = mood_outcomes(session, filters, scope, measure)
        share = stats["improved"] / stats["followed"] if stats["followed"] else None
        chart.rows.append(ChartRow(label, measure, [stats["screened"], stats["followed"], stats["improved"], share,
                                                    stats["first"], stats["latest"]]))
    return chart


def mood_patients(session: Session, filters: Filters, scope: Scope, measure: str):
    """Per patient: (patient id, first score, first day, latest score, latest day), over the instances in the
    filters whose programs screened in the period."""
    first, first_on = getattr(InstanceFacts, f"{measure}_first"), getattr(InstanceFacts, f"{measure}_first_on")
    latest, latest_on = getattr(InstanceFacts, f"{measure}_latest"), getattr(InstanceFacts, f"{measure}_latest_on")
    where = [first.is_not(None), latest_on >= filters.range.start, first_on <= filters.range.end,
             _in_filters(InstanceFacts.patient_id, filters, scope)]
    if filters.program:
        where.append(InstanceFacts.process_id == filters.program)
    by_patient = InstanceFacts.patient_id
    ranked = select(
        by_patient.label("patient_id"),
        func.first_value(first).over(partition_by=by_patient, order_by=(first_on, InstanceFacts.instance_id))
        .label("first"),
        func.min(first_on).over(partition_by=by_patient).label("first_on"),
        func.first_value(latest).over(partition_by=by_patient,
                                      order_by=(latest_on.desc(), InstanceFacts.instance_id.desc())).label("latest"),
        func.max(latest_on).over(partition_by=by_patient).label("latest_on"),
        func.row_number().over(partition_by=by_patient, order_by=InstanceFacts.instance_id).label("n"),
    ).where(*where).subquery()
    return select(ranked.c.patient_id, ranked.c.first, ranked.c.first_on, ranked.c.latest, ranked.c.latest_on) \
        .where(ranked.c.n == 1).subquery()


def mood_outcomes(session: Session, filters: Filters, scope: Scope, measure: str) -> dict:
    per = mood_patients(session, filters, scope, measure)
    followed = per.c.latest_on > per.c.first_on
    row = session.execute(select(
        func.count(), func.sum(case((followed, 1), else_=0)),
        func.sum(case((and_(followed, per.c.first - per.c.latest >= IMPROVED_BY), 1), else_=0)),
        func.avg(case((followed, per.c.first))), func.avg(case((followed, per.c.latest)))).select_from(per)).one()
    return {"screened": row[0] or 0, "followed": int(row[1] or 0), "improved": int(row[2] or 0),
            "first": round(float(row[3]), 1) if row[3] is not None else None,
            "latest": round(float(row[4]), 1) if row[4] is not None else None}


def trend(session: Session, filters: Filters, scope: Scope, measure: str) -> Chart:
    """Monthly: patients measured, the mean of their month's mean, and (HbA1c) the share at target."""
    if measure == "hba1c":
        chart = Chart("hba1c", "HbA1c trend", "line", "Month",
                      [("patients", "Patients measured"), ("mean", "Mean HbA1c (%)"),
                       ("at_target", f"Share below {HBA1C_TARGET:g} %")], charted=(1,), percent=(2,),
                      note="Diabetes programs' HbA1c results: each patient's mean for the month.")
    else:
        chart = Chart("weight", "Weight trend", "line", "Month",
                      [("patients", "Patients weighed"), ("mean", "Mean weight (kg)"),
                       ("change", "Mean change since first (kg)")], charted=(2,),
                      note="Heart failure programs' daily weights: each patient's mean for the month, and its "
                           "change from their first month in the period.")
    month_of = func.substr(cast(OutcomeMeasure.taken_on, String(10)), 1, 7)
    where = [OutcomeMeasure.measure == measure, OutcomeMeasure.taken_on >= filters.range.start,
             OutcomeMeasure.taken_on <= filters.range.end, _in_filters(OutcomeMeasure.patient_id, filters, scope)]
    if filters.program:
        where.append(OutcomeMeasure.process_id == filters.program)
    per = (select(OutcomeMeasure.patient_id.label("patient_id"), month_of.label("month"),
                  func.avg(OutcomeMeasure.value).label("value"))
           .where(*where).group_by(OutcomeMeasure.patient_id, month_of).subquery())
    if measure == "hba1c":  # no change from a baseline: no window over each patient's months
        baseline = cast(null(), Float)
    else:
        baseline = func.first_value(per.c.value).over(partition_by=per.c.patient_id, order_by=per.c.month)
    with_base = select(per.c.month, per.c.value, baseline.label("base")).subquery()
    rows = session.execute(select(with_base.c.month, func.count(), func.avg(with_base.c.value),
                                  func.avg(case((with_base.c.value < HBA1C_TARGET, 1.0), else_=0.0)),
                                  func.avg(with_base.c.value - with_base.c.base))
                           .group_by(with_base.c.month).order_by(with_base.c.month))
    for month, n, mean, at_target, change in rows:
        third = at_target if measure == "hba1c" else change
        chart.rows.append(ChartRow(Month.parse(month, filters.range.end).label(), month,
                                   [n, _round(mean), _round(third, 3 if measure == "hba1c" else 1)]))
    return chart


def _round(value, digits: int = 1):
    return round(float(value), digits) if value is not None else None


def charts(session: Session, filters: Filters, scope: Scope, programs: dict[str, str],
           work_as_of: datetime | None = None) -> list[Chart]:
    """Every chart; `work_as_of`: open work, throughput and the counts per stage and risk tier may be read from
    the summary taken then."""
    by_role, by_person = open_work(session, filters, scope, work_as_of)
    return [enrolment(session, filters, scope, programs), funnel(session, filters, scope, work_as_of), by_role,
            by_person, throughput(session, filters, scope, work_as_of), risk_tiers(session, filters, scope, work_as_of),
            moods(session, filters, scope), trend(session, filters, scope, "hba1c"),
            trend(session, filters, scope, "weight_kg")]
