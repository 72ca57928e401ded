"""Whose patients a report shows its viewer: reports are for care managers (their own patients), leads (their
team's) and admins (all).

- An admin, and a clinical lead (who leads every team role: engine.care.access.LEADS), see every patient.
- A lead of some roles (a nurse lead) sees the patients of the people holding the roles they lead, and their own.
- A care manager (or another care team role: nurse, social worker, pharmacist, dietitian, CHW) sees their own.

A person's own patients are those on whose care team they are, whose tasks they claimed, were assigned or
completed, and whose time they logged; a lead's team's are also those whose care team has a member in a role
they lead (engine.care.access). A physician, who bills rather than manages, has no reports.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import ARRAY, String, any_, false, literal, select, true, union
from sqlalchemy.orm import Session

from engine import roles
from engine.care import access
from engine.care.actors import Actor
from engine.errors import Forbidden, InvalidInput
from engine.models import CareTeamMember, InboxTask, TimeEntry, User, UserRole

MANAGERS = (roles.CARE_MANAGER, "nurse", "social_worker", "pharmacist", "dietitian", "chw")
LEADS = tuple(access.LEADS)
VIEWERS = MANAGERS + LEADS + (roles.ADMIN,)
LOOKED_UP = 5000  # a scope of more patients than this is asked as a subquery
TEAMS = tuple(r for r in roles.TEAM_ROLES if r in MANAGERS + ("physician",))  # what "team" filters by


@dataclass(frozen=True)
class Scope:
    """The patients a report may show: everyone, or those of `usernames` (and of care team members in
    `roles_led`)."""

    everyone: bool
    usernames: frozenset[str] = frozenset()
    roles_led: frozenset[str] = frozenset()
    label: str = "all patients"
    ids: tuple[str, ...] | None = field(default=None, compare=False)  # the patients, when looked up ahead
    as_array: bool = field(default=False, compare=False)  # PostgreSQL: the ids go as one array value

    def patients(self, column):
        """A condition on a patient id column: the patient is in this scope."""
        if self.everyone:
            return true()
        if self.ids is not None:
            if not self.ids:
                return false()
            if self.as_array:  # one value, not hundreds of placeholders for the driver to parse in each query
                return column == any_(literal(list(self.ids), ARRAY(String)))
            return column.in_(self.ids)
        return column.in_(patients_of(self.usernames, self.roles_led))

    def looked_up(self, session: Session) -> Scope:
        """This scope with its patients looked up once, when they are few (up to LOOKED_UP): a report asks
        a dozen questions of one scope, and the ids are cheaper than working out whose patients they are
        again in each (a care manager's are found among 20,000 tasks and time entries)."""
        if self.everyone or self.ids is not None:
            return self
        found = list(session.scalars(patients_of(self.usernames, self.roles_led).limit(LOOKED_UP + 1)))
        if len(found) > LOOKED_UP:
            return self
        return replace(self, ids=tuple(sorted(found)), as_array=session.get_bind().dialect.name == "postgresql")


def may_view(actor: Actor) -> bool:
    return actor.is_admin or any(role in actor.roles for role in VIEWERS)


def scope_for(session: Session, actor: Actor) -> Scope:
    """The viewer's scope; Forbidden for someone reports are not for."""
    if not may_view(actor):
        raise Forbidden(f"{actor.name}'s roles do not include reports: they are for care managers, leads and "
                        "admins")
    led = access.led_roles(actor)
    if actor.is_admin or set(roles.TEAM_ROLES) <= led:
        return Scope(True, label="all patients")
    if led:
        team = set(holders(session, led)) | {actor.name}
        return Scope(False, frozenset(team), frozenset(led), "your team's patients").looked_up(session)
    return Scope(False, frozenset({actor.name}), label="your patients").looked_up(session)


def team_scope(session: Session, role: str | None) -> Scope | None:
    """The patients of one care team role (a report's "team" filter), or None for no filter."""
    if not role:
        return None
    if role not in TEAMS:
        raise InvalidInput(f"there is no team '{role[:50]}': choose one of {', '.join(TEAMS)}")
    return Scope(False, frozenset(holders(session, {role})), frozenset({role}),
                 f"{roles.label(role)} team").looked_up(session)


def holders(session: Session, held) -> list[str]:
    """The active accounts holding any of these roles."""
    return list(session.scalars(select(User.username).where(User.active.is_(True), User.id.in_(
        select(UserRole.user_id).where(UserRole.role.in_(sorted(held)))))))


def patients_of(usernames, roles_led=()):
    """SELECT of the ids of the patients these people worked for (tasks claimed, assigned or completed, time
    logged, care team memberships), and of those whose care team has a member in one of `roles_led`."""
    names = sorted(usernames)
    parts = [
        select(InboxTask.patient_id).where(InboxTask.assignee.in_(names)),
        select(InboxTask.patient_id).where(InboxTask.completed_by.in_(names)),
        select(TimeEntry.patient_id).where(TimeEntry.username.in_(names)),
        select(CareTeamMember.patient_id).where(CareTeamMember.username.in_(names),
                                                CareTeamMember.ended_at.is_(None)),
    ]
    if roles_led:
        parts.append(select(CareTeamMember.patient_id).where(CareTeamMember.role.in_(sorted(roles_led)),
                                                             CareTeamMember.ended_at.is_(None)))
    found = union(*parts).subquery()
    return select(found.c.patient_id)
