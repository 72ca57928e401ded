"""The bottleneck heatmap: for a pathway version, a program and the tasks created in a date range, each human
step's count, how long its tasks waited (ready to claimed) and were worked (claimed to completed), median and
90th percentile, and the share that went overdue; with the program's diagrams (and its stages') to lay the
figures on, and the tasks behind each step.

Waiting is counted for tasks someone claimed or completed (a task completed straight from its queue waited until
it was completed); working for tasks claimed and then completed; a task still open is in the count and the
overdue share, not in the times. Overdue: completed after its due time, or open and past it now. Percentiles
interpolate between the closest ranks (PostgreSQL's percentile_cont; computed in Python on SQLite).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import ARRAY, Float, and_, case, func, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.models import Deployment, InboxTask, Instance, Patient, TaskStatus
from engine.reports.periods import DateRange
from engine.reports.scope import Scope
from engine.reports.sql import percentile
from engine.time import clock


@dataclass
class StepStats:
    stage: str
    element_id: str
    title: str
    count: int = 0
    completed: int = 0
    overdue: int = 0
    waiting_median: float | None = None  # seconds
    waiting_p90: float | None = None
    working_median: float | None = None
    working_p90: float | None = None
    process_id: str | None = None  # the diagram it is drawn on

    @property
    def overdue_share(self) -> float:
        return self.overdue / self.count if self.count else 0.0


@dataclass
class DiagramRef:
    process_id: str
    name: str
    file: str
    calls: dict[str, str] = field(default_factory=dict)  # call activity id -> the stage it runs

    @property
    def calls_text(self) -> str:
        return " ".join(f"{element}={process}" for element, process in sorted(self.calls.items()))


@dataclass
class Heatmap:
    deployment_id: int
    label: str
    process_id: str
    program: str
    range: DateRange
    steps: list[StepStats]
    diagrams: list[DiagramRef] = field(default_factory=list)
    scope_label: str = ""

    @property
    def tasks(self) -> int:
        return sum(step.count for step in self.steps)

    @property
    def shown(self) -> list[DiagramRef]:
        """The program's diagram, and each stage's that has steps to show."""
        with_steps = {step.process_id for step in self.steps}
        return [d for n, d in enumerate(self.diagrams) if n == 0 or d.process_id in with_steps]


def versions(session: Session) -> list[Deployment]:
    """Every deployed version, newest first."""
    return list(session.scalars(select(Deployment).order_by(Deployment.id.desc())))


def _called(spec) -> str | None:
    target = getattr(spec, "spec", None)
    return target if isinstance(target, str) else None


def diagrams(parsed, process_id: str) -> list[DiagramRef]:
    """The program's diagram and each stage it calls (directly or through other stages), the program first."""
    order: list[str] = []
    calls: dict[str, dict[str, str]] = {}
    pending = [process_id]
    subs = parsed.subprocess_specs(process_id)
    while pending:
        current = pending.pop(0)
        if current in order or current not in parsed.processes:
            continue
        spec = parsed.spec(current) if current == process_id else subs.get(current)
        if spec is None:
            continue
        order.append(current)
        calls[current] = {name: _called(ts) for name, ts in spec.task_specs.items() if _called(ts)}
        pending.extend(calls[current].values())
    return [DiagramRef(pid, parsed.processes[pid].name or pid, parsed.processes[pid].file, calls[pid])
            for pid in order]


def _tasks(deployment_id: int, process_id: str, r: DateRange, scope: Scope):
    start = datetime.combine(r.start, time(0), tzinfo=timezone.utc)
    end = datetime.combine(r.end + timedelta(days=1), time(0), tzinfo=timezone.utc)
    return [InboxTask.instance_id.in_(select(Instance.id).where(Instance.deployment_id == deployment_id,
                                                                  Instance.process_id == process_id)),
            InboxTask.created_at >= start, InboxTask.created_at < end, InboxTask.status != TaskStatus.CANCELLED,
            scope.patients(InboxTask.patient_id)]


def _overdue(now: datetime):
    return and_(InboxTask.due_at.is_not(None), or_(
        InboxTask.completed_at > InboxTask.due_at,
        and_(InboxTask.status.in_(TaskStatus.ACTIVE), InboxTask.due_at < now)))


def step_stats(session: Session, deployment_id: int, process_id: str, r: DateRange, scope: Scope) -> list[StepStats]:
    now = clock.now()
    where = _tasks(deployment_id, process_id, r, scope)
    if session.get_bind().dialect.name == "postgresql":
        return _stats_in_sql(session, where, now)
    return _stats_in_python(session, where, now)


def _seconds(later, earlier):
    return func.extract("epoch", later - earlier)


def _stats_in_sql(session: Session, where: list, now: datetime) -> list[StepStats]:
    waited_until = func.coalesce(InboxTask.claimed_at, InboxTask.completed_at)
    waiting = _seconds(waited_until, InboxTask.created_at)
    working = case((and_(InboxTask.claimed_at.is_not(None), InboxTask.completed_at.is_not(None)),
                    _seconds(InboxTask.completed_at, InboxTask.claimed_at)))

    def median_and_p90(expr):  # one sort of the step's times for both
        return func.percentile_cont(postgresql.array([0.5, 0.9]), type_=ARRAY(Float)).within_group(expr)

    query = (select(InboxTask.stage, InboxTask.element_id, func.max(InboxTask.title), func.count(),
                    func.sum(case((InboxTask.status == TaskStatus.COMPLETED, 1), else_=0)),
                    func.sum(case((_overdue(now), 1), else_=0)),
                    median_and_p90(waiting), median_and_p90(working))
             .where(*where).group_by(InboxTask.stage, InboxTask.element_id))
    return sorted((StepStats(stage, element, title, n, int(done or 0), int(late or 0), *_pair(waits),
                             *_pair(works))
                   for stage, element, title, n, done, late, waits, works in session.execute(query)),
                  key=lambda s: (-s.count, s.stage, s.element_id))


def _pair(values) -> tuple[float | None, float | None]:
    return (_f(values[0]), _f(values[1])) if values else (None, None)


def _f(value) -> float | None:
    return float(value) if value is not None else None


def _stats_in_python(session: Session, where: list, now: datetime) -> list[StepStats]:
    query = select(InboxTask.stage, InboxTask.element_id, InboxTask.title, InboxTask.status, InboxTask.created_at,
                   InboxTask.claimed_at, InboxTask.completed_at, InboxTask.due_at).where(*where)
    found: dict[tuple[str, str], tuple[StepStats, list, list]] = {}
    for stage, element, title, status, created, claimed, completed, due in session.execute(query):
        entry = found.get((stage, element))
        if entry is None:
            entry = found[(stage, element)] = (StepStats(stage, element, title), [], [])
        step, waits, works = entry
        step.title = max(step.title, title)
        step.count += 1
        step.completed += status == TaskStatus.COMPLETED
        if due is not None and ((completed is not None and completed > due)
                                or (status in TaskStatus.ACTIVE and due < now)):
            step.overdue += 1
        if (claimed or completed) is not None:
            waits.append(((claimed or completed) - created).total_seconds())
        if claimed is not None and completed is not None:
            works.append((completed - claimed).total_seconds())
    steps = []
    for step, waits, works in found.values():
        step.waiting_median, step.waiting_p90 = percentile(waits, 0.5), percentile(waits, 0.9)
        step.working_median, step.working_p90 = percentile(works, 0.5), percentile(works, 0.9)
        steps.append(step)
    return sorted(steps, key=lambda s: (-s.count, s.stage, s.element_id))


def heatmap(session: Session, specs, deployment_id: int, process_id: str | None, r: DateRange,
            scope: Scope) -> Heatmap:
    deployment = session.get(Deployment, deployment_id)
    if deployment is None:
        raise NotFound(f"there is no pathway version {deployment_id}")
    parsed = specs.get(session, deployment_id)
    startable = [p["id"] for p in deployment.processes if p.get("startable") and not p.get("called")]
    if process_id is None:  # the version's program with the most instances
        counts = dict(session.execute(select(Instance.process_id, func.count()).where(
            Instance.deployment_id == deployment_id, Instance.process_id.in_(startable))
            .group_by(Instance.process_id)).all())
        process_id = max(startable, key=lambda p: (counts.get(p, 0), p == "ccm"), default=None)
    if process_id is None or process_id not in parsed.processes or not parsed.processes[process_id].executable:
        raise NotFound(f"{deployment.label} has no program '{process_id}'")
    drawn = diagrams(parsed, process_id)
    by_name = {d.name: d.process_id for d in drawn} | {d.process_id: d.process_id for d in drawn}
    steps = step_stats(session, deployment_id, process_id, r, scope)
    for step in steps:
        step.process_id = by_name.get(step.stage, process_id)
    return Heatmap(deployment.id, deployment.label, process_id, parsed.processes[process_id].name or process_id,
                   r, steps, drawn, scope.label)


def version_file(session: Session, specs, deployment_id: int, process_id: str) -> bytes:
    """The BPMN file that draws `process_id` in a pathway version."""
    if session.get(Deployment, deployment_id) is None:
        raise NotFound(f"there is no pathway version {deployment_id}")
    parsed = specs.get(session, deployment_id)
    info = parsed.processes.get(process_id)
    if info is None or info.file not in parsed.bundle.files:
        raise NotFound(f"no diagram for '{process_id}' in pathway version {deployment_id}")
    return parsed.bundle.files[info.file]


@dataclass
class StepTask:
    task: InboxTask
    patient_name: str
    mrn: str | None
    waiting: float | None
    working: float | None
    overdue: bool


def step_tasks(session: Session, deployment_id: int, process_id: str, stage: str, element_id: str, r: DateRange,
               scope: Scope, *, overdue_only: bool = False, limit: int = 500) -> tuple[list[StepTask], int]:
    """The tasks behind a step (newest first, `limit` of them) and how many there are."""
    now = clock.now()
    where = _tasks(deployment_id, process_id, r, scope) + [InboxTask.stage == stage,
                                                           InboxTask.element_id == element_id]
    if overdue_only:
        where.append(_overdue(now))
    total = session.scalar(select(func.count()).select_from(InboxTask).where(*where))
    rows = session.execute(select(InboxTask, Patient.given_name, Patient.family_name, Patient.mrn)
                           .outerjoin(Patient, Patient.id == InboxTask.patient_id).where(*where)
                           .order_by(InboxTask.created_at.desc(), InboxTask.id.desc()).limit(limit))
    found = []
    for task, given, family, mrn in rows:
        until = task.claimed_at or task.completed_at
        late = task.due_at is not None and ((task.completed_at is not None and task.completed_at > task.due_at)
                                            or (task.status in TaskStatus.ACTIVE and task.due_at < now))
        found.append(StepTask(task, f"{given} {family}" if given else task.patient_id, mrn,
                              (until - task.created_at).total_seconds() if until else None,
                              (task.completed_at - task.claimed_at).total_seconds()
                              if task.claimed_at and task.completed_at else None, late))
    return found, int(total or 0)

