"""Sign in and sign out."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from webapp.extensions import limiter, service
from webapp.links import safe_next
from webapp.security import web_user

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
        user = web_user(attempt.account) if attempt.account is not None else None
        if user is None:
            current_app.logger.info("sign-in refused for %r: %s", username, attempt.reason)
            flash(FAILED, "error")
            return render_template("auth/login.html", username=username), 401
        session.clear()  # a fresh session on sign-in (no fixation)
        login_user(user)
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", username=username)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
