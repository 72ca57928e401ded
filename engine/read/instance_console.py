"""The admin's instance list and instance page: instances filtered by status, program, version, patient and age
with counts per status, read newest first a page at a time by id (keyset paging: page 20,000 costs what page 1
does); stuck instances (running, with no open task, no timer and no message wait: nothing will ever wake them);
and what an instance page needs beyond the instance view (where it failed, the data there, what a retry may
edit and against which form)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import and_, func, literal_column, select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.models import AuditEvent, Deployment, InboxTask, Instance, InstanceCount, InstanceStatus, Patient
from engine.time import clock

MAX_PAGE_SIZE = 200
STUCK = "stuck"  # a status filter of its own: running with nothing to wake it


def stuck_condition():
    return and_(Instance.status == InstanceStatus.RUNNING, Instance.open_tasks == 0, Instance.timer_rows == 0,
                Instance.message_rows == 0)


@dataclass(frozen=True)
class InstanceQuery:
    status: str | None = None  # running, error, suspended, completed, terminated, or stuck
    process_id: str | None = None  # the program (a pathway's process id)
    deployment_id: int | None = None  # the version
    patient_id: str | None = None
    older_than_days: int | None = None  # started at least this many days ago
    before_id: int | None = None  # keyset: the page after (older than) this instance
    after_id: int | None = None  # keyset: the page before (newer than) this instance
    page_size: int = 50

    def check(self) -> None:
        if self.status is not None and self.status not in (*InstanceStatus.ALL, STUCK):
            raise InvalidInput(f"unknown status '{self.status}'; use one of: {', '.join((*InstanceStatus.ALL, STUCK))}")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(f"the page size must be between 1 and {MAX_PAGE_SIZE}")
        if self.older_than_days is not None and not 0 <= self.older_than_days <= 36500:
            raise InvalidInput("the age must be a number of days from 0 to 36500")


@dataclass
class InstanceRow:
    instance: Instance
    patient_name: str | None
    version: str  # "bundle v3"


@dataclass
class InstanceList:
    query: InstanceQuery
    rows: list[InstanceRow]
    counts: dict[str, int]  # per status (and `stuck`), the other filters applied
    has_newer: bool
    has_older: bool
    capped: set[str] = field(default_factory=set)  # counts that are at least what they say

    @property
    def total(self) -> int:
        if self.query.status:
            return self.counts.get(self.query.status, 0)
        return sum(v for k, v in self.counts.items() if k != STUCK)


def _filters(q: InstanceQuery, now: datetime) -> list:
    conditions = []
    if q.process_id:
        conditions.append(Instance.process_id == q.process_id)
    if q.deployment_id is not None:
        conditions.append(Instance.deployment_id == q.deployment_id)
    if q.patient_id:
        conditions.append(Instance.patient_id == q.patient_id)
    if q.older_than_days is not None:
        conditions.append(Instance.started_at <= now - timedelta(days=q.older_than_days))
    return conditions


def _status(q: InstanceQuery) -> list:
    if q.status == STUCK:
        return [stuck_condition()]
    return [Instance.status == q.status] if q.status else []


def list_instances(session: Session, q: InstanceQuery) -> InstanceList:
    q.check()
    now = clock.now()
    conditions = _filters(q, now) + _status(q)
    ids = select(Instance.id).where(*conditions)
    if q.after_id is not None:  # the newer page: read upwards, then show newest first
        ids = ids.where(Instance.id > q.after_id).order_by(Instance.id.asc())
    else:
        if q.before_id is not None:
            ids = ids.where(Instance.id < q.before_id)
        ids = ids.order_by(Instance.id.desc())
    found = list(session.scalars(ids.limit(q.page_size + 1)))
    more = len(found) > q.page_size
    found = found[:q.page_size]
    if q.after_id is not None:
        found.reverse()
    rows = _rows(session, found)
    has_newer = (more if q.after_id is not None else q.before_id is not None and bool(found) and
                 _exists(session, conditions, Instance.id > found[0]))
    has_older = (more if q.after_id is None else bool(found) and
                 _exists(session, conditions, Instance.id < found[-1]))
    counts, capped = status_counts(session, q, _filters(q, now))
    return InstanceList(q, rows, counts, bool(has_newer), bool(has_older), capped)


def _exists(session: Session, conditions: list, extra) -> bool:
    return session.scalar(select(Instance.id).where(*conditions, extra).limit(1)) is not None


def _rows(session: Session, ids: list[int]) -> list[InstanceRow]:
    if not ids:
        return []
    query = (select(Instance, Patient.given_name, Patient.family_name, Deployment.name, Deployment.version)
             .join(Deployment, Deployment.id == Instance.deployment_id)
             .outerjoin(Patient, Patient.id == Instance.patient_id).where(Instance.id.in_(ids)))
    by_id = {}
    for instance, given, family, bundle, version in session.execute(query):
        name = f"{given} {family}" if given is not None else None
        by_id[instance.id] = InstanceRow(instance, name, f"{bundle} v{version}")
    return [by_id[i] for i in ids if i in by_id]


def status_counts(session: Session, q: InstanceQuery, conditions: list) -> tuple[dict[str, int], set[str]]:
    """How many instances each status holds (and how many are stuck), under the filters other than status, and
    the statuses whose count is a lower bound. By program and version the counts are read from the rows the
    database keeps (`instance_counts`: a few rows, not a million); for one patient they are counted; for an
    age they are counted up to COUNT_CAP (an index range can be long)."""
    capped: set[str] = set()
    if q.patient_id:
        counts = {status: _count(session, [Instance.status == status, *conditions]) for status in InstanceStatus.ALL}
    elif q.older_than_days is not None:
        counts = {}
        for status in InstanceStatus.ALL:
            counts[status] = _count(session, [Instance.status == status, *conditions], COUNT_CAP + 1)
            if counts[status] > COUNT_CAP:
                counts[status] = COUNT_CAP
                capped.add(status)
    else:
        kept = select(InstanceCount.status, func.sum(InstanceCount.n)).group_by(InstanceCount.status)
        if q.process_id:
            kept = kept.where(InstanceCount.process_id == q.process_id)
        if q.deployment_id is not None:
            kept = kept.where(InstanceCount.deployment_id == q.deployment_id)
        counts = dict.fromkeys(InstanceStatus.ALL, 0) | {s: int(n or 0) for s, n in session.execute(kept)}
    counts[STUCK] = _count(session, [stuck_condition(), *conditions])
    return counts, capped


COUNT_CAP = 10_000


def _count(session: Session, conditions: list, cap: int | None = None) -> int:
    rows = select(literal_column("1")).select_from(Instance).where(*conditions)  # an index alone can answer
    if cap is not None:
        rows = rows.limit(cap)
    return session.scalar(select(func.count()).select_from(rows.subquery())) or 0


def open_per_version(session: Session) -> dict[int, dict[str, int]]:
    """Per version (deployment id), how many instances are in each status."""
    found: dict[int, dict[str, int]] = {}
    query = select(InstanceCount.deployment_id, InstanceCount.status, func.sum(InstanceCount.n)).group_by(
        InstanceCount.deployment_id, InstanceCount.status)
    for deployment_id, status, n in session.execute(query):
        found.setdefault(deployment_id, {})[status] = int(n or 0)
    return found


# ------------------------------------------------------------------------------------------------ one instance
@dataclass
class Failure:
    """Where an instance in error failed, and the data there (its failed task's data)."""

    element: str | None
    name: str | None
    message: str | None
    line: int | None
    error_line: str | None
    at: str | None
    data: dict = field(default_factory=dict)


def failure_data(workflow, error: dict | None) -> tuple[dict, str | None]:
    """The data of the task that failed (what the failing script or expression saw) and the process (the
    program, or a stage) it is in; without it, the workflow's last step's data."""
    task = None
    if error and error.get("task"):
        try:
            task = workflow.get_task_from_id(uuid.UUID(str(error["task"])))
        except (ValueError, KeyError, TypeError):
            task = None
    if task is None and error and error.get("element"):
        task = next((t for t in workflow.get_tasks() if error["element"] in (t.task_spec.bpmn_id, t.task_spec.name)
                     and t.has_state(TaskState.ERROR | TaskState.READY)), None)
    if task is None:
        last = workflow.last_task or workflow.task_tree
        return dict(last.data), None
    return dict(task.data), task.workflow.spec.name


def failure_of(instance: Instance, data: dict) -> Failure | None:
    error = instance.error
    if not error:
        return None
    return Failure(error.get("element"), error.get("name"), error.get("message"), error.get("line"),
                   error.get("error_line"), error.get("at"), data)


def form_fields(forms: dict[str, dict], preferred: list[str]) -> dict[str, tuple[str, dict]]:
    """Field name -> (form file, the field's JSON Schema), from the forms in `preferred` order first (the failed
    task's, then the instance's tasks' newest first), then any other form of the bundle."""
    found: dict[str, tuple[str, dict]] = {}
    order = [f for f in preferred if f in forms] + sorted(f for f in forms if f not in preferred)
    for name in order:
        schema = forms.get(name) or {}
        for field_name, prop in (schema.get("properties") or {}).items():
            if isinstance(prop, dict):
                found.setdefault(field_name, (name, prop))
    return found


def instance_forms(session: Session, instance_id: int) -> list[str]:
    """The forms of the instance's tasks, newest first."""
    rows = session.scalars(select(InboxTask.form_schema).where(
        InboxTask.instance_id == instance_id, InboxTask.form_schema.is_not(None)).order_by(InboxTask.id.desc()))
    return list(dict.fromkeys(rows))


def suspension_of(session: Session, instance: Instance) -> dict | None:
    """Who suspended a suspended instance, when and why (its latest `suspended` event)."""
    if instance.status != InstanceStatus.SUSPENDED:
        return None
    event = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                                     AuditEvent.action == "suspended")
                            .order_by(AuditEvent.id.desc()).limit(1)).first()
    if event is None:
        return {"by": None, "at": None, "reason": None}
    return {"by": event.actor, "at": event.at, "reason": (event.details or {}).get("reason")}


def suspended_among(session: Session, instance_ids) -> set[int]:
    """Which of these instances are suspended (for marking their tasks in a list)."""
    ids = sorted(set(instance_ids))
    if not ids:
        return set()
    return set(session.scalars(select(Instance.id).where(Instance.id.in_(ids),
                                                         Instance.status == InstanceStatus.SUSPENDED)))


def newer_versions(session: Session, instance: Instance) -> list[Deployment]:
    current = session.get(Deployment, instance.deployment_id)
    return list(session.scalars(select(Deployment).where(Deployment.name == current.name,
                                                         Deployment.version > current.version)
                                .order_by(Deployment.version.desc())))
