"""The inbox as a person sees it: tabs (my tasks, each of my role queues, overdue, completed by me) with
counts, filters, search by patient name or MRN, sorting and pages. Reads inbox and patient rows only.

A clinical lead oversees the team: their Overdue tab holds every task of the team that is overdue, whoever
holds it or whichever queue it waits in (`InboxQuery.team`)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.care.patients import matching_ids
from engine.errors import InvalidInput
from engine.models import Deployment, InboxTask, Patient, TaskStatus
from engine.time import clock

MINE, OVERDUE, COMPLETED = "mine", "overdue", "completed"
ROLE_PREFIX = "role:"

# sort key -> columns (ascending); `descending` flips them. Tasks without a due time come last either way
# (NULLS LAST, which the (role, status, due_at) index serves in order: a page reads 50 index entries, not all)
SORT_COLUMNS = {
    "due": lambda: [InboxTask.due_at],
    "priority": lambda: [InboxTask.priority],
    "patient": lambda: [Patient.search_name],
    "task": lambda: [InboxTask.title],
    "program": lambda: [InboxTask.program],
    "stage": lambda: [InboxTask.stage],
    "created": lambda: [InboxTask.created_at],
    "completed": lambda: [InboxTask.completed_at],
}


@dataclass(frozen=True)
class InboxQuery:
    username: str
    roles: tuple[str, ...]
    tab: str = MINE
    program: str | None = None
    priority_at_least: int | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None
    role: str | None = None  # narrow a multi-role tab (overdue) to one role
    team: bool = False  # Overdue covers the whole team's work (a clinical lead's oversight), not only mine
    search: str | None = None  # patient name prefix or exact MRN
    sort: str = "due"
    descending: bool = False
    page: int = 1
    page_size: int = 50


@dataclass
class InboxRow:
    task: InboxTask
    patient: Patient | None

    @property
    def patient_name(self) -> str:
        return self.patient.name if self.patient is not None else self.task.patient_id


@dataclass
class InboxPage:
    query: InboxQuery
    rows: list[InboxRow]
    total: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))


def tabs_for(roles) -> list[str]:
    return [MINE, *(ROLE_PREFIX + r for r in roles), OVERDUE, COMPLETED]


def _tab_conditions(q: InboxQuery, now: datetime) -> list:
    if q.tab == MINE:
        return [InboxTask.assignee == q.username, InboxTask.status == TaskStatus.CLAIMED]
    if q.tab.startswith(ROLE_PREFIX):
        role = q.tab[len(ROLE_PREFIX):]
        if role not in q.roles:
            raise InvalidInput(f"you do not hold the role '{role}', so its queue is not yours to see")
        # a role's queue: its tasks nobody has claimed yet
        return [InboxTask.role == role, InboxTask.status == TaskStatus.OPEN]
    if q.tab == OVERDUE and q.team:
        return [InboxTask.status.in_(TaskStatus.ACTIVE), InboxTask.due_at < now]
    if q.tab == OVERDUE:
        mine = and_(InboxTask.assignee == q.username, InboxTask.status == TaskStatus.CLAIMED)
        queues = and_(InboxTask.role.in_(q.roles), InboxTask.status == TaskStatus.OPEN)
        return [or_(mine, queues), InboxTask.due_at < now]
    if q.tab == COMPLETED:
        return [InboxTask.completed_by == q.username, InboxTask.status == TaskStatus.COMPLETED]
    raise InvalidInput(f"unknown inbox tab '{q.tab}'")


def _filter_conditions(q: InboxQuery) -> list:
    conditions = []
    if q.program:
        conditions.append(InboxTask.program == q.program)
    if q.priority_at_least is not None:
        conditions.append(InboxTask.priority >= q.priority_at_least)
    if q.due_from is not None:
        conditions.append(InboxTask.due_at >= q.due_from)
    if q.due_to is not None:
        conditions.append(InboxTask.due_at < q.due_to)
    if q.role:
        conditions.append(InboxTask.role == q.role)
    if q.search and q.search.strip():
        conditions.append(InboxTask.patient_id.in_(matching_ids(q.search)))
    return conditions


def _order(q: InboxQuery) -> list:
    if q.sort not in SORT_COLUMNS:
        raise InvalidInput(f"unknown sort '{q.sort}'; use one of: {', '.join(SORT_COLUMNS)}")
    columns = [(c.desc() if q.descending else c.asc()).nulls_last() for c in SORT_COLUMNS[q.sort]()]
    return [*columns, InboxTask.id.desc() if q.descending else InboxTask.id]


def count(session: Session, q: InboxQuery, now: datetime | None = None) -> int:
    now = now or clock.now()
    query = select(func.count()).select_from(InboxTask).where(*_tab_conditions(q, now), *_filter_conditions(q))
    return session.scalar(query) or 0


def page(session: Session, q: InboxQuery, with_counts: bool = True) -> InboxPage:
    if q.page < 1 or not 1 <= q.page_size <= 200:
        raise InvalidInput("page must be 1 or more and page size between 1 and 200")
    now = clock.now()
    conditions = [*_tab_conditions(q, now), *_filter_conditions(q)]
    order = _order(q)
    # pick the page's task ids first (from the inbox index alone), then read those rows and their patients
    ids = select(InboxTask.id).where(*conditions)
    if q.sort == "patient":
        ids = ids.outerjoin(Patient, Patient.id == InboxTask.patient_id)
    ids = ids.order_by(*order).limit(q.page_size).offset((q.page - 1) * q.page_size).subquery()
    query = (select(InboxTask, Patient).join(ids, ids.c.id == InboxTask.id)
             .outerjoin(Patient, Patient.id == InboxTask.patient_id).order_by(*order))
    rows = [InboxRow(task, patient) for task, patient in session.execute(query)]
    counts = tab_counts(session, q.username, q.roles, now, team=q.team) if with_counts else {}
    if q.tab in counts and not _filter_conditions(q):
        total = counts[q.tab]  # no filter: the tab's own count is the total (one count query fewer)
    else:
        total = session.scalar(select(func.count()).select_from(InboxTask).where(*conditions)) or 0
    return InboxPage(q, rows, total, counts)


def tab_counts(session: Session, username: str, roles: tuple[str, ...], now: datetime | None = None,
               team: bool = False) -> dict:
    """How much work each tab holds (filters left aside). One count per tab: each is served by its own index
    (a single query with every tab's condition OR-ed together measured slower: the planner scans the table)."""
    now = now or clock.now()
    base = InboxQuery(username=username, roles=roles, team=team)
    return {tab: count(session, replace(base, tab=tab), now) for tab in tabs_for(roles)}


def programs(session: Session) -> list[str]:
    """The names of every deployed pathway that can have tasks (for the filter list): read from the few
    deployment rows, not from the many inbox rows."""
    names = {process.get("name") or process["id"]
             for processes in session.scalars(select(Deployment.processes)) for process in processes or ()}
    return sorted(names)
