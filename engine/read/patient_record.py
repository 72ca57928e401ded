"""The parts of a patient's page around their programs: the care team (now and before), comments, the care plan
record, how each program ended, the names of the people and tasks the history mentions, and the forms the
history's answers were given in (so the page can use the forms' own labels). Rows only."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.care import care_plans, comments, teams
from engine.models import (
    AuditEvent,
    CarePlanItem,
    CareTeamMember,
    Comment,
    Deployment,
    InboxTask,
    Instance,
    TaskResult,
    User,
)

END_ACTIONS = ("terminated", "program_ended")


@dataclass
class PatientRecord:
    team: list[CareTeamMember] = field(default_factory=list)  # now, lead first
    past_team: list[CareTeamMember] = field(default_factory=list)  # memberships that ended
    comments: list[Comment] = field(default_factory=list)  # newest first
    plan: list[CarePlanItem] = field(default_factory=list)
    end_reasons: dict[int, str] = field(default_factory=dict)  # instance id -> why it ended
    names: dict[str, str] = field(default_factory=dict)  # username -> display name
    task_titles: dict[str, str] = field(default_factory=dict)  # task uuid -> title
    task_forms: dict[str, tuple[dict | None, dict | None]] = field(default_factory=dict)  # uuid -> schema, UI
    task_answers: dict[str, dict] = field(default_factory=dict)  # uuid -> what the task was completed with
    discharge_starts: list[str] = field(default_factory=list)  # programs a hospital discharge starts


def record(session: Session, specs, patient_id: str, instances: list[Instance],
           history: list[AuditEvent]) -> PatientRecord:
    everyone = teams.members(session, patient_id, past=True)
    found = PatientRecord(team=[m for m in everyone if m.ended_at is None],
                          past_team=[m for m in everyone if m.ended_at is not None],
                          comments=comments.of_patient(session, patient_id),
                          plan=care_plans.items(session, patient_id))
    found.end_reasons = end_reasons(session, [i.id for i in instances])
    _add_tasks(session, specs, found, history)
    people = {m.username for m in everyone} | {c.author for c in found.comments} | {e.actor for e in history}
    found.names = display_names(session, people)
    found.discharge_starts = discharge_programs(session)
    return found


def end_reasons(session: Session, instance_ids: list[int]) -> dict[int, str]:
    """Why each ended program ended, as the person who ended it said (newest word wins)."""
    if not instance_ids:
        return {}
    rows = session.execute(select(AuditEvent.instance_id, AuditEvent.details).where(
        AuditEvent.instance_id.in_(instance_ids), AuditEvent.action.in_(END_ACTIONS)).order_by(AuditEvent.id))
    found = {}
    for instance_id, details in rows:
        details = details or {}
        reason = details.get("reason") or found.get(instance_id) or details.get("end_reason")
        if reason:
            found[instance_id] = str(reason)
    return found


def _add_tasks(session: Session, specs, found: PatientRecord, history: list[AuditEvent]) -> None:
    uuids = {e.task_uuid for e in history if e.task_uuid}
    if not uuids:
        return
    rows = session.execute(select(InboxTask.task_uuid, InboxTask.title, InboxTask.form_schema,
                                  InboxTask.form_ui_schema, Instance.deployment_id)
                           .join(Instance, Instance.id == InboxTask.instance_id)
                           .where(InboxTask.task_uuid.in_(list(uuids))))
    for uuid, title, schema_name, ui_name, deployment_id in rows:
        found.task_titles[uuid] = title
        if schema_name:
            forms = specs.get(session, deployment_id).forms
            found.task_forms[uuid] = (forms.get(schema_name), forms.get(ui_name) if ui_name else None)
    completed = {e.task_uuid for e in history if e.task_uuid and e.action == "completed"}
    if completed:
        found.task_answers = dict(session.execute(
            select(InboxTask.task_uuid, TaskResult.answers).join(TaskResult, TaskResult.task_id == InboxTask.id)
            .where(InboxTask.task_uuid.in_(list(completed)))).all())


def display_names(session: Session, usernames) -> dict[str, str]:
    names = [n for n in set(usernames) if n]
    if not names:
        return {}
    return dict(session.execute(select(User.username, User.display_name).where(User.username.in_(names))).all())


def discharge_programs(session: Session) -> list[str]:
    """The newest deployed programs that a `hospital_discharge` message starts (TCM)."""
    found = {}
    for processes in session.scalars(select(Deployment.processes).order_by(Deployment.id)):
        for process in processes or ():
            if "hospital_discharge" in (process.get("message_start_events") or ()):
                found[process["id"]] = process.get("name") or process["id"]
    return sorted(found.values())
