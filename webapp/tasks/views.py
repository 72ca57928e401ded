"""One task: its page with the form, saving a draft, submitting (completing it through the engine)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import CarepathError, Conflict, FormInvalid, NotFound, RoleMissing, TaskStatus
from webapp.extensions import service
from webapp.security import CLINICAL, requires
from webapp.tasks import formpage
from webapp.tasks.blueprint import bp


def _page(ctx, values: dict, errors: dict, minutes: str = "", status: int = 200, notice: str | None = None):
    task = ctx.task
    mine = task.assignee in (None, current_user.username) or "admin" in current_user.roles
    editable = task.status in TaskStatus.ACTIVE and mine
    form_html = formpage.render(ctx, values, errors, editable)
    return render_template("tasks/show.html", ctx=ctx, task=task, patient=ctx.patient, form_html=form_html,
                           errors=errors, editable=editable, minutes=minutes, notice=notice,
                           asks_minutes=formpage.page_asks_minutes(ctx), colleagues=ctx.colleagues), status


@bp.route("/tasks/<id:task_id>")
@requires(*CLINICAL)
def show(task_id: int):
    ctx = service().task_context(task_id, current_user.actor)
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
            service().save_draft(task_id, reader, current_user.actor, task_uuid=task_uuid)
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
    except CarepathError as exc:  # claimed by someone else, the instance suspended...: nothing was stored
        ctx = service().task_context(task_id, current_user.actor)
        return _page(ctx, reader.values, {}, reader.minutes, status=409, notice=exc.message)
    if action == "draft":
        flash("Draft saved. Only you see it; the task stays open.", "success")
        return redirect(url_for("tasks.show", task_id=task_id))
    if done.next_task is not None:
        flash(f"“{done.task.title}” is done. Next for this patient: {done.next_task.title}.", "success")
        return redirect(url_for("tasks.show", task_id=done.next_task.id))
    flash(f"“{done.task.title}” is done. Nothing else for this patient is waiting for you.", "success")
    return redirect(url_for("inbox.index"))
