"""Sign in and sign out."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.extensions import limiter, service
from webapp.links import safe_next
from webapp.security import sign_in, sign_out

bp = Blueprint("auth", __name__)

FAILED = "The username or password is not right, or the account is locked for a while. Please try again."


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 302)
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    username = ""
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        attempt = service().sign_in(username, password)
        if attempt.account is None:
            current_app.logger.info("sign-in refused: %s", attempt.reason)
            flash(FAILED, "error")
            return render_template("auth/login.html", username=username), 401
        sign_in(attempt.account)
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", username=username)


@bp.route("/logout", methods=["POST"])
def logout():
    sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
