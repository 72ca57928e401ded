"""Inbox actions on one task: claim, release, assign to a colleague, set a follow-up date."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from engine.service import AccessRefused, CarepathError, InvalidInput, NotFound, RoleMissing
from webapp import formatting
from webapp.extensions import service
from webapp.links import safe_next
from webapp.security import CLINICAL, requires
from webapp.tasks.blueprint import bp


def _back(task_id: int):
    target = request.form.get("next")
    return redirect(safe_next(target) if target else url_for("tasks.show", task_id=task_id))


def _act(task_id: int, work, done: str):
    """Run an engine action; its refusal (claimed by someone else, changed meanwhile) becomes a message on the
    page the person came from, and nothing is stored. A task of a role the person does not hold is a 403."""
    try:
        work()
    except NotFound:
        abort(404)
    except (RoleMissing, AccessRefused):
        abort(403)
    except CarepathError as exc:
        flash(exc.message, "error")
    else:
        flash(done, "success")
    return _back(task_id)


@bp.route("/tasks/<id:task_id>/claim", methods=["POST"])
@requires(*CLINICAL)
def claim(task_id: int):
    return _act(task_id, lambda: service().claim(task_id, current_user.actor), "Task claimed: it is in My tasks.")


@bp.route("/tasks/<id:task_id>/release", methods=["POST"])
@requires(*CLINICAL)
def release(task_id: int):
    return _act(task_id, lambda: service().release(task_id, current_user.actor),
                "Task released back to its role's queue.")


@bp.route("/tasks/<id:task_id>/assign", methods=["POST"])
@requires(*CLINICAL)
def assign(task_id: int):
    username = (request.form.get("assignee") or "").strip()
    return _act(task_id, lambda: service().assign(task_id, username, current_user.actor),
                f"Task assigned to {username}.")


@bp.route("/tasks/<id:task_id>/follow-up", methods=["POST"])
@requires(*CLINICAL)
def follow_up(task_id: int):
    text = (request.form.get("follow_up") or "").strip()

    def work():
        moment = None
        if text:
            try:
                moment = formatting.day_start(date.fromisoformat(text), 9)  # 09:00 of that day, where they are
            except ValueError:
                raise InvalidInput(f"'{text}' is not a date (YYYY-MM-DD).") from None
        service().set_follow_up(task_id, moment, current_user.actor)

    return _act(task_id, work, "Follow-up date saved." if text else "Follow-up date cleared.")
