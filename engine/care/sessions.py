"""Web sessions kept on the server. The browser holds a random token; the server keeps only its hash, so a
stolen database does not hand out sessions. A session lives until it is ended: at sign-out, when the
password changes or the account is disabled (every session of the account), or when it idles out."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.models import User, UserSession
from engine.store import audit
from engine.time import clock

SIGNED_OUT, PASSWORD_CHANGED, DISABLED, IDLE = "signed out", "password changed", "disabled", "idle"


def _key(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def open_session(session: Session, user: User) -> str:
    """A new session for a user who just signed in; returns the token for the browser (kept nowhere else)."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(id=_key(token), user_id=user.id, created_at=clock.now()))
    return token


def live_user(session: Session, token: str) -> User | None:
    """The active user whose live session the token opens, else None (ended, unknown, or the user disabled)."""
    if not token:
        return None
    return session.scalar(select(User).join(UserSession, UserSession.user_id == User.id).where(
        UserSession.id == _key(token), UserSession.ended_at.is_(None), User.active.is_(True)))


def end_session(session: Session, token: str, why: str = SIGNED_OUT) -> bool:
    """End one session (audited when it was live); returns whether it was."""
    row = session.get(UserSession, _key(token)) if token else None
    if row is None or row.ended_at is not None:
        return False
    row.ended_at, row.ended_why = clock.now(), why
    user = session.get(User, row.user_id)
    audit.record(session, "signed_out" if why == SIGNED_OUT else "session_ended",
                 user.username if user else "system", details={"user": user.username if user else None, "why": why})
    return True


def end_sessions_of(session: Session, user: User, why: str) -> None:
    """End every live session of a user (a password change, a disabled account)."""
    session.execute(update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                    .values(ended_at=clock.now(), ended_why=why).execution_options(synchronize_session=False))
