"""My patients: the patients whose care team a person is on, with their programs and stages, risk tier, open and
overdue task counts and this month's care management minutes; sortable and filterable. Reads team, patient,
instance, inbox and time entry rows only (a handful of queries for the whole list)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.care.patient_search import condition as search_condition
from engine.errors import InvalidInput
from engine.models import CareTeamMember, InboxTask, Instance, InstanceStatus, Patient, TaskStatus, TimeEntry
from engine.models.patient import RISK_TIERS
from engine.time import clock

SORTS = ("name", "risk", "open", "overdue", "minutes", "due")
RISK_ORDER = {tier: n for n, tier in enumerate(RISK_TIERS)}
CCM_MINUTES = 20  # CPT 99490: 20 minutes or more of clinical staff time in the month


@dataclass(frozen=True)
class MyPatientsQuery:
    username: str
    search: str | None = None
    program: str | None = None
    risk: str | None = None  # a tier, or "none" (not assessed)
    attention: bool = False  # only those with overdue work
    lead_only: bool = False  # only those I am the lead care manager of
    sort: str = "name"
    descending: bool = False


@dataclass
class MyPatientRow:
    patient: Patient
    roles: list[str]  # my roles on their team
    lead: bool
    programs: list[str]
    stages: list[str]
    open_tasks: int = 0
    overdue_tasks: int = 0
    next_due: datetime | None = None
    minutes: int = 0

    @property
    def minutes_met(self) -> bool:
        return self.minutes >= CCM_MINUTES


@dataclass
class MyPatients:
    query: MyPatientsQuery
    rows: list[MyPatientRow] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)  # every program of my patients (the Program filter)
    month: str = ""


def my_patients(session: Session, q: MyPatientsQuery) -> MyPatients:
    if q.sort not in SORTS:
        raise InvalidInput(f"unknown sort '{q.sort}'; use one of: {', '.join(SORTS)}")
    if q.risk and q.risk not in (*RISK_TIERS, "none"):
        raise InvalidInput(f"risk '{q.risk}' is not one of {', '.join(RISK_TIERS)} or none")
    now = clock.now()
    month = now.strftime("%Y-%m")
    memberships: dict[str, MyPatientRow] = {}
    query = select(CareTeamMember, Patient).join(Patient, Patient.id == CareTeamMember.patient_id).where(
        CareTeamMember.username == q.username, CareTeamMember.ended_at.is_(None))
    if q.search and q.search.strip():
        query = query.where(search_condition(q.search))
    for member, patient in session.execute(query):
        row = memberships.setdefault(patient.id, MyPatientRow(patient, [], False, [], []))
        row.roles.append(member.role)
        row.lead = row.lead or member.lead
    ids = list(memberships)
    result = MyPatients(q, month=month)
    if not ids:
        return result
    _add_programs(session, memberships, ids)
    _add_tasks(session, memberships, ids, now)
    for patient_id, minutes in session.execute(select(TimeEntry.patient_id, func.sum(TimeEntry.minutes)).where(
            TimeEntry.patient_id.in_(ids), TimeEntry.month == month).group_by(TimeEntry.patient_id)):
        memberships[patient_id].minutes = int(minutes or 0)
    result.programs = sorted({p for row in memberships.values() for p in row.programs})
    rows = [r for r in memberships.values() if _kept(r, q)]
    result.rows = sorted(rows, key=_sort_key(q.sort), reverse=q.descending)
    return result


def _add_programs(session: Session, rows: dict[str, MyPatientRow], ids: list[str]) -> None:
    for patient_id, program in session.execute(select(Instance.patient_id, Instance.program).where(
            Instance.patient_id.in_(ids), Instance.status.in_(InstanceStatus.OPEN)).order_by(Instance.started_at)):
        rows[patient_id].programs.append(program)


def _add_tasks(session: Session, rows: dict[str, MyPatientRow], ids: list[str], now: datetime) -> None:
    overdue = func.sum(case((InboxTask.due_at < now, 1), else_=0))
    counts = select(InboxTask.patient_id, func.count(), overdue, func.min(InboxTask.due_at)).where(
        InboxTask.patient_id.in_(ids), InboxTask.status.in_(TaskStatus.ACTIVE)).group_by(InboxTask.patient_id)
    for patient_id, total, late, due in session.execute(counts):
        row = rows[patient_id]
        row.open_tasks, row.overdue_tasks, row.next_due = int(total), int(late or 0), due
    stages = select(InboxTask.patient_id, InboxTask.stage, InboxTask.program).where(
        InboxTask.patient_id.in_(ids), InboxTask.status.in_(TaskStatus.ACTIVE)).distinct()
    for patient_id, stage, program in session.execute(stages):
        if stage and stage != program and stage not in rows[patient_id].stages:
            rows[patient_id].stages.append(stage)


def _kept(row: MyPatientRow, q: MyPatientsQuery) -> bool:
    if q.program and q.program not in row.programs:
        return False
    if q.risk and (row.patient.risk_tier or "none") != q.risk:
        return False
    if q.attention and not row.overdue_tasks:
        return False
    return not (q.lead_only and not row.lead)


def _sort_key(sort: str):
    far = datetime.max.replace(tzinfo=clock.now().tzinfo)
    keys = {
        "name": lambda r: r.patient.search_name,
        "risk": lambda r: (RISK_ORDER.get(r.patient.risk_tier or "", -1), r.patient.search_name),
        "open": lambda r: (r.open_tasks, r.patient.search_name),
        "overdue": lambda r: (r.overdue_tasks, r.patient.search_name),
        "minutes": lambda r: (r.minutes, r.patient.search_name),
        "due": lambda r: (r.next_due or far, r.patient.search_name),
    }
    return keys[sort]
