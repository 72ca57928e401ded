"""Sign in and sign out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from webapp.extensions import database, limiter
from webapp.security import web_user

bp = Blueprint("auth", __name__)

FAILED = "The username or password is not right, or the account is locked for a while. Please try again."


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no '//' tricks) is followed after sign-in."""
    if not target:
        return url_for("inbox.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("inbox.index")
    return target


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 302)
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    username = ""
    if request.method == "POST":
        from engine.care import accounts

        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        with database().transaction() as s:
            attempt = accounts.sign_in(s, username, password)
            user = web_user(attempt.user) if attempt.user is not None else None
        if user is None:
            current_app.logger.info("sign-in refused for %r: %s", username, attempt.reason)
            flash(FAILED, "error")
            return render_template("auth/login.html", username=username), 401
        session.clear()  # a fresh session on sign-in (no fixation)
        login_user(user)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", username=username)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
