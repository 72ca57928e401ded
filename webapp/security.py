"""Who is signed in, what they may do, and the protections every response gets.

Every route needs a signed-in user (checked here, before any view runs) except the sign-in page and static
files; role checks are done on the server by `requires` and by the engine (which refuses a task's completion
by someone without its role or claimed by someone else).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import wraps

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user

from engine.service import Account, Actor, now, roles
from webapp.extensions import login_manager, service

PUBLIC_ENDPOINTS = {"auth.login", "static", "diagrams.vendor", "form_assets"}
# blueprints that answer a request without a session themselves (the JSON API and FHIR: bearer tokens, 401s)
SELF_AUTHENTICATED: set[str] = set()
# what someone asked to choose a new password may open before they have (webapp.account)
PASSWORD_ENDPOINTS = {"account.password", "auth.logout", "static", "form_assets"}
# who may do what, beyond holding a task's role (the engine checks that)
MANAGE_PATIENTS = (roles.CARE_MANAGER, "nurse_lead", roles.ADMIN)
CLINICAL = roles.TEAM_ROLES + (roles.CLINICAL_LEAD, roles.ADMIN)
ASSIGNERS = (roles.CARE_MANAGER, "nurse_lead", roles.ADMIN)


@dataclass(frozen=True)
class WebUser(UserMixin):
    """The signed-in person as the web app sees them (no database object kept across requests)."""

    user_id: int
    username: str
    display_name: str
    roles: tuple[str, ...]
    token: str  # the server-side session's token: it opens nothing once the session has ended
    must_change_password: bool = False  # an admin asked for a new one: every page leads to choosing it

    def get_id(self) -> str:
        return self.token

    @property
    def actor(self) -> Actor:
        return Actor.person(self.username, *self.roles)

    def holds_any(self, wanted) -> bool:
        return roles.ADMIN in self.roles or any(r in self.roles for r in wanted)

    @property
    def team_roles(self) -> list[str]:
        return [r for r in self.roles if r in roles.TEAM_ROLES]

    @property
    def oversees_team(self) -> bool:
        """A clinical lead sees the whole team's overdue work, not only their own."""
        return roles.CLINICAL_LEAD in self.roles


def web_user(account: Account, token: str) -> WebUser:
    return WebUser(account.id, account.username, account.display_name, account.roles, token,
                   account.must_change_password)


@login_manager.user_loader
def _load_user(token: str):
    """The person whose server-side session the cookie's token opens; None once it has ended (sign-out, a
    password change, a disabled account, idle), whatever the cookie says."""
    account = service().session_account(token)
    return web_user(account, token) if account is not None else None


def sign_in(account: Account) -> None:
    """Start a session for someone whose password was just checked: a fresh cookie (no fixation), a new
    server-side session, and the idle clock started."""
    session.clear()
    login_user(web_user(account, service().open_session(account)))
    session["seen"] = _now().timestamp()


def sign_out(why: str = "signed out") -> None:
    """End the session on the server and in the browser."""
    if current_user.is_authenticated:
        service().end_session(current_user.get_id(), why)
    logout_user()
    session.clear()


def requires(*wanted: str):
    """Only users holding one of `wanted` roles (admins always) may use the view; others get 403."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated or not current_user.holds_any(wanted):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def _now() -> datetime:
    return now().astimezone(timezone.utc)


def _enforce_sign_in():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    own = request.blueprint in SELF_AUTHENTICATED
    if own and "Authorization" in request.headers:
        return None  # a bearer token: the blueprint authenticates it, and no session plays a part
    if not current_user.is_authenticated:
        if own:
            return None
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401)
    limit = current_app.config["IDLE_TIMEOUT"]
    seen = session.get("seen")
    now = _now()
    if not isinstance(seen, int | float) or now.timestamp() - float(seen) > limit.total_seconds():
        sign_out("idle")  # a cookie without a last-seen time counts as idle too
        if own:
            return None
        flash(f"You were signed out after {int(limit.total_seconds() // 60)} minutes without activity. "
              "Please sign in again.", "info")
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return redirect(url_for("auth.login"))
    session["seen"] = now.timestamp()
    if current_user.must_change_password and request.endpoint not in PASSWORD_ENDPOINTS:
        return redirect(url_for("account.password"))
    return None


def _protect(response):
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint not in ("static", "diagrams.vendor", "form_assets"):
        # pages carry patient data: never kept in shared caches or the browser's back-forward cache
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.before_request(_enforce_sign_in)
    app.after_request(_protect)
