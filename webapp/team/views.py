"""Team pages: the lead's view of the roles they lead (engine.care.access says which)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import TEAM_VIEWS, CarepathError, Forbidden, NotFound, TeamQuery, roles
from webapp.admin import forms
from webapp.extensions import service
from webapp.links import safe_next
from webapp.security import requires

bp = Blueprint("team", __name__, url_prefix="/team")
LEADS = (roles.CLINICAL_LEAD, "nurse_lead")


@bp.route("/")
@requires(*LEADS)
def index():
    actor = current_user.actor
    workload = service().team_workload(actor)
    waiting = service().escalations(actor)
    return render_template("team/index.html", workload=workload, led=service().team_roles(actor),
                           escalations=waiting)


@bp.route("/tasks")
@requires(*LEADS)
def tasks():
    actor = current_user.actor
    led = service().team_roles(actor)
    query = TeamQuery(view=forms.choice(request.args, "view", "view", TEAM_VIEWS) or "overdue",
                      person=forms.text(request.args, "person", 100),
                      role=forms.choice(request.args, "role", "role", led),
                      page=forms.number(request.args, "page", "the page", default=1))
    page = service().team_tasks(query, actor)
    workload = service().team_workload(actor)
    return render_template("team/tasks.html", page=page, q=query, led=led, views=TEAM_VIEWS,
                           people=workload.people, link=lambda **kw: forms.link("team.tasks", **kw))


@bp.route("/reassign", methods=["POST"])
@requires(*LEADS)
def reassign():
    form = request.form
    back = safe_next(form.get("next") or url_for("team.tasks"))
    try:
        ids = forms.checked_ids(form, "task", "task")
        done = service().reassign_tasks(ids, form.get("assignee") or "", form.get("reason") or "",
                                        current_user.actor)
    except (Forbidden, NotFound):
        raise  # a task of a role they do not lead, or none: a 403 or 404 page
    except CarepathError as exc:  # a colleague without the role, a task completed meanwhile: nothing changed
        flash(exc.message[:1].upper() + exc.message[1:], "error")
        return redirect(back)
    who = done[0].assignee if done else (form.get("assignee") or "").strip()
    flash(f"{len(done)} task{'s' if len(done) != 1 else ''} given to {who}; they see your reason on each task."
          if done else f"Nothing changed: {who} already had the task.", "success")
    return redirect(back)


@bp.route("/escalations")
@requires(*LEADS)
def escalations():
    acknowledged = request.args.get("acknowledged") == "1"
    page = forms.number(request.args, "page", "the page", default=1, high=100_000)
    found = service().escalations(current_user.actor, acknowledged=acknowledged, page=page)
    return render_template("team/escalations.html", found=found, acknowledged=acknowledged,
                           link=lambda **kw: forms.link("team.escalations", **kw))


@bp.route("/escalations/acknowledge", methods=["POST"])
@requires(*LEADS)
def acknowledge():
    refs = [r for r in request.form.getlist("escalation") if r]
    try:
        done = service().acknowledge_escalations(refs, current_user.actor, request.form.get("note") or "")
    except CarepathError as exc:
        flash(exc.message[:1].upper() + exc.message[1:], "error")
    else:
        flash(f"{done} escalation{'s' if done != 1 else ''} acknowledged.", "success")
    return redirect(url_for("team.escalations"))
