"""The inbox as a person sees it: tabs (my tasks, each of my role queues, overdue, completed by me) with
counts, filters, search by patient name or MRN, sorting and pages. Reads inbox and patient rows only.

A clinical lead oversees the team: their Overdue tab holds every task of the team that is overdue, whoever
holds it or whichever queue it waits in (`InboxQuery.team`)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.care.patients import matching_ids
from engine.errors import InvalidInput
from engine.models import Deployment, InboxTask, Patient, TaskStatus
from engine.read.instance_console import suspended_among
from engine.time import clock

MINE, OVERDUE, COMPLETED, FOLLOW_UP = "mine", "overdue", "completed", "follow_up"
ROLE_PREFIX = "role:"
MAX_PAGE_SIZE = 1000

# sort key -> (column, descending by nature) in order: priority puts the most urgent first; `descending` flips
# them all. Tasks without a due time come last either way (NULLS LAST, which the (role, status, due_at) index
# serves in order: a page reads 50 index entries, not all)
SORT_COLUMNS = {
    "due": lambda: [(InboxTask.due_at, False)],
    "priority": lambda: [(InboxTask.priority, True), (InboxTask.due_at, False)],
    "patient": lambda: [(Patient.search_name, False)],
    "task": lambda: [(InboxTask.title, False)],
    "program": lambda: [(InboxTask.program, False)],
    "stage": lambda: [(InboxTask.stage, False)],
    "created": lambda: [(InboxTask.created_at, False)],
    "follow_up": lambda: [(InboxTask.follow_up_at, False), (InboxTask.due_at, False)],
    "completed": lambda: [(InboxTask.completed_at, False)],
}


@dataclass(frozen=True)
class InboxQuery:
    """One question about inbox tasks, for every caller: the web inbox asks for a tab of a person's work, the
    command line and other systems for every task the filters match (`tab=None`)."""

    username: str | None = None  # who is looking: the tabs are theirs
    viewer_roles: tuple[str, ...] = ()  # the team roles they hold (their queues)
    team: bool = False  # Overdue covers the whole team's work (a clinical lead's oversight), not only mine
    tab: str | None = None  # mine, role:<role>, follow_up, overdue, completed; None: every task the filters match
    # filters
    status: tuple[str, ...] = ()  # without a tab: these statuses (by default open or claimed)
    assignee: str | None = None
    roles: tuple[str, ...] = ()  # tasks of these roles
    overdue: bool = False
    patient_id: str | None = None
    instance_id: int | None = None
    program: str | None = None
    stage: str | None = None
    today_ends: datetime | None = None  # the end of the person's day (their time zone): when follow-ups are due
    priority_at_least: int | None = None
    due_from: datetime | None = None  # due at or after
    due_before: datetime | None = None  # due before
    completed_by: str | None = None
    search: str | None = None  # patient name prefix or exact MRN
    sort: str = "due"
    descending: bool = False
    page: int = 1
    page_size: int = 50

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


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
    suspended: set[int] = field(default_factory=set)  # the rows' instances that are suspended (marked in the list)

    @property
    def tasks(self) -> list[InboxTask]:
        return [row.task for row in self.rows]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))


def described(q: InboxQuery) -> dict:
    """The query as the audit trail keeps it: the fields set, dates as text."""
    return {name: (value.isoformat() if isinstance(value, datetime) else list(value) if isinstance(value, tuple)
                   else value)
            for name, value in vars(q).items() if value not in (None, (), False, "") and name != "viewer_roles"}


def tabs_for(roles) -> list[str]:
    return [MINE, *(ROLE_PREFIX + r for r in roles), FOLLOW_UP, OVERDUE, COMPLETED]


def follow_up_until(q: InboxQuery, now: datetime) -> datetime:
    """Follow-ups are due by the end of the person's day (`today_ends`), else of the UTC day."""
    if q.today_ends is not None:
        return q.today_ends
    return datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=now.tzinfo)


def _tab_conditions(q: InboxQuery, now: datetime) -> list:
    if q.tab is None:
        return [InboxTask.status.in_(q.status or TaskStatus.ACTIVE)]
    if q.username is None:
        raise InvalidInput(f"the inbox tab '{q.tab}' needs to know whose inbox it is")
    if q.tab == MINE:
        return [InboxTask.assignee == q.username, InboxTask.status == TaskStatus.CLAIMED]
    if q.tab.startswith(ROLE_PREFIX):
        role = q.tab[len(ROLE_PREFIX):]
        if role not in q.viewer_roles:
            raise InvalidInput(f"you do not hold the role '{role}', so its queue is not yours to see")
        # a role's queue: its tasks nobody has claimed yet
        return [InboxTask.role == role, InboxTask.status == TaskStatus.OPEN]
    if q.tab == OVERDUE and q.team:
        return [InboxTask.status.in_(TaskStatus.ACTIVE), InboxTask.due_at < now]
    if q.tab == OVERDUE:
        mine = and_(InboxTask.assignee == q.username, InboxTask.status == TaskStatus.CLAIMED)
        queues = and_(InboxTask.role.in_(q.viewer_roles), InboxTask.status == TaskStatus.OPEN)
        return [or_(mine, queues), InboxTask.due_at < now]
    if q.tab == COMPLETED:
        return [InboxTask.completed_by == q.username, InboxTask.status == TaskStatus.COMPLETED]
    if q.tab == FOLLOW_UP:  # my work whose follow-up date has come
        return [InboxTask.assignee == q.username, InboxTask.status == TaskStatus.CLAIMED,
                InboxTask.follow_up_at < follow_up_until(q, now)]
    raise InvalidInput(f"unknown inbox tab '{q.tab}'")


def _filter_conditions(q: InboxQuery, now: datetime) -> list:
    conditions = []
    for column, value in ((InboxTask.assignee, q.assignee), (InboxTask.patient_id, q.patient_id),
                          (InboxTask.instance_id, q.instance_id), (InboxTask.program, q.program),
                          (InboxTask.stage, q.stage),
                          (InboxTask.completed_by, q.completed_by)):
        if value is not None and value != "":
            conditions.append(column == value)
    if q.roles:
        conditions.append(InboxTask.role.in_(q.roles))
    if q.overdue:
        conditions.append(InboxTask.due_at < now)
    if q.priority_at_least is not None:
        conditions.append(InboxTask.priority >= q.priority_at_least)
    if q.due_from is not None:
        conditions.append(InboxTask.due_at >= q.due_from)
    if q.due_before is not None:
        conditions.append(InboxTask.due_at < q.due_before)
    if q.search and q.search.strip():
        conditions.append(InboxTask.patient_id.in_(matching_ids(q.search)))
    return conditions


def _order(q: InboxQuery) -> list:
    if q.sort not in SORT_COLUMNS:
        raise InvalidInput(f"unknown sort '{q.sort}'; use one of: {', '.join(SORT_COLUMNS)}")
    columns = [(column.desc() if natural != q.descending else column.asc()).nulls_last()
               for column, natural in SORT_COLUMNS[q.sort]()]
    return [*columns, InboxTask.id.desc() if q.descending else InboxTask.id]


def count(session: Session, q: InboxQuery, now: datetime | None = None) -> int:
    now = now or clock.now()
    query = select(func.count()).select_from(InboxTask).where(*_tab_conditions(q, now), *_filter_conditions(q, now))
    return session.scalar(query) or 0


def page(session: Session, q: InboxQuery, with_counts: bool = True) -> InboxPage:
    """A page of the tasks the query asks for, with their patients, the total, and (for a person's tab) how
    much work each of their tabs holds."""
    if q.page < 1 or not 1 <= q.page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"page must be 1 or more and page size between 1 and {MAX_PAGE_SIZE}")
    now = clock.now()
    conditions = [*_tab_conditions(q, now), *_filter_conditions(q, now)]
    order = _order(q)
    # pick the page's task ids first (from the inbox index alone), then read those rows and their patients
    ids = select(InboxTask.id).where(*conditions)
    if q.sort == "patient":
        ids = ids.outerjoin(Patient, Patient.id == InboxTask.patient_id)
    ids = ids.order_by(*order).limit(q.page_size).offset(q.offset).subquery()
    query = (select(InboxTask, Patient).join(ids, ids.c.id == InboxTask.id)
             .outerjoin(Patient, Patient.id == InboxTask.patient_id).order_by(*order))
    rows = [InboxRow(task, patient) for task, patient in session.execute(query)]
    with_counts = with_counts and q.tab is not None
    counts = tab_counts(session, q.username, q.viewer_roles, now, team=q.team,
                        today_ends=q.today_ends) if with_counts else {}
    if q.tab in counts and not _filter_conditions(q, now):
        total = counts[q.tab]  # no filter: the tab's own count is the total (one count query fewer)
    else:
        total = session.scalar(select(func.count()).select_from(InboxTask).where(*conditions)) or 0
    open_rows = {row.task.instance_id for row in rows if row.task.status in TaskStatus.ACTIVE}
    return InboxPage(q, rows, total, counts, suspended_among(session, open_rows))


def tab_counts(session: Session, username: str, roles: tuple[str, ...], now: datetime | None = None,
               team: bool = False, today_ends: datetime | None = None) -> dict:
    """How much work each tab holds (filters left aside). One count per tab: each is served by its own index
    (a single query with every tab's condition OR-ed together measured slower: the planner scans the table)."""
    now = now or clock.now()
    base = InboxQuery(username=username, viewer_roles=roles, team=team, today_ends=today_ends)
    return {tab: count(session, replace(base, tab=tab), now) for tab in tabs_for(roles)}


def programs(session: Session) -> list[str]:
    """The names of the deployed programs (pathways no other one calls), which tasks belong to (for the
    Program filter): read from the few deployment rows, not from the many inbox rows."""
    names = {process.get("name") or process["id"]
             for processes in session.scalars(select(Deployment.processes)) for process in processes or ()
             if not process.get("called")}
    return sorted(names)


def stages(session: Session) -> list[str]:
    """The names of the stages a task can be in (for the Stage filter): every deployed pathway, stages called
    by programs and the programs' own steps."""
    names = {process.get("name") or process["id"]
             for processes in session.scalars(select(Deployment.processes)) for process in processes or ()}
    return sorted(names)
