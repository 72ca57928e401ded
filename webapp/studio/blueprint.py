"""The studio's blueprint and what its views share: who may use a route, the actor, JSON errors."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user

from engine.service import CarepathError, Forbidden, InvalidInput, roles
from webapp.errors import STATUS_OF
from webapp.extensions import service
from webapp.security import requires

bp = Blueprint("studio", __name__, url_prefix="/studio")

VIEWERS = (roles.CLINICAL_LEAD, roles.ADMIN)  # look at drafts, reviews and history; admins approve

may_view = requires(*VIEWERS)


def may_edit(view):
    """Only a clinical lead edits, tests and publishes (an admin too is refused: admins approve); the engine
    checks it again."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated or roles.CLINICAL_LEAD not in current_user.roles:
            abort(403)
        return view(*args, **kwargs)

    return guarded


def actor():
    return current_user.actor


def json_errors(view):
    """A JSON route answers an engine error as {"error": message} with its status (a refusal is audited)."""

    @wraps(view)
    def guarded(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except CarepathError as exc:
            status = next((code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 400)
            if isinstance(exc, Forbidden):
                service().record_refusal(actor(), f"{request.method} {request.url_rule.rule}", exc.message)
            return jsonify({"error": exc.message, "type": type(exc).__name__}), status

    return guarded


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("the request must be a JSON object")
    return data
