"""A patient's care team: a lead care manager and members by role, each membership with a start, an end and a
reason (FHIR CareTeam's participants, see `as_fhir`). Set when a program starts (the pathway may name roles that
join, `careTeam` on its start event), edited on the patient's page, every change audited. Tasks follow it: a
task for a role goes to the team member holding that role (`route`), else to the role's queue."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine import roles
from engine.care.characters import refused_character
from engine.errors import Conflict, InvalidInput, NotFound
from engine.models import CareTeamMember, Instance, InstanceStatus, Patient, User, UserRole
from engine.runtime.pending import properties_of, role_from_lane
from engine.store import audit
from engine.time import clock

# the roles a care team is made of (nurse leads and clinical leads lead teams; they are not members)
MEMBER_ROLES = (roles.CARE_MANAGER, "nurse", "social_worker", "pharmacist", "dietitian", "chw", "physician")
TEAM_PROPERTY = "careTeam"  # on a program's start event: "pharmacist: medication review; social_worker"
REASON_MAX = 300
ROLE_SYSTEM = "https://carepath.example/fhir/CodeSystem/care-team-role"
REASON_EXTENSION = "https://carepath.example/fhir/StructureDefinition/care-team-membership-reason"
LEAD_CODE = "lead-care-manager"


@dataclass(frozen=True)
class NamedRole:
    """A role a pathway asks to have on the team when it starts, and why."""

    role: str
    reason: str


def members(session: Session, patient_id: str, *, past: bool = False) -> list[CareTeamMember]:
    """The patient's team now (lead first, then by role), or every membership there has been (`past`)."""
    query = select(CareTeamMember).where(CareTeamMember.patient_id == patient_id)
    if not past:
        query = query.where(CareTeamMember.ended_at.is_(None))
    return list(session.scalars(query.order_by(CareTeamMember.ended_at.is_not(None), CareTeamMember.lead.desc(),
                                               CareTeamMember.role, CareTeamMember.started_at)))


def _clean_reason(reason: str, what: str = "reason") -> str:
    text = " ".join((reason or "").split())
    if problem := refused_character(text):
        raise InvalidInput(f"the {what} {problem}")
    if not text:
        raise InvalidInput(f"give a {what} (it is kept with the membership)")
    if len(text) > REASON_MAX:
        raise InvalidInput(f"the {what} has at most {REASON_MAX} characters")
    return text


def _colleague(session: Session, username: str, role: str) -> User:
    """The active account of `username`, which must hold `role` (an admin is no team member unless they do)."""
    name = (username or "").strip().lower()
    if problem := refused_character(name):
        raise InvalidInput(f"the user name {problem}")
    user = session.scalar(select(User).where(User.username == name)) if name else None
    if user is None:
        raise InvalidInput(f"nobody signs in as '{username}': choose a colleague who has an account")
    if not user.active:
        raise InvalidInput(f"{user.display_name} cannot sign in at the moment, so cannot join a care team")
    if role not in user.roles:
        raise InvalidInput(f"{user.display_name} does not hold the {roles.label(role).lower()} role")
    return user


def add_member(session: Session, patient_id: str, username: str, role: str, reason: str, by: str, *,
               lead: bool = False) -> CareTeamMember:
    """Put a colleague on the patient's team in a role, with the reason; as lead care manager (`lead`), the
    previous lead's membership ends. Refused: an unknown role, a colleague without it, one already there."""
    if role not in MEMBER_ROLES:
        raise InvalidInput(f"'{role}' is not a care team role; the roles are: {', '.join(MEMBER_ROLES)}")
    if lead and role != roles.CARE_MANAGER:
        raise InvalidInput("the lead of a care team is a care manager")
    reason = _clean_reason(reason)
    if session.get(Patient, patient_id) is None:
        raise NotFound(f"no patient '{patient_id}'")
    user = _colleague(session, username, role)
    team = members(session, patient_id)
    same = [m for m in team if m.username == user.username and m.role == role]
    if same and (same[0].lead or not lead):
        raise Conflict(f"{user.display_name} is already on the care team as {roles.label(role).lower()}")
    if lead:
        for member in [m for m in team if m.lead] + same:
            end(session, member, f"{user.display_name} became the lead care manager", by)
    now = clock.now()
    member = CareTeamMember(patient_id=patient_id, username=user.username, role=role, lead=lead, reason=reason,
                            started_at=now, started_by=by)
    session.add(member)
    session.flush()
    _keep_instances_in_step(session, patient_id)
    audit.record(session, "care_team_joined", by, patient_id=patient_id, details={
        "member": user.username, "role": role, "lead": lead, "reason": reason})
    return member


def end(session: Session, member: CareTeamMember, reason: str, by: str) -> CareTeamMember:
    """End a membership (it stays in the team's history), with the reason."""
    if member.ended_at is not None:
        raise Conflict(f"{member.username} has already left this care team")
    member.end_reason = _clean_reason(reason, "reason for leaving")
    member.ended_at, member.ended_by = clock.now(), by
    audit.record(session, "care_team_left", by, patient_id=member.patient_id, details={
        "member": member.username, "role": member.role, "lead": member.lead, "reason": member.end_reason})
    session.flush()
    _keep_instances_in_step(session, member.patient_id)
    return member


def get_member(session: Session, patient_id: str, member_id: int) -> CareTeamMember:
    member = session.get(CareTeamMember, member_id) if 1 <= member_id < 2**31 else None
    if member is None or member.patient_id != patient_id:
        raise NotFound(f"no care team membership {member_id} for patient {patient_id}")
    return member


def join_at_start(session: Session, patient_id: str, chosen: dict[str, str], program: str, named: list[NamedRole],
                  by: str) -> list[CareTeamMember]:
    """The team chosen when a program starts: `chosen` maps "lead" (the lead care manager) and team roles to
    user names (empty: nobody, the role's queue). Someone already on the team in that role stays as they are."""
    why = {n.role: n.reason for n in named}
    added = []
    team = members(session, patient_id)
    for key, username in chosen.items():
        username = (username or "").strip().lower()
        if not username:
            continue
        lead = key == "lead"
        role = roles.CARE_MANAGER if lead else key
        if any(m.username == username and m.role == role and (m.lead or not lead) for m in team):
            continue
        reason = f"{program}: " + (why.get(role) or ("lead care manager" if lead else roles.label(role).lower()))
        added.append(add_member(session, patient_id, username, role, reason[:REASON_MAX], by, lead=lead))
    return added


def roles_on_team(session: Session, patient_id: str) -> str:
    """The roles the patient's team has someone in now, as an instance keeps them (",nurse,pharmacist,")."""
    held = set(session.scalars(select(CareTeamMember.role).where(CareTeamMember.patient_id == patient_id,
                                                                 CareTeamMember.ended_at.is_(None))))
    return f",{','.join(sorted(held))}," if held else ""


def _keep_instances_in_step(session: Session, patient_id: str) -> None:
    """The patient's open instances learn the team's roles, in the transaction that changed the team. A plain
    UPDATE of that column only: it leaves the instances' versions alone, so a step running at the same time is
    not refused for it (a task it opens meanwhile goes by the team as that step read it)."""
    held = roles_on_team(session, patient_id)
    session.execute(update(Instance.__table__)
                    .where(Instance.__table__.c.patient_id == patient_id,
                           Instance.__table__.c.status.not_in(InstanceStatus.ENDED))
                    .values(team_roles=held))
    for obj in list(session.identity_map.values()):  # those this transaction has loaded see it too
        if isinstance(obj, Instance) and obj.patient_id == patient_id and obj.status not in InstanceStatus.ENDED:
            set_committed_value(obj, "team_roles", held)


def route(session: Session, instance: Instance, role: str | None) -> str | None:
    """Who a new task for `role` goes to: the patient's team member in that role (the lead first, then who
    joined first) whose account is active and still holds the role; None: the role's queue. Asked of the
    database only when the instance knows the team has someone in that role."""
    if not role or role not in MEMBER_ROLES or f",{role}," not in (instance.team_roles or ""):
        return None
    patient_id = instance.patient_id
    query = (select(CareTeamMember.username)
             .join(User, User.username == CareTeamMember.username)
             .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == role))
             .where(CareTeamMember.patient_id == patient_id, CareTeamMember.ended_at.is_(None),
                    CareTeamMember.role == role, User.active.is_(True))
             .order_by(CareTeamMember.lead.desc(), CareTeamMember.started_at, CareTeamMember.id).limit(1))
    return session.scalar(query)


def named_roles(spec) -> list[NamedRole]:
    """The roles a program's pathway names to join its patient's team (`careTeam` on its start event): "role"
    or "role: why", separated by ';' (roles by name or label, as lanes name them)."""
    found: list[NamedRole] = []
    for task_spec in getattr(spec, "task_specs", {}).values():
        text = properties_of(task_spec).get(TEAM_PROPERTY)
        if not text or type(task_spec).__name__ != "StartEvent":
            continue
        for entry in str(text).split(";"):
            name, _, why = entry.partition(":")
            role = role_from_lane(name.strip())
            if role in MEMBER_ROLES and role not in {n.role for n in found}:
                found.append(NamedRole(role, " ".join(why.split()) or roles.label(role).lower()))
    return found


def as_fhir(patient: Patient, memberships: list[CareTeamMember], names: dict[str, str]) -> dict:
    """The team as a FHIR R4 CareTeam: one participant per membership (role, member, period, and the reason as
    an extension); `names` maps user names to display names."""
    participants = []
    for m in memberships:
        codes = [{"system": ROLE_SYSTEM, "code": m.role, "display": roles.label(m.role)}]
        if m.lead:
            codes.append({"system": ROLE_SYSTEM, "code": LEAD_CODE, "display": "Lead care manager"})
        period = {"start": _instant(m.started_at)} | ({"end": _instant(m.ended_at)} if m.ended_at else {})
        participants.append({
            "extension": [{"url": REASON_EXTENSION, "valueString": m.reason}],
            "role": [{"coding": codes, "text": "Lead care manager" if m.lead else roles.label(m.role)}],
            "member": {"reference": f"Practitioner/{m.username}", "display": names.get(m.username, m.username)},
            "period": period,
        })
    active = any(m.ended_at is None for m in memberships)
    return {"resourceType": "CareTeam", "id": _fhir_id(patient.id), "status": "active" if active else "inactive",
            "name": f"Care team of {patient.name}",
            "subject": {"reference": f"Patient/{patient.id}", "display": patient.name},
            "participant": participants}


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _fhir_id(patient_id: str) -> str:
    """A FHIR id ([A-Za-z0-9-.]{1,64}) for the team: the patient's id, which MRNs already fit."""
    return patient_id[:64]
