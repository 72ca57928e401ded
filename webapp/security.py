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
from flask_login import UserMixin, current_user, logout_user

from engine.service import Account, Actor, now, roles
from webapp.extensions import login_manager, service

PUBLIC_ENDPOINTS = {"auth.login", "static", "diagrams.vendor", "form_assets"}
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
    stamp: str  # changes when the password changes: older sessions stop working

    def get_id(self) -> str:
        return f"{self.user_id}:{self.stamp}"

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


def web_user(account: Account) -> WebUser:
    return WebUser(account.id, account.username, account.display_name, account.roles, account.stamp)


@login_manager.user_loader
def _load_user(key: str):
    user_id, _, stamp = key.partition(":")
    if not user_id.isdigit():
        return None
    account = service().account(int(user_id))
    if account is None or not account.active or account.stamp != stamp:
        return None
    return web_user(account)


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
    if not current_user.is_authenticated:
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401)
    limit = current_app.config["IDLE_TIMEOUT"]
    seen = session.get("seen")
    now = _now()
    if seen is not None and now.timestamp() - float(seen) > limit.total_seconds():
        logout_user()
        session.clear()
        flash(f"You were signed out after {int(limit.total_seconds() // 60)} minutes without activity. "
              "Please sign in again.", "info")
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return redirect(url_for("auth.login"))
    session["seen"] = now.timestamp()
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
