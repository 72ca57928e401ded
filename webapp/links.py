"""Links the app follows on a person's behalf."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for
from flask_login import current_user

from engine.service import roles


def safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no '//' tricks) is followed after sign-in."""
    if not target:
        return home()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return home()
    return target


def home() -> str:
    """Where a person starts: an admin on the console, a privacy officer on the audit trail, everyone else on
    their inbox."""
    held = set(getattr(current_user, "roles", ()) or ())
    if roles.ADMIN in held:
        return url_for("admin.index")
    if roles.PRIVACY_OFFICER in held and not held & {*roles.TEAM_ROLES, roles.CLINICAL_LEAD}:
        return url_for("audit.index")
    return url_for("inbox.index")
