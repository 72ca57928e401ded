"""Everything a person needs to work one task: the task row, its patient, its form and the data it holds, their
saved draft, the colleagues who may take it (its role's holders, the patient's care team first), its comments
and delegation notes, what it was completed with, a recent result it may take instead of asking again; and the
patient's next task for them."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.care import access, comments, drafts, patients, results, supervision, teams
from engine.care.actors import Actor
from engine.care.results import RecentResult
from engine.care.task_forms import TaskForm
from engine.care.tasks import get_task, task_form
from engine.models import Comment, InboxTask, Patient, Reassignment, TaskResult, TaskStatus, User, UserRole
from engine.read import instance_console
from engine.roles import CLINICAL_LEAD, TEAM_ROLES
from engine.runtime.pending import properties_of
from engine.runtime.runner import Runtime
from engine.store import audit, first_read
from engine.store.step_writes import read_before_begin
from engine.time import clock


@dataclass
class TaskContext:
    task: InboxTask
    patient: Patient | None
    form: TaskForm  # the task's form and the data it holds: what the pathway knows when the task opened
    draft: dict | None  # the viewer's saved draft
    colleagues: list[tuple[str, str]]  # (username, display name) who hold the task's role, the care team first
    team: set[str] = field(default_factory=set)  # who is on the patient's care team now
    helpers: list[tuple[str, str]] = field(default_factory=list)  # colleagues who may be asked for input
    comments: list[Comment] = field(default_factory=list)  # the task's comments and delegation notes
    result: TaskResult | None = None  # what it was completed with
    recent: RecentResult | None = None  # a recent result of the same form it opens with, instead of asking again
    names: dict[str, str] = field(default_factory=dict)  # username -> display name
    # the admin console (issue 14): a suspended instance's hold (who, when, why), the lead's reason when they
    # gave the task to its assignee, and whether the viewer reads it as the team's lead (read-only)
    hold: dict | None = None
    handoff: Reassignment | None = None
    oversight: bool = False

    @property
    def read_only(self) -> bool:
        """Nobody works it from this page: its instance is suspended, or a lead reads it for the team."""
        return self.hold is not None or self.oversight

    @property
    def patient_id(self) -> str:
        return self.task.patient_id

    @property
    def schema(self) -> dict | None:
        return self.form.schema

    @property
    def ui_schema(self) -> dict | None:
        return self.form.ui_schema

    @property
    def data(self) -> dict:
        return self.form.data


def task_context(session: Session, runtime: Runtime, task_id: int, viewer: Actor) -> TaskContext:
    """The task and its form, prefilled, for someone who may open it (engine.care.access); the view is an
    audit event (it shows patient data)."""
    row = get_task(session, task_id)
    why = access.require_task_read(session, viewer, row)
    audit.record(session, "viewed", viewer.name, instance=row.instance, task_uuid=row.task_uuid,
                 element_id=row.element_id, details={"what": "task"})
    context = page_context(session, row, task_form(session, runtime, row), viewer)
    context.oversight = why == "lead"
    if row.status in TaskStatus.ACTIVE and context.draft is None:
        context.recent = _recent(session, runtime, row)
    return context


def page_context(session: Session, row: InboxTask, form: TaskForm, viewer: Actor) -> TaskContext:
    """The rest of a task's page around a form already read (a refused submission is shown again with it)."""
    patient = patients.patients_by_id(session, [row.patient_id]).get(row.patient_id)
    team = {m.username for m in teams.members(session, row.patient_id)}
    context = TaskContext(row, patient, form, drafts.draft_of(session, row.id, viewer.name),
                          _holders(session, row.role, team), team,
                          [h for h in _helpers(session, team) if h[0] != viewer.name],
                          comments.of_task(session, row.id),
                          results.result_of(session, row.id) if row.status == TaskStatus.COMPLETED else None)
    if row.status in TaskStatus.ACTIVE:
        context.hold = instance_console.suspension_of(session, row.instance)
        context.handoff = supervision.handoff_to_assignee(session, row)
    people = {c.author for c in context.comments} | {row.assignee, row.delegated_by, row.completed_by}
    wanted = [p for p in people if p]
    context.names = dict(session.execute(select(User.username, User.display_name).where(
        User.username.in_(wanted))).all()) if wanted else {}
    return context


def _holders(session: Session, role: str | None, team: set[str]) -> list[tuple[str, str]]:
    """Active colleagues holding the task's role (not admins as such), the patient's care team first."""
    query = select(User.username, User.display_name).where(User.active.is_(True))
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    found = [(u, n) for u, n in session.execute(query.order_by(User.display_name))]
    return [c for c in found if c[0] in team] + [c for c in found if c[0] not in team]


def _helpers(session: Session, team: set[str]) -> list[tuple[str, str]]:
    """Colleagues who may be asked for input: active holders of a clinical role, the care team first."""
    wanted = (*TEAM_ROLES, CLINICAL_LEAD)
    query = (select(User.username, User.display_name).where(
        User.active.is_(True), User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(wanted))))
        .order_by(User.display_name))
    found = list(session.execute(query))
    return [tuple(c) for c in found if c[0] in team] + [tuple(c) for c in found if c[0] not in team]


def _recent(session: Session, runtime: Runtime, row: InboxTask) -> RecentResult | None:
    """A result of the same form recent enough for the task to take (its `reuseRecentWithin` property)."""
    parsed = runtime.specs.get(session, row.instance.deployment_id)
    spec = None
    for process in (parsed.spec(row.instance.process_id), *parsed.subprocess_specs(row.instance.process_id).values()):
        spec = getattr(process, "task_specs", {}).get(row.element_id)
        if spec is not None:
            break
    now = clock.now()
    return results.recent(session, row, results.reuse_window(properties_of(spec), now), now) if spec else None


def _active_of_patient(table):
    """The patient's open and claimed tasks but one, in the order a person takes them (built once)."""
    return (select(table).where(table.c.patient_id == bindparam("patient_id"),
                                table.c.status.in_([bindparam(f"active_{s}", s) for s in TaskStatus.ACTIVE]),
                                table.c.id != bindparam("after_task_id"))
            .order_by(table.c.priority.desc(), table.c.due_at.is_(None), table.c.due_at, table.c.id))


_ACTIVE_OF_PATIENT = select(InboxTask).from_statement(_active_of_patient(InboxTask.__table__))
_ACTIVE_ROWS_OF_PATIENT = first_read.WholeRows(_active_of_patient(InboxTask.__table__), InboxTask)


def next_task_for(session: Session, patient_id: str, actor: Actor, after_task_id: int) -> InboxTask | None:
    """The patient's next open task this person may do now: claimed by them, else open in one of their roles.
    Usually a transaction's only read: before the BEGIN, straight from the driver (engine.store.first_read)."""
    params = {"patient_id": patient_id, "after_task_id": after_task_id}
    with read_before_begin(session) as before_begin:
        if before_begin is None:
            rows = session.scalars(_ACTIVE_OF_PATIENT, params)
        else:
            rows = [first_read.attach(session, InboxTask, values)
                    for (values,) in _ACTIVE_ROWS_OF_PATIENT.all(before_begin, params)]
        for row in rows:
            if row.delegated_by:
                continue  # out for input: the colleague asked hands it back, then its owner completes it
            if row.assignee == actor.name or (row.assignee is None and actor.holds(row.role)):
                return row
    return None
