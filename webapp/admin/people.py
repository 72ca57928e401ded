"""People: the accounts (roles, last sign-in, locked, disabled), adding one, changing roles and details,
disabling and enabling (a disabled person's sessions end), unlocking after failed sign-ins, and a new password
at the next sign-in. The engine refuses an admin's removing their own admin role or disabling themselves, and
keeps one enabled admin at least."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import CarepathError, roles
from webapp.admin import forms
from webapp.admin.blueprint import bp
from webapp.extensions import service
from webapp.security import requires


@bp.route("/admin/users")
@requires(roles.ADMIN)
def users():
    role = forms.choice(request.args, "role", "role", roles.ROLES)
    return render_template("admin/users.html", accounts=service().user_accounts(current_user.actor, role), role=role,
                           values={"must_change": True}, errors=None)


@bp.route("/admin/users", methods=["POST"])
@requires(roles.ADMIN)
def add_user():
    form = request.form
    values = {"username": (form.get("username") or "").strip()[:100],
              "display_name": (form.get("display_name") or "").strip()[:200],
              "email": (form.get("email") or "").strip()[:320], "roles": form.getlist("roles"),
              "must_change": form.get("must_change") == "yes"}
    try:
        account = service().add_account(values["username"], form.get("password") or "", values["roles"],
                                        current_user.actor, display_name=values["display_name"],
                                        email=values["email"] or None, must_change_password=values["must_change"])
    except CarepathError as exc:
        return render_template("admin/users.html", accounts=service().user_accounts(current_user.actor), role=None,
                               values=values, errors=exc.message), 400
    flash(f"Added {account.display_name} ({account.username}).", "success")
    return redirect(url_for("admin.user", username=account.username))


@bp.route("/admin/users/<username>")
@requires(roles.ADMIN)
def user(username: str):
    return render_template("admin/user.html", account=service().user(username), all_roles=roles.ROLES)


def _change(username: str, work, done: str):
    try:
        work()
    except CarepathError as exc:
        flash(exc.message[:1].upper() + exc.message[1:], "error")
    else:
        flash(done, "success")
    return redirect(url_for("admin.user", username=username))


@bp.route("/admin/users/<username>/roles", methods=["POST"])
@requires(roles.ADMIN)
def user_roles(username: str):
    wanted = request.form.getlist("roles")
    return _change(username, lambda: service().change_roles(username, current_user.actor, replace=wanted),
                   "Roles saved.")


@bp.route("/admin/users/<username>/details", methods=["POST"])
@requires(roles.ADMIN)
def user_details(username: str):
    return _change(username, lambda: service().change_account(
        username, current_user.actor, display_name=(request.form.get("display_name") or "")[:300],
        email=(request.form.get("email") or "").strip()[:400] or None), "Details saved.")


@bp.route("/admin/users/<username>/active", methods=["POST"])
@requires(roles.ADMIN)
def user_active(username: str):
    wanted = request.form.get("active")
    if wanted not in ("yes", "no"):
        flash("Say whether the account may sign in.", "error")
        return redirect(url_for("admin.user", username=username))
    active = wanted == "yes"
    return _change(username, lambda: service().set_active(username, active, current_user.actor),
                   "Enabled: they can sign in again." if active else "Disabled: their sessions have ended and they "
                   "cannot sign in.")


@bp.route("/admin/users/<username>/unlock", methods=["POST"])
@requires(roles.ADMIN)
def user_unlock(username: str):
    return _change(username, lambda: service().unlock_account(username, current_user.actor),
                   "Unlocked: they can sign in again now.")


@bp.route("/admin/users/<username>/password-reset", methods=["POST"])
@requires(roles.ADMIN)
def user_password_reset(username: str):
    return _change(username, lambda: service().require_new_password(username, current_user.actor),
                   "At their next sign-in they must choose a new password; their open sessions have ended.")
