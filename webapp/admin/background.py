"""Background work: timers overdue (not fired) and coming due, stored jobs open and failed with their error,
the notification outbox; a retry for what failed, and Flower's address when Celery runs the work."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import JOB_STATUSES, OUTBOX_STATUSES, TIMER_VIEWS, CarepathError, roles
from webapp.admin import forms
from webapp.admin.blueprint import bp
from webapp.extensions import background as jobs
from webapp.extensions import service
from webapp.security import requires

VIEWS = ("timers", "jobs", "outbox")


@bp.route("/admin/background")
@requires(roles.ADMIN)
def background():
    actor = current_user.actor
    view = forms.choice(request.args, "view", "view", VIEWS) or "timers"
    page = forms.number(request.args, "page", "the page", default=1, high=100_000)
    if view == "timers":
        rows = service().background_timers(forms.choice(request.args, "when", "timers", TIMER_VIEWS) or "overdue",
                                           page, actor)
    elif view == "jobs":
        rows = service().background_jobs(forms.choice(request.args, "status", "status", JOB_STATUSES), page, actor)
    else:
        rows = service().notification_outbox(forms.choice(request.args, "status", "status", OUTBOX_STATUSES),
                                             page, actor)
    settings = current_app.config["CAREPATH_SETTINGS"].jobs
    return render_template("admin/background.html", view=view, rows=rows, overview=service().background_overview(actor),
                           job_statuses=JOB_STATUSES, outbox_statuses=OUTBOX_STATUSES, timer_views=TIMER_VIEWS,
                           flower=settings.flower_url, broker=bool(settings.broker_url),
                           link=lambda **kw: forms.link("admin.background", **kw))


@bp.route("/admin/jobs/<id:job_id>/retry", methods=["POST"])
@requires(roles.ADMIN)
def retry_job(job_id: int):
    try:
        service().retry_job(job_id, current_user.actor)
    except CarepathError as exc:
        flash(exc.message[:1].upper() + exc.message[1:], "error")
    else:
        _ring()
        flash(f"Job {job_id} is queued again.", "success")
    return redirect(url_for("admin.background", view="jobs"))


@bp.route("/admin/notifications/<id:notification_id>/retry", methods=["POST"])
@requires(roles.ADMIN)
def retry_notification(notification_id: int):
    try:
        service().retry_notification(notification_id, current_user.actor)
    except CarepathError as exc:
        flash(exc.message[:1].upper() + exc.message[1:], "error")
    else:
        _ring()
        flash(f"Notification {notification_id} is queued to be sent again.", "success")
    return redirect(url_for("admin.background", view="outbox"))


def _ring() -> None:
    """Ring the sweep's bell now, so the requeued work does not wait for the next sweep (not in tests)."""
    if not current_app.config.get("TESTING"):
        jobs().sweep()
