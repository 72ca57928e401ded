"""Who may read a patient's record and who may work their tasks: the one place that decides it, for every door
(web pages, the CLI, the API). Access follows the care team (HIPAA's minimum necessary):

- admins (and the system) see every record; a clinical lead leads every team role, so sees every record;
- a member of the patient's care team sees it, and so do the leads of the roles on the team (a nurse lead where
  the team has a nurse);
- someone working one of the patient's tasks (claimed by them, delegated to them or by them) sees it;
- a patient nobody has taken on yet (no care team) is seen by those who enrol patients (care managers, nurse
  leads), so that a team can be set up;
- anyone else with a clinical role may open it only by breaking the glass: a stated reason, recorded as its own
  audit event (`access_granted`), for the session or a set time.

Tasks are worked by the holders of their role: a task in its role's queue is open to every holder (that is how
work nobody on the team can do gets done), a claimed one to its assignee; a task delegated for input is
handed back by the colleague asked, and completed by its owner. Reading a task that is someone else's needs
access to the patient.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from engine.care.actors import Actor
from engine.care.characters import refused_character
from engine.errors import Forbidden, InvalidInput, RoleMissing
from engine.models import AccessGrant, CareTeamMember, InboxTask, Patient, TaskStatus, UserSession
from engine.roles import CARE_MANAGER, CLINICAL_LEAD, TEAM_ROLES
from engine.store import audit
from engine.time import clock

# lead role -> the team roles it leads
LEADS: dict[str, tuple[str, ...]] = {"nurse_lead": ("nurse",), CLINICAL_LEAD: TEAM_ROLES}
INTAKE_ROLES = (CARE_MANAGER, "nurse_lead")  # they enrol patients: they see one no team has taken on yet
CLINICAL_ROLES = TEAM_ROLES + (CLINICAL_LEAD,)  # may break the glass
GLASS_DURATIONS = {"session": None, "1h": timedelta(hours=1), "4h": timedelta(hours=4), "8h": timedelta(hours=8)}
SESSION_LIMIT = timedelta(hours=12)  # a grant for the session ends with it, and after this at the latest
REASON_MIN, REASON_MAX = 10, 500

ADMIN, LEAD, TEAM, TASK, INTAKE, GLASS = "admin", "lead", "team", "task", "intake", "glass"


@dataclass(frozen=True)
class Access:
    """Why someone may read a patient's record; a broken glass says until when."""

    patient_id: str
    why: str
    until: datetime | None = None

    @property
    def broke_glass(self) -> bool:
        return self.why == GLASS


class AccessRefused(Forbidden):
    """Someone outside the patient's care team asked for their record. `may_break_glass`: they hold a clinical
    role, so they may open it by giving a reason."""

    def __init__(self, message: str, patient_id: str, may_break_glass: bool):
        super().__init__(message)
        self.patient_id = patient_id
        self.may_break_glass = may_break_glass


def session_key(token: str | None) -> str | None:
    """How a sign-in session is known on the server (the hash of its token; engine.care.sessions)."""
    return hashlib.sha256(token.encode()).hexdigest() if token else None


def led_roles(actor: Actor) -> set[str]:
    return {role for lead, roles in LEADS.items() if lead in actor.roles for role in roles}


def may_break_glass(actor: Actor) -> bool:
    return any(role in actor.roles for role in CLINICAL_ROLES)


# ------------------------------------------------------------------------------------------------ patients
def patient_access(session: Session, actor: Actor, patient_id: str, now: datetime | None = None) -> Access | None:
    """Why `actor` may read the patient's record, or None when they may not (without breaking the glass)."""
    found = readable(session, actor, [patient_id], now)
    return found.get(patient_id)


def readable(session: Session, actor: Actor, patient_ids, now: datetime | None = None) -> dict[str, Access]:
    """The patients among `patient_ids` whose record `actor` may read, with why: a few queries for a page."""
    ids = [i for i in dict.fromkeys(patient_ids) if i]
    if not ids:
        return {}
    if actor.is_admin:
        return {i: Access(i, ADMIN) for i in ids}
    if CLINICAL_LEAD in actor.roles:
        return {i: Access(i, LEAD) for i in ids}
    found: dict[str, Access] = {}
    teams: dict[str, list[tuple[str, str]]] = {}
    for patient_id, username, role in session.execute(
            select(CareTeamMember.patient_id, CareTeamMember.username, CareTeamMember.role).where(
                CareTeamMember.patient_id.in_(ids), CareTeamMember.ended_at.is_(None))):
        teams.setdefault(patient_id, []).append((username, role))
    led = led_roles(actor)
    intake = any(role in actor.roles for role in INTAKE_ROLES)
    for patient_id in ids:
        team = teams.get(patient_id, [])
        if any(username == actor.name for username, _ in team):
            found[patient_id] = Access(patient_id, TEAM)
        elif any(role in led for _, role in team):
            found[patient_id] = Access(patient_id, LEAD)
        elif not team and intake:
            found[patient_id] = Access(patient_id, INTAKE)
    rest = [i for i in ids if i not in found]
    if rest:
        for patient_id in session.scalars(select(InboxTask.patient_id).where(
                InboxTask.patient_id.in_(rest), InboxTask.status.in_(TaskStatus.ACTIVE),
                or_(InboxTask.assignee == actor.name, InboxTask.delegated_by == actor.name)).distinct()):
            found[patient_id] = Access(patient_id, TASK)
    rest = [i for i in ids if i not in found]
    if rest:
        for grant in live_grants(session, actor.name, rest, now):
            found.setdefault(grant.patient_id, Access(grant.patient_id, GLASS, grant.expires_at))
    return found


def live_grants(session: Session, username: str, patient_ids, now: datetime | None = None) -> list[AccessGrant]:
    """The person's broken glasses for these patients that still hold: not expired, and their session (when
    the grant was for the session) not ended."""
    now = now or clock.now()
    session_live = exists().where(UserSession.id == AccessGrant.session_id, UserSession.ended_at.is_(None))
    query = select(AccessGrant).where(AccessGrant.username == username, AccessGrant.patient_id.in_(list(patient_ids)),
                                      AccessGrant.expires_at > now,
                                      or_(AccessGrant.session_id.is_(None), session_live))
    return list(session.scalars(query.order_by(AccessGrant.expires_at.desc())))


def require_patient(session: Session, actor: Actor, patient_id: str) -> Access:
    """Access to the patient's record, or AccessRefused (a 403 that offers to break the glass)."""
    access = patient_access(session, actor, patient_id)
    if access is None:
        raise refusal(actor, patient_id)
    return access


def refusal(actor: Actor, patient_id: str) -> AccessRefused:
    glass = may_break_glass(actor)
    message = (f"{actor.name} is not on the care team of patient {patient_id}"
               + (": open the record by breaking the glass, giving a reason (it is recorded and reported)"
                  if glass else ", and holds no clinical role that could open it"))
    return AccessRefused(message, patient_id, glass)


def break_glass(session: Session, actor: Actor, patient_id: str, reason: str, duration: str,
                session_token: str | None = None) -> AccessGrant:
    """Open a record from outside its care team: the reason is required and recorded as an `access_granted`
    audit event (reported to admins); the access lasts for `duration` ("1h", "4h", "8h"), or ("session") while
    the sign-in session of `session_token` lives, 12 hours at most."""
    if not may_break_glass(actor):
        raise Forbidden(f"{actor.name} holds no clinical role, so cannot open a patient's record from outside "
                        "their care team")
    if duration not in GLASS_DURATIONS:
        raise InvalidInput(f"the access must last one of: {', '.join(GLASS_DURATIONS)}")
    reason = " ".join((reason or "").split())
    if problem := refused_character(reason):
        raise InvalidInput(f"the reason {problem}")
    if len(reason) < REASON_MIN:
        raise InvalidInput(f"say why you need this record (at least {REASON_MIN} characters): the reason is "
                           "recorded and reported to the privacy officer")
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"the reason has at most {REASON_MAX} characters")
    if session.get(Patient, patient_id) is None:
        raise InvalidInput(f"there is no patient '{patient_id}'")
    span = GLASS_DURATIONS[duration]
    key = session_key(session_token) if span is None else None
    if span is None and key is None:
        raise InvalidInput("an access for the session needs a signed-in session: choose a set time instead")
    now = clock.now()
    grant = AccessGrant(username=actor.name, roles=sorted(actor.roles), patient_id=patient_id, reason=reason,
                        granted_at=now, expires_at=now + (span or SESSION_LIMIT), session_id=key)
    session.add(grant)
    audit.record(session, "access_granted", actor.name, patient_id=patient_id, details={
        "reason": reason, "until": grant.expires_at.isoformat(), "for": duration, "roles": sorted(actor.roles)})
    session.flush()
    return grant


# what a person with access to the record may change, by role (admins may do all of it)
CHANGES: dict[str, tuple[str, ...]] = {
    "care team": (CARE_MANAGER, "nurse_lead", CLINICAL_LEAD),
    "demographics": (CARE_MANAGER, "nurse_lead"),
    "programs": (CARE_MANAGER, "nurse_lead"),  # start and end them
    "discharge": (CARE_MANAGER, "nurse", "nurse_lead", CLINICAL_LEAD),  # record a hospital discharge
    "care plan": (CARE_MANAGER, "nurse", "nurse_lead", CLINICAL_LEAD),
    "comments": CLINICAL_ROLES,
}


def may_change(actor: Actor, what: str) -> bool:
    return actor.is_admin or any(role in actor.roles for role in CHANGES[what])


def require_change(session: Session, actor: Actor, patient_id: str, what: str) -> Access:
    """May `actor` change this part of the patient's record? Their roles must allow it, and they need access
    to the record (a broken glass counts: it is recorded)."""
    if not may_change(actor, what):
        raise Forbidden(f"{actor.name}'s roles do not allow changing a patient's {what}")
    return require_patient(session, actor, patient_id)


# ------------------------------------------------------------------------------------------------ tasks
def require_role(row: InboxTask, actor: Actor) -> None:
    if not actor.holds(row.role):
        raise RoleMissing(f"task {row.id} ({row.title}) belongs to the {row.role} role, which {actor.name} does not "
                          "hold")


def require_may_work(row: InboxTask, actor: Actor) -> None:
    """Complete, save a draft of, or set a follow-up on a task: its assignee, or any holder of its role while it
    waits in the queue (an admin may always). A task delegated for input is its owner's to complete once it is
    handed back."""
    if row.delegated_by and not actor.is_admin:
        if actor.name == row.assignee:
            raise Forbidden(f"{row.delegated_by} asked you for input on task {row.id} ({row.title}): hand it back "
                            "with your note; they complete it")
        if actor.name == row.delegated_by:
            raise Forbidden(f"task {row.id} ({row.title}) is with {row.assignee} for input; take it back first")
    require_role(row, actor)
    if row.assignee and row.assignee != actor.name and not actor.is_admin:
        raise Forbidden(f"task {row.id} ({row.title}) is claimed by {row.assignee}; only they can work on it")


def require_may_draft(row: InboxTask, actor: Actor) -> None:
    """Save a draft: anyone who may work the task, and a holder of its role whose colleague took it meanwhile
    (their typed answers are kept, only they see them)."""
    if actor.is_admin or actor.name == row.assignee:
        return
    require_role(row, actor)


def require_not_delegated(row: InboxTask, actor: Actor, doing: str) -> None:
    """A task out for input is handed back or taken back before anything else is done with it."""
    if row.delegated_by and not actor.is_admin:
        raise Forbidden(f"task {row.id} ({row.title}) is with {row.assignee} for input from {row.delegated_by}: "
                        f"it must be handed back before anyone can {doing} it")


def require_task_read(session: Session, actor: Actor, row: InboxTask) -> str:
    """May `actor` open the task's page? Returns why ("work": it is theirs or waits in their queue; "patient":
    they have access to the patient). Refused with RoleMissing (not their role) or AccessRefused."""
    if actor.is_admin or actor.name in (row.assignee, row.delegated_by, row.completed_by):
        return "work"
    if oversees(actor, row):
        return "lead"
    require_role(row, actor)
    if row.status == TaskStatus.OPEN:
        return "work"
    if patient_access(session, actor, row.patient_id) is None:
        raise refusal(actor, row.patient_id)
    return "patient"


def oversees(actor: Actor, row: InboxTask) -> bool:
    """A lead opens any task of the roles they lead, read-only (claimed or queued, however overdue), to see
    what holds it up and give it to someone else (issue 14: the admin and supervisor console)."""
    return row.role is not None and row.role in led_roles(actor)
