"""One task: its page with the form, saving a draft, submitting (completing it through the engine)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import (
    AccessRefused,
    CarepathError,
    Conflict,
    Forbidden,
    FormInvalid,
    NotFound,
    RoleMissing,
    TaskStatus,
)
from webapp.extensions import service
from webapp.formatting import when
from webapp.patients.views import refused_page
from webapp.security import CLINICAL, requires
from webapp.tasks import formpage
from webapp.tasks.blueprint import bp


def _page(ctx, values: dict, errors: dict, minutes: str = "", status: int = 200, notice: str | None = None):
    task = ctx.task
    me = current_user.username
    admin = "admin" in current_user.roles
    mine = admin or task.assignee == me or (task.assignee is None and current_user.actor.holds(task.role))
    # a lead's look is read only; so is the task of a suspended program (ctx.read_only)
    editable = task.status in TaskStatus.ACTIVE and mine and not task.delegated_by and not ctx.read_only
    if task.status == TaskStatus.COMPLETED:
        values, editable = formpage.completed_values(ctx), False
    form_html = formpage.render(ctx, values, errors, editable)
    return render_template("tasks/show.html", ctx=ctx, task=task, patient=ctx.patient, form_html=form_html,
                           errors=errors, editable=editable, minutes=minutes, notice=notice,
                           asks_minutes=formpage.page_asks_minutes(ctx), colleagues=ctx.colleagues,
                           may_delegate=editable and task.status == TaskStatus.CLAIMED,
                           reused=ctx.recent if ctx.recent and not errors and request.method == "GET" else None), status


@bp.route("/tasks/<id:task_id>")
@requires(*CLINICAL)
def show(task_id: int):
    try:
        ctx = service().task_context(task_id, current_user.actor)
    except AccessRefused as refusal:  # a task of a patient outside their care team: the way in, if any
        return refused_page(refusal.patient_id, refusal, after=url_for("tasks.show", task_id=task_id))
    notice = "Your saved draft is filled in." if ctx.draft else None
    return _page(ctx, formpage.initial_values(ctx), {}, notice=notice)


@bp.route("/tasks/<id:task_id>", methods=["POST"])
@requires(*CLINICAL)
def submit(task_id: int):
    action = formpage.action(request.form)
    reader = formpage.PostReader(request.form, draft=(action != "submit"))
    if action not in ("submit", "draft"):  # a row added or removed without the page's script: show it again
        ctx = service().task_context(task_id, current_user.actor)
        return _page(ctx, reader.read_again(ctx), dict(reader.unreadable), reader.minutes)
    task_uuid = request.form.get("task_uuid") or ""
    try:
        if action == "draft":
            saved = service().save_draft(task_id, reader, current_user.actor, task_uuid=task_uuid)
        else:
            done = service().complete_task(task_id, reader, current_user.actor, task_uuid=task_uuid)
    except FormInvalid as refusal:
        ctx = refusal.context
        errors = formpage.errors_of(ctx, reader.values, refusal, reader.unreadable)
        return _page(ctx, reader.values, errors, reader.minutes, status=400)
    except (RoleMissing, NotFound):
        raise  # a 403 or 404 page
    except Conflict as exc:  # a page for another task, or the task moved on: nothing was stored
        ctx = service().task_context(task_id, current_user.actor)
        return _page(ctx, formpage.initial_values(ctx), {}, status=409,
                     notice=f"{exc.message[:1].upper()}{exc.message[1:]}. Here is the task as it is now.")
    except Forbidden as exc:  # a colleague took it meanwhile: what was typed is kept as the person's draft
        return _taken(task_id, reader, task_uuid, exc)
    except CarepathError as exc:  # the instance suspended...: nothing was stored
        ctx = service().task_context(task_id, current_user.actor)
        return _page(ctx, reader.values, {}, reader.minutes, status=409, notice=exc.message)
    if action == "draft":
        if saved.assignee not in (None, current_user.username):
            return _taken_notice(task_id, saved)
        flash("Draft saved. Only you see it; the task stays open.", "success")
        return redirect(url_for("tasks.show", task_id=task_id))
    if done.next_task is not None:
        flash(f"“{done.task.title}” is done. Next for this patient: {done.next_task.title}.", "success")
        return redirect(url_for("tasks.show", task_id=done.next_task.id))
    flash(f"“{done.task.title}” is done. Nothing else for this patient is waiting for you.", "success")
    return redirect(url_for("inbox.index"))


def _taken(task_id: int, reader, task_uuid: str, refusal: Forbidden):
    """Submitting a task someone else holds now: keep the answers as a draft, and say who has it."""
    try:
        saved = service().save_draft(task_id, reader, current_user.actor, task_uuid=task_uuid)
    except CarepathError:
        ctx = service().task_context(task_id, current_user.actor)
        return _page(ctx, reader.values, {}, reader.minutes, status=409, notice=refusal.message)
    if saved.assignee in (None, current_user.username) or saved.delegated_by:
        ctx = service().task_context(task_id, current_user.actor)
        return _page(ctx, formpage.initial_values(ctx), {}, status=409,
                     notice=_sentence(refusal.message) + " What you typed is kept as your draft.")
    return _taken_notice(task_id, saved)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def _taken_notice(task_id: int, row):
    """The page says plainly that a colleague took the task, and that the typed answers are kept."""
    ctx = service().task_context(task_id, current_user.actor)
    who = ctx.names.get(row.assignee, row.assignee)
    since = f" at {when(row.claimed_at)}" if row.claimed_at else ""
    notice = (f"{who} took this task{since}, so it is theirs to complete now and your answers were not "
              "submitted. What you typed is kept as your draft: only you see it, here, while the task is open.")
    return _page(ctx, formpage.initial_values(ctx), {}, status=409, notice=notice)
