"""Use cases of the admin console's programs, people and audit trail: bundles and their versions (with instance
counts, change notes and approvers), an uploaded bundle checked like `carepath deploy` checks one and deployed
when the admin says so, programs opened or closed to new starts; accounts (add, roles, enable and disable,
unlock, a new password at the next sign-in); and the audit viewer for admins and privacy officers, whose
every read is itself in the trail."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from engine.care import accounts, authority, characters, programs, uploads
from engine.care.accounts import Account
from engine.care.actors import Actor
from engine.deploy.versions import DeployResult
from engine.errors import InvalidInput
from engine.models import BundleUpload
from engine.read import audit_trail, programs_overview
from engine.read.audit_trail import AuditPage, AuditQuery, ViewersReport
from engine.read.programs_overview import BundleRow, ProgramRow
from engine.store import audit

MAX_EXPORT = 100_000  # events in one CSV export


@dataclass
class ProgramsOverview:
    bundles: list[BundleRow]
    programs: list[ProgramRow]
    uploads: list[BundleUpload]


class AdminUseCases:
    # ------------------------------------------------------------------------------------------------ programs
    def programs_overview(self, viewer: Actor) -> ProgramsOverview:
        authority.require_admin(viewer, "manage programs and versions")
        with self.reading() as session:
            bundles = programs_overview.bundles(session)
            found = ProgramsOverview(bundles, programs_overview.program_rows(session, bundles),
                                     programs_overview.uploads(session))
            session.expunge_all()
            return found

    def set_program_open(self, process_id: str, open_for_starts: bool, actor: Actor, reason: str = ""):
        """Open or close a program for new starts; the instances already running are not touched."""
        authority.require_admin(actor, "open or close a program")
        with self.transaction(f"{'open' if open_for_starts else 'close'} {process_id}") as session:
            known = {r.process_id for r in programs_overview.program_rows(session, programs_overview.bundles(session))}
            return programs.set_open(session, process_id, open_for_starts, actor.name, reason, known)

    def check_bundle_upload(self, filename: str, content: bytes, actor: Actor, name: str | None = None) -> BundleUpload:
        """Check an uploaded zip as `carepath deploy` would (every problem with its file, element and line) and
        keep it, with its report, until it is deployed: nothing is deployed yet."""
        authority.require_admin(actor, "upload a bundle")
        with self.transaction(f"check {filename}") as session:
            return uploads.check(session, filename, content, name, actor.name)

    def bundle_upload(self, upload_id: int, viewer: Actor) -> BundleUpload:
        authority.require_admin(viewer, "read an uploaded bundle")
        with self.reading() as session:
            upload = uploads.get(session, upload_id)
            session.expunge(upload)
            return upload

    def deploy_upload(self, upload_id: int, actor: Actor) -> DeployResult:
        """Deploy a checked upload as its bundle's next version."""
        authority.require_admin(actor, "deploy a bundle")
        with self.transaction(f"deploy upload {upload_id}") as session:
            return uploads.deploy(session, upload_id, actor.name, self.runtime.specs)

    # ------------------------------------------------------------------------------------------------ people
    def user_accounts(self, viewer: Actor, role: str | None = None) -> list[Account]:
        authority.require_admin(viewer, "manage accounts")
        return self.users(role)

    def add_account(self, username: str, password: str, roles, actor: Actor, *, display_name: str = "",
                    email: str | None = None, must_change_password: bool = True) -> Account:
        """A new account; by default its first sign-in asks for a password of the person's own."""
        authority.require_admin(actor, "add accounts")
        characters.require_text("the name", display_name)
        characters.require_text("the e-mail address", email)
        wanted = accounts.check_roles(roles)
        name = accounts.check_username(username)
        with self.transaction(f"add user {name}") as session:
            user = accounts.create_user(session, name, password, wanted, display_name=display_name, email=email,
                                        by=actor.name)
            if must_change_password:
                user.must_change_password = True
            return Account.of(user)

    def change_account(self, username: str, actor: Actor, *, display_name: str | None, email: str | None) -> Account:
        authority.require_admin(actor, "change accounts")
        characters.require_text("the name", display_name)
        characters.require_text("the e-mail address", email)
        with self.transaction(f"change {username}") as session:
            return Account.of(accounts.set_details(session, username, display_name, email, by=actor.name))

    def unlock_account(self, username: str, actor: Actor) -> Account:
        """Lift a lockout after failed sign-ins."""
        authority.require_admin(actor, "unlock accounts")
        with self.transaction(f"unlock {username}") as session:
            return Account.of(accounts.unlock(session, username, by=actor.name))

    def require_new_password(self, username: str, actor: Actor) -> Account:
        """The user chooses a new password when they next sign in; their sessions end now."""
        authority.require_admin(actor, "reset passwords")
        with self.transaction(f"reset the password of {username}") as session:
            return Account.of(accounts.require_new_password(session, username, by=actor.name))

    def change_own_password(self, username: str, current: str, new: str) -> Account:
        """A person sets their own password, giving the one they have (as at a forced change at sign-in)."""
        with self.transaction(f"change the password of {username}") as session:
            user = accounts.get_user(session, username)
            if not accounts.password_matches(user, current or ""):
                raise InvalidInput("the current password is not right")
            return Account.of(accounts.set_password(session, username, new, by=username))

    # ------------------------------------------------------------------------------------------------ audit
    def audit_events(self, query: AuditQuery, viewer: Actor) -> AuditPage:
        """A page of the audit trail; the read is itself an event (with the filters used)."""
        authority.require_audit_reader(viewer)
        query.check()
        _check_filters(query)
        with self.transaction("read the audit trail") as session:
            found = audit_trail.page(session, query)
            audit.record(session, "audit_viewed", viewer.name, patient_id=query.patient_id,
                         details={"filters": query.described(), "events": len(found.events)})
            return found

    def patient_viewers(self, patient_id: str, days: int, viewer: Actor) -> ViewersReport:
        """Who opened the patient's record (or their tasks, their data), and who was shown them in a list, in
        the last `days` days; audited."""
        authority.require_audit_reader(viewer)
        characters.require_text("the patient", patient_id)
        with self.transaction(f"who viewed patient {patient_id}") as session:
            report = audit_trail.viewers(session, patient_id, days)
            audit.record(session, "audit_viewed", viewer.name, patient_id=patient_id,
                         details={"report": "viewers", "days": days})
            return report

    def audit_export(self, query: AuditQuery, viewer: Actor) -> Iterator[list]:
        """The rows of a CSV export of the events the filters match (header first, newest first, at most
        100,000): the export is recorded before the first row is read."""
        authority.require_audit_reader(viewer)
        query.check()
        _check_filters(query)
        with self.transaction("export the audit trail") as session:
            audit.record(session, "audit_exported", viewer.name, patient_id=query.patient_id,
                         details={"filters": query.described(), "limit": MAX_EXPORT})

        def rows():
            yield audit_trail.CSV_HEADER
            with self.reading() as session:
                for event in audit_trail.export(session, query, MAX_EXPORT):
                    yield audit_trail.csv_row(event)

        return rows()


def _check_filters(query: AuditQuery) -> None:
    for name in ("patient_id", "actor", "action"):
        characters.require_text(f"the {name.replace('_id', '')}", getattr(query, name))
