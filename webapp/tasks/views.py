"""One task: its page with the form, saving a draft, submitting (completing it through the engine)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.care import drafts, patients, time_entries
from engine.care import tasks as engine_tasks
from engine.care.task_forms import FormInvalid
from engine.errors import CarepathError, InvalidInput
from engine.models import TaskStatus
from engine.read import task_context as taskview
from webapp.extensions import pathways
from webapp.security import CLINICAL, requires
from webapp.tasks import formpage

bp = Blueprint("tasks", __name__)


def _context(task_id: int):
    service = pathways()
    with service.db.transaction() as s:
        ctx = taskview.task_context(s, service.runtime, task_id, current_user.actor)
        if not current_user.actor.holds(ctx.task.role):
            abort(403)
        patient = patients.patients_by_id(s, [ctx.patient_id]).get(ctx.patient_id)
        s.expunge_all()
    return ctx, patient


def _page(ctx, patient, values: dict, errors: dict, minutes: str = "", status: int = 200, notice: str | None = None):
    task = ctx.task
    mine = task.assignee in (None, current_user.username) or "admin" in current_user.roles
    editable = task.status in TaskStatus.ACTIVE and mine
    form_html = formpage.render(ctx, values, errors, editable)
    return render_template("tasks/show.html", ctx=ctx, task=task, patient=patient, form_html=form_html,
                           errors=errors, editable=editable, minutes=minutes, notice=notice,
                           asks_minutes=not formpage.asks_minutes(ctx),
                           colleagues=ctx.colleagues), status


@bp.route("/tasks/<int:task_id>")
@requires(*CLINICAL)
def show(task_id: int):
    ctx, patient = _context(task_id)
    values = formpage.initial_values(ctx)
    notice = "Your saved draft is filled in." if ctx.draft else None
    return _page(ctx, patient, values, {}, notice=notice)


@bp.route("/tasks/<int:task_id>", methods=["POST"])
@requires(*CLINICAL)
def submit(task_id: int):
    ctx, patient = _context(task_id)
    task = ctx.task
    action = formpage.action(request.form)
    if request.form.get("task_uuid") != task.task_uuid:
        # the page was for another task (or the field was changed): nothing is stored
        return _page(ctx, patient, formpage.initial_values(ctx), {}, status=409,
                     notice="This form does not belong to this task any more, so nothing was saved. "
                            "Here is the task as it is now.")
    values, errors = formpage.parse(ctx, request.form, draft=(action != "submit"))
    if action not in ("submit", "draft"):  # a row added or removed without the page's script: show it again
        return _page(ctx, patient, values, errors, (request.form.get("_minutes") or "").strip())
    minutes_text = (request.form.get("_minutes") or "").strip()
    try:
        minutes = time_entries.check_minutes(values.get(formpage.MINUTES_FIELD) if formpage.asks_minutes(ctx)
                                         else minutes_text)
    except InvalidInput as exc:
        errors = {**errors, (formpage.MINUTES_FIELD if formpage.asks_minutes(ctx) else "_minutes"): exc.message}
        minutes = None
    if errors:
        return _page(ctx, patient, values, errors, minutes_text, status=400)
    service = pathways()
    actor = current_user.actor
    if action == "draft":
        try:
            with service.transaction(f"save a draft of task {task_id}") as s:
                drafts.save_draft(s, task_id, values, actor)
        except CarepathError as exc:
            return _page(ctx, patient, values, {}, minutes_text, status=409, notice=exc.message)
        flash("Draft saved. Only you see it; the task stays open.", "success")
        return redirect(url_for("tasks.show", task_id=task_id))
    try:
        with service.transaction(f"complete task {task_id}") as s:
            engine_tasks.complete(s, service.runtime, task_id, values, actor, formpage.unanswered(ctx, values))
            if minutes:
                time_entries.record_minutes(s, task_id, minutes, actor)
            drafts.drop_drafts(s, task_id)
    except FormInvalid as exc:  # the engine's own check of the form (the same schema) refused it
        return _page(ctx, patient, values, formpage.engine_errors(exc), minutes_text, status=400)
    except CarepathError as exc:
        return _page(ctx, patient, values, {}, minutes_text, status=409, notice=exc.message)
    with service.db.transaction() as s:
        upcoming = taskview.next_task_for(s, task.patient_id, actor, task_id)
        next_id = upcoming.id if upcoming is not None else None
        next_title = upcoming.title if upcoming is not None else None
    if next_id is not None:
        flash(f"“{task.title}” is done. Next for this patient: {next_title}.", "success")
        return redirect(url_for("tasks.show", task_id=next_id))
    flash(f"“{task.title}” is done. Nothing else for this patient is waiting for you.", "success")
    return redirect(url_for("inbox.index"))


from webapp.tasks import actions  # noqa: E402,F401 - registers the inbox actions on this blueprint
