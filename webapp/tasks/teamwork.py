"""Working a task with colleagues: ask one for input (delegate), hand it back with a note (resolve), take it back,
and comment on it for the patient's care team."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from webapp.extensions import service
from webapp.security import CLINICAL, requires
from webapp.tasks.actions import _act
from webapp.tasks.blueprint import bp


@bp.route("/tasks/<id:task_id>/delegate", methods=["POST"])
@requires(*CLINICAL)
def delegate(task_id: int):
    colleague = (request.form.get("colleague") or "").strip()
    note = request.form.get("note") or ""
    return _act(task_id, lambda: service().delegate(task_id, colleague, note, current_user.actor),
                f"Asked {colleague} for input: the task comes back to you with their note.")


@bp.route("/tasks/<id:task_id>/resolve", methods=["POST"])
@requires(*CLINICAL)
def resolve(task_id: int):
    note = request.form.get("note") or ""
    return _act(task_id, lambda: service().resolve_delegation(task_id, note, current_user.actor),
                "Handed back with your note.")


@bp.route("/tasks/<id:task_id>/take-back", methods=["POST"])
@requires(*CLINICAL)
def take_back(task_id: int):
    return _act(task_id, lambda: service().take_back(task_id, current_user.actor), "The task is back with you.")


@bp.route("/tasks/<id:task_id>/comments", methods=["POST"])
@requires(*CLINICAL)
def comment(task_id: int):
    body = request.form.get("body") or ""

    def work():
        task = service().task(task_id)
        service().add_comment(task.patient_id, body, current_user.actor, task_id=task_id)

    return _act(task_id, work, "Comment added.")
