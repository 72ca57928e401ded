"""User accounts: create, change roles, set passwords, sign in (argon2 hashes, lockout after failures).

Used by the CLI (`carepath users ...`) and by the web app's sign-in; both pass a session and get plain errors.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import roles
from engine.care import characters, sessions
from engine.errors import Conflict, InvalidInput, NotFound
from engine.models import User, UserRole
from engine.store import audit
from engine.time import clock

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,99}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 12
MAX_PASSWORD = 256
LOCK_AFTER = 5  # failed sign-ins in a row
LOCK_FOR = timedelta(minutes=15)

_hasher = PasswordHasher()
# verified against when the username is unknown, so that answering takes as long as for a known one
_DUMMY_HASH = _hasher.hash("carepath-no-such-user")


@dataclass(frozen=True)
class Account:
    """A user account as callers see it, read in one transaction and safe to keep after it (no password hash:
    `stamp` changes whenever the password does)."""

    id: int
    username: str
    display_name: str
    email: str | None
    roles: tuple[str, ...]
    active: bool
    last_sign_in_at: datetime | None
    locked_until: datetime | None
    stamp: str
    must_change_password: bool = False  # an admin asked for a new password at the next sign-in
    created_at: datetime | None = None

    @classmethod
    def of(cls, user: User) -> Account:
        stamp = hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
        return cls(user.id, user.username, user.display_name, user.email, tuple(user.roles), user.active,
                   user.last_sign_in_at, user.locked_until, stamp, bool(user.must_change_password),
                   user.created_at)

    @property
    def locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > clock.now()


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to: the user when it succeeded, else a reason fit to log (never to show)."""

    user: User | None
    reason: str = ""


def use_hasher(hasher: PasswordHasher) -> None:
    """Replace the password hasher (tests use a cheap one; production keeps argon2's defaults)."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("carepath-no-such-user")


def check_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not USERNAME.match(name):
        raise InvalidInput(f"username '{username}' is not valid: use 2-100 lower-case letters, digits, '.', '_' "
                           "or '-', starting with a letter or digit")
    return name


def check_password(password: str, username: str = "") -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"the password must have at most {MAX_PASSWORD} characters")
    if username and username.lower() in password.lower():
        raise InvalidInput("the password must not contain the username")


def check_roles(role_names) -> list[str]:
    wanted = sorted({r.strip() for r in role_names if r and r.strip()})
    unknown = roles.unknown_roles(wanted)
    if unknown:
        raise InvalidInput(f"unknown role(s): {', '.join(unknown)}; roles are: {', '.join(roles.ROLES)}")
    return wanted


def _check_email(email: str | None) -> str | None:
    email = (email or "").strip() or None
    if email is not None and not EMAIL.match(email):
        raise InvalidInput(f"'{email}' is not an e-mail address")
    return email


def get_user(session: Session, username: str) -> User:
    name = (username or "").strip().lower()
    if not USERNAME.match(name):  # no account has such a name (a NUL, say): not worth a query
        raise NotFound(f"no user '{characters.shown(name[:100])}'")
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise NotFound(f"no user '{username}'")
    return user


def find_by_name(session: Session, username: str) -> User | None:
    """The account of a user name as people type it (any case, spaces around), or None."""
    return session.scalar(select(User).where(User.username == (username or "").strip().lower()))


def find_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def create_user(session: Session, username: str, password: str, role_names=(), *, display_name: str = "",
                email: str | None = None, by: str = "system") -> User:
    name = check_username(username)
    check_password(password, name)
    wanted = check_roles(role_names)
    email = _check_email(email)
    if session.scalar(select(func.count()).select_from(User).where(User.username == name)):
        raise Conflict(f"a user '{name}' already exists")
    now = clock.now()
    user = User(username=name, display_name=(display_name or "").strip() or name, email=email,
                password_hash=_hasher.hash(password), active=True, created_at=now, password_changed_at=now,
                failed_sign_ins=0, role_rows=[UserRole(role=r) for r in wanted])
    session.add(user)
    session.flush()
    audit.record(session, "user_created", by, details={"user": name, "roles": wanted})
    return user


def set_roles(session: Session, username: str, role_names, *, by: str = "system") -> User:
    user = get_user(session, username)
    wanted = check_roles(role_names)
    before = user.roles
    if roles.ADMIN in before and roles.ADMIN not in wanted:
        if by == user.username:
            raise Conflict("you cannot remove your own administrator role; another administrator can")
        _require_another_admin(session, user, "take the administrator role from")
    if before != wanted:
        keep = [row for row in user.role_rows if row.role in wanted]
        user.role_rows = keep + [UserRole(role=r) for r in wanted if r not in before]
        session.flush()
        audit.record(session, "user_roles_changed", by,
                     details={"user": user.username, "before": before, "after": wanted})
    return user


def set_password(session: Session, username: str, password: str, *, by: str = "system") -> User:
    user = get_user(session, username)
    check_password(password, user.username)
    if user.must_change_password and by == user.username and _verify(user.password_hash, password):
        raise InvalidInput("choose a new password, not the one you were given")
    user.password_hash = _hasher.hash(password)
    user.password_changed_at = clock.now()
    user.failed_sign_ins = 0
    user.locked_until = None
    user.must_change_password = False
    sessions.end_sessions_of(session, user, sessions.PASSWORD_CHANGED)
    audit.record(session, "user_password_set", by, details={"user": user.username})
    return user


def set_active(session: Session, username: str, active: bool, *, by: str = "system") -> User:
    user = get_user(session, username)
    if not active and user.active:
        if by == user.username:
            raise Conflict("you cannot disable your own account; another administrator can")
        if roles.ADMIN in user.roles:
            _require_another_admin(session, user, "disable")
    if user.active != active:
        user.active = active
        if not active:
            sessions.end_sessions_of(session, user, sessions.DISABLED)
        audit.record(session, "user_enabled" if active else "user_disabled", by, details={"user": user.username})
    return user


def _require_another_admin(session: Session, user: User, doing: str) -> None:
    """The installation keeps at least one enabled administrator."""
    others = session.scalar(select(func.count()).select_from(User).where(
        User.active.is_(True), User.id != user.id,
        User.id.in_(select(UserRole.user_id).where(UserRole.role == roles.ADMIN))))
    if not others:
        raise Conflict(f"cannot {doing} {user.username}: they are the only enabled administrator, and carepath "
                       "keeps at least one; make someone else an administrator first")


def unlock(session: Session, username: str, *, by: str = "system") -> User:
    """Lift a lockout after failed sign-ins (the failures so far are forgotten)."""
    user = get_user(session, username)
    was = when_unlocked(user)
    user.failed_sign_ins = 0
    user.locked_until = None
    audit.record(session, "user_unlocked", by, details={"user": user.username,
                                                        "was_locked_until": was.isoformat() if was else None})
    return user


def require_new_password(session: Session, username: str, *, by: str = "system") -> User:
    """Make the user choose a new password when they next sign in; their open sessions end now."""
    user = get_user(session, username)
    user.must_change_password = True
    sessions.end_sessions_of(session, user, sessions.PASSWORD_CHANGED)
    audit.record(session, "user_password_reset_required", by, details={"user": user.username})
    return user


def set_details(session: Session, username: str, display_name: str | None, email: str | None, *,
                by: str = "system") -> User:
    """Change the name shown and the e-mail address (reminders go there)."""
    user = get_user(session, username)
    name = (display_name or "").strip() or user.username
    if len(name) > 200:
        raise InvalidInput("the name is longer than 200 characters")
    address = _check_email(email)
    before = {"display_name": user.display_name, "email": user.email}
    user.display_name, user.email = name, address
    after = {"display_name": name, "email": address}
    if before != after:
        audit.record(session, "user_changed", by, details={"user": user.username, "changed": sorted(
            k for k in after if after[k] != before[k])})
    return user


def list_users(session: Session, role: str | None = None) -> list[User]:
    query = select(User).order_by(User.username)
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return list(session.scalars(query))


def users_holding(session: Session, role: str | None) -> list[User]:
    """Active users who may work a task of `role` (admins may work every task)."""
    wanted = {role, roles.ADMIN} if role else set(roles.ROLES)
    query = (select(User).where(User.active.is_(True),
                                User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(wanted))))
             .order_by(User.display_name))
    return list(session.scalars(query))


def sign_in(session: Session, username: str, password: str) -> SignIn:
    """Check a username and password. Failures are counted; too many in a row lock the account for a while.

    The caller shows one message for every failure, so that nobody learns which usernames exist."""
    now = clock.now()
    if not USERNAME.match((username or "").strip().lower()):  # no account has such a name (a NUL, say)
        _verify(_DUMMY_HASH, password or "")
        return SignIn(None, "not a user name")
    user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None:
        _verify(_DUMMY_HASH, password or "")
        return SignIn(None, "unknown user")
    if user.locked_until is not None and user.locked_until > now:
        _verify(_DUMMY_HASH, password or "")
        return SignIn(None, "locked")
    if not _verify(user.password_hash, password or ""):
        user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
        if user.failed_sign_ins >= LOCK_AFTER:
            user.locked_until = now + LOCK_FOR
            audit.record(session, "user_locked", user.username, details={"user": user.username,
                                                                          "until": user.locked_until.isoformat()})
        return SignIn(None, "wrong password")
    if not user.active:
        return SignIn(None, "disabled")
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    audit.record(session, "signed_in", user.username, details={"user": user.username})
    return SignIn(user)


def password_matches(user: User, password: str) -> bool:
    return _verify(user.password_hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def when_unlocked(user: User) -> datetime | None:
    now = clock.now()
    return user.locked_until if user.locked_until and user.locked_until > now else None
