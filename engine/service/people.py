"""Use cases of the people who use carepath: sign in, and the accounts an admin manages (add, roles, password,
disable)."""
from __future__ import annotations

from dataclasses import dataclass

from engine.care import accounts, authority, sessions
from engine.care.accounts import Account
from engine.care.actors import Actor
from engine.store import audit


@dataclass(frozen=True)
class SignInResult:
    """The account when the sign-in succeeded, else a reason fit to log (never to show: one message for every
    failure keeps usernames from being guessed)."""
    account: Account | None
    reason: str = ""


class PeopleUseCases:
    def sign_in(self, username: str, password: str) -> SignInResult:
        """Check a username and password; failures are counted and lock the account for a while."""
        with self.transaction("sign in") as session:
            attempt = accounts.sign_in(session, username, password)
            return SignInResult(Account.of(attempt.user) if attempt.user is not None else None, attempt.reason)

    def account(self, user_id: int) -> Account | None:
        """An account by id, None when there is no such account."""
        with self.reading() as session:
            user = accounts.find_user(session, user_id)
            return Account.of(user) if user is not None else None

    def open_session(self, account: Account) -> str:
        """A server-side session for an account that just signed in; returns the token its browser keeps."""
        with self.transaction(f"open a session for {account.username}") as session:
            return sessions.open_session(session, accounts.get_user(session, account.username))

    def session_account(self, token: str) -> Account | None:
        """The account a session token belongs to while the session lives and the account is active; None once
        it has ended (sign-out, password change, account disabled, idle) or when it never existed."""
        with self.reading() as session:
            user = sessions.live_user(session, token)
            return Account.of(user) if user is not None else None

    def end_session(self, token: str, why: str = sessions.SIGNED_OUT) -> bool:
        """End a session on the server: its cookie, kept or copied, opens nothing any more."""
        with self.transaction("end a session") as session:
            return sessions.end_session(session, token, why)

    def users(self, role: str | None = None) -> list[Account]:
        if role:
            accounts.check_roles([role])
        with self.reading() as session:
            return [Account.of(u) for u in accounts.list_users(session, role)]

    def user(self, username: str) -> Account:
        with self.reading() as session:
            return Account.of(accounts.get_user(session, username))

    @staticmethod
    def check_new_user(username: str, roles=()) -> None:
        """Refuse a username or roles a new account cannot have (before asking for its password)."""
        accounts.check_username(username)
        accounts.check_roles(roles)

    def add_user(self, username: str, password: str, roles=(), actor: Actor | None = None, *,
                 display_name: str = "", email: str | None = None) -> Account:
        """A new account; the username, password, roles and e-mail are checked and each refusal says why."""
        _require_admin(actor)
        wanted = accounts.check_roles(roles)
        name = accounts.check_username(username)
        with self.transaction(f"add user {name}") as session:
            user = accounts.create_user(session, name, password, wanted, display_name=display_name, email=email,
                                        by=_by(actor))
            return Account.of(user)

    def set_roles(self, username: str, roles, actor: Actor | None = None) -> Account:
        _require_admin(actor)
        with self.transaction(f"set the roles of {username}") as session:
            return Account.of(accounts.set_roles(session, username, list(roles), by=_by(actor)))

    def change_roles(self, username: str, actor: Actor | None = None, *, add=(), remove=(),
                     replace: list[str] | None = None) -> Account:
        """Give and take roles (or replace them all) in one change."""
        _require_admin(actor)
        with self.transaction(f"change the roles of {username}") as session:
            user = accounts.get_user(session, username)
            wanted = list(replace) if replace is not None else list(user.roles)
            wanted = [r for r in wanted + [r for r in add if r not in wanted] if r not in set(remove)]
            return Account.of(accounts.set_roles(session, username, wanted, by=_by(actor)))

    def set_password(self, username: str, password: str, actor: Actor | None = None) -> Account:
        """Set a password (and unlock the account)."""
        _require_admin(actor)
        with self.transaction(f"set the password of {username}") as session:
            return Account.of(accounts.set_password(session, username, password, by=_by(actor)))

    def set_active(self, username: str, active: bool, actor: Actor | None = None) -> Account:
        """Let a user sign in, or stop them (their history stays)."""
        _require_admin(actor)
        with self.transaction(f"{'enable' if active else 'disable'} {username}") as session:
            return Account.of(accounts.set_active(session, username, active, by=_by(actor)))


    def record_refusal(self, actor: Actor | None, what: str, reason: str) -> None:
        """An attempt refused (a page or action the person's roles do not allow, a task claimed by someone
        else): audited as an event of its own, apart from the transaction that refused it."""
        with self.transaction("record a refusal") as session:
            audit.record(session, "refused", actor.name if actor is not None else "anonymous",
                         details={"what": what[:200], "reason": reason[:300]})


def _require_admin(actor: Actor | None) -> None:
    """Accounts are an administrator's to manage (the CLI's operator counts as one)."""
    if actor is not None:
        authority.require_admin(actor, "manage accounts")


def _by(actor: Actor | None) -> str:
    return actor.name if actor is not None else "system"
