"""The API's clients in the admin console (/admin/api-clients): each client with its scopes, whom it acts for,
its rate limit and its tokens (by prefix: last use, expiry, revoked); adding one (its first token is shown on the
answer page this once, never stored in the session or a flash message), another token (rotation, optionally
ending the others), and revoking a client. The same service methods as `carepath clients`; admins only, and the
engine checks the same again."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import API_SCOPES, CarepathError, InvalidInput, roles
from webapp.extensions import service
from webapp.security import requires

bp = Blueprint("api_clients", __name__)


def _page(status: int = 200, *, values: dict | None = None, errors: str | None = None, shown=None):
    clients = service().api_clients(current_user.actor)
    page = render_template("api/clients.html", clients=clients, scopes=API_SCOPES, values=values or {},
                           errors=errors, shown=shown, settings=service().api_settings)
    return page, status, {"Cache-Control": "no-store"}  # a page that may show a token is never kept


@bp.route("/admin/api-clients")
@requires(roles.ADMIN)
def index():
    return _page()


def _number(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise InvalidInput(f"'{text[:20]}' is not a whole number")
    return int(text)


@bp.route("/admin/api-clients", methods=["POST"])
@requires(roles.ADMIN)
def add():
    form = request.form
    values = {"name": (form.get("name") or "").strip()[:100], "scopes": form.getlist("scopes"),
              "username": (form.get("username") or "").strip()[:100],
              "description": (form.get("description") or "").strip()[:300],
              "rate_limit": (form.get("rate_limit") or "").strip()[:10], "days": (form.get("days") or "").strip()[:10]}
    try:
        created = service().add_api_client(
            values["name"], values["scopes"], current_user.actor, username=values["username"] or None,
            description=values["description"] or None, rate_limit=_number(values["rate_limit"]),
            days=_number(values["days"]))
    except CarepathError as exc:
        return _page(400, values=values, errors=exc.message[:1].upper() + exc.message[1:])
    return _page(201, shown=created)


@bp.route("/admin/api-clients/<name>/token", methods=["POST"])
@requires(roles.ADMIN)
def token(name: str):
    try:
        issued = service().issue_api_token(name, current_user.actor,
                                           revoke_others=request.form.get("revoke_others") == "yes")
    except CarepathError as exc:
        flash(exc.message[:1].upper() + exc.message[1:], "error")
        return redirect(url_for("api_clients.index"))
    return _page(201, shown=issued)


@bp.route("/admin/api-clients/<name>/revoke", methods=["POST"])
@requires(roles.ADMIN)
def revoke(name: str):
    try:
        service().revoke_api_client(name, current_user.actor)
    except CarepathError as exc:
        flash(exc.message[:1].upper() + exc.message[1:], "error")
    else:
        flash(f"Revoked {name}: its tokens open nothing from now on.", "success")
    return redirect(url_for("api_clients.index"))
