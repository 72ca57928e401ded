"""Change my password. When an admin asked for a new one, every other page leads here until it is done."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request
from flask_login import current_user

from engine.service import CarepathError
from webapp.extensions import service
from webapp.links import safe_next
from webapp.security import sign_in

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/password", methods=["GET", "POST"])
def password():
    forced = bool(getattr(current_user, "must_change_password", False))
    if request.method == "GET":
        return render_template("account/password.html", forced=forced, error=None)
    new, again = request.form.get("new_password") or "", request.form.get("new_password_again") or ""
    if new != again:
        return render_template("account/password.html", forced=forced,
                               error="The two new passwords are not the same."), 400
    try:
        account = service().change_own_password(current_user.username, request.form.get("current_password") or "",
                                                new)
    except CarepathError as exc:
        return render_template("account/password.html", forced=forced,
                               error=exc.message[:1].upper() + exc.message[1:] + "."), 400
    sign_in(account)  # the change ended every session of the account, this one too: a fresh one
    flash("Your password is changed. Other sessions of your account have ended.", "success")
    return redirect(safe_next(None))
