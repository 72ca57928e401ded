"""Use cases of care teams and the access that follows them: a patient's team (read, join, leave; FHIR CareTeam),
the roles a program asks to have on it, My patients, opening a record by breaking the glass, and the report of
those for the privacy officer. Tasks follow the team too: this mixin gives the runtime its routing rule (a new
task goes to the team member in its role) and keeps the care plan record in step with the pathways."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from engine import roles
from engine.care import access, care_plans, characters, patients, teams
from engine.care.access import Access
from engine.care.actors import Actor
from engine.deploy import versions
from engine.errors import Forbidden, InvalidInput
from engine.models import AccessGrant, CareTeamMember, Patient
from engine.read import access_report, my_patients, patient_record
from engine.read.access_report import AccessReport
from engine.read.my_patients import MyPatients, MyPatientsQuery
from engine.store import audit

REPORT_READERS = ("privacy_officer",)  # besides admins: who reads the break-the-glass report


@dataclass
class CareTeam:
    """A patient's care team: who is on it now (lead first), who was, and their names; `to_fhir()` is the team
    as a FHIR R4 CareTeam resource."""

    patient: Patient
    members: list[CareTeamMember]
    past: list[CareTeamMember] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def lead(self) -> CareTeamMember | None:
        return next((m for m in self.members if m.lead), None)

    def to_fhir(self) -> dict:
        return teams.as_fhir(self.patient, self.members + self.past, self.names)


class CareTeamUseCases:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.runtime.router = teams.route  # a new task goes to the patient's team member in its role
        self.runtime.after_step.append(care_plans.PlanKeeper())  # plans the pathways write reach the record

    # ------------------------------------------------------------------------------------------------ the team
    def care_team(self, patient_id: str, viewer: Actor) -> CareTeam:
        """The patient's care team, for someone who may read their record (audited as a view of it)."""
        with self.transaction(f"read the care team of {patient_id}") as session:
            patient = patients.get_patient(session, patient_id)
            access.require_patient(session, viewer, patient_id)
            audit.record(session, "viewed", viewer.name, patient_id=patient_id, details={"what": "care team"})
            everyone = teams.members(session, patient_id, past=True)
            names = patient_record.display_names(session, {m.username for m in everyone})
            return CareTeam(patient, [m for m in everyone if m.ended_at is None],
                            [m for m in everyone if m.ended_at is not None], names)

    def join_care_team(self, patient_id: str, username: str, role: str, reason: str, actor: Actor, *,
                       lead: bool = False) -> CareTeamMember:
        """Put a colleague on the patient's team in a role, with the reason (as lead care manager: `lead`)."""
        with self.transaction(f"add to the care team of {patient_id}") as session:
            patients.get_patient(session, patient_id)
            access.require_change(session, actor, patient_id, "care team")
            return teams.add_member(session, patient_id, username, role, reason, actor.name, lead=lead)

    def leave_care_team(self, patient_id: str, member_id: int, reason: str, actor: Actor) -> CareTeamMember:
        """End a membership, with the reason (it stays in the team's history)."""
        with self.transaction(f"change the care team of {patient_id}") as session:
            patients.get_patient(session, patient_id)
            access.require_change(session, actor, patient_id, "care team")
            return teams.end(session, teams.get_member(session, patient_id, member_id), reason, actor.name)

    def team_roles_of(self, program: str) -> list[teams.NamedRole]:
        """The roles a program's pathway asks to have on the patient's team when it starts (`careTeam`)."""
        with self.reading() as session:
            deployment, process = versions.resolve_program(session, program)
            return teams.named_roles(self.runtime.specs.get(session, deployment.id).spec(process["id"]))

    def colleagues_for_team(self) -> dict[str, list[tuple[str, str]]]:
        """Who may join a team in each role: active holders of it, (username, display name), by role."""
        found: dict[str, list[tuple[str, str]]] = {}
        for account in self.users():
            if account.active:
                for role in account.roles:
                    if role in teams.MEMBER_ROLES:
                        found.setdefault(role, []).append((account.username, account.display_name))
        return {role: sorted(found.get(role, []), key=lambda c: c[1]) for role in teams.MEMBER_ROLES}

    def my_patients(self, query: MyPatientsQuery, viewer: Actor) -> MyPatients:
        """The patients whose care team the viewer is on; audited as a list read naming them."""
        if query.username != viewer.name:
            raise Forbidden("My patients lists the viewer's own patients")
        for name in ("search", "program", "risk"):
            characters.require_text(f"the {name}", getattr(query, name))
        with self.transaction("list my patients") as session:
            found = my_patients.my_patients(session, query)
            audit.record(session, "patients_listed", viewer.name, details={
                "list": "my patients", "search": query.search, "patients": [r.patient.id for r in found.rows]})
            return found

    # ------------------------------------------------------------------------------------------------ access
    def patient_access(self, patient_id: str, viewer: Actor) -> Access | None:
        """Why the viewer may read the patient's record, None when they may not without breaking the glass."""
        with self.reading() as session:
            patients.get_patient(session, patient_id)
            return access.patient_access(session, viewer, patient_id)

    def break_the_glass(self, patient_id: str, reason: str, duration: str, viewer: Actor, *,
                        session_token: str | None = None) -> AccessGrant:
        """Open a record from outside its care team, giving a reason: recorded as its own audit event and shown
        on the report for the privacy officer; lasts for `duration` ("1h", "4h", "8h", or "session": while the
        sign-in session of `session_token` lives)."""
        with self.transaction(f"open the record of {patient_id}") as session:
            patients.get_patient(session, patient_id)
            return access.break_glass(session, viewer, patient_id, reason, duration, session_token)

    def access_report(self, viewer: Actor, *, since: datetime | None = None, until: datetime | None = None,
                      username: str | None = None, patient_id: str | None = None, page: int = 1) -> AccessReport:
        """Every broken glass, newest first (admins and privacy officers); the read is audited."""
        if not (viewer.is_admin or any(r in viewer.roles for r in REPORT_READERS)):
            raise Forbidden(f"{viewer.name}'s roles do not allow reading who opened records from outside their team")
        if not 1 <= page <= 2**31 - 1:
            raise InvalidInput("the page must be a number from 1")
        with self.transaction("read the break-the-glass report") as session:
            report = access_report.glass_breaks(session, since=since, until=until, username=username or None,
                                                patient_id=patient_id or None, page=page)
            audit.record(session, "report_viewed", viewer.name, details={
                "report": "break the glass", "patients": sorted({r.grant.patient_id for r in report.rows})})
            return report

    @staticmethod
    def glass_durations() -> list[str]:
        return list(access.GLASS_DURATIONS)

    @staticmethod
    def team_member_roles() -> list[tuple[str, str]]:
        return [(role, roles.label(role)) for role in teams.MEMBER_ROLES]
