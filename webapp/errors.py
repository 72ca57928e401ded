"""Every failure becomes a page or a message a person can act on: never a traceback, never a bare 500."""
from __future__ import annotations

import logging
import uuid

from flask import Flask, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.service import (
    CarepathError,
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    failure_site,
)
from webapp.extensions import service

REQUESTS = logging.getLogger("webapp.requests")

MESSAGES = {
    400: ("The request was not understood", "Something in the request was missing or malformed."),
    401: ("Please sign in", "You need to sign in to do this."),
    403: ("Not allowed", "Your roles do not allow this page or action. Ask an administrator if you need it."),
    404: ("Not found", "There is nothing here. The link may be old, or the item was removed."),
    405: ("Not allowed", "This page cannot be used that way."),
    413: ("Too large", "The upload is larger than 5 MB."),
    429: ("Too many attempts", "Too many attempts in a short time. Please wait a minute and try again."),
    500: ("Something went wrong", "The problem was logged. Nothing was changed; please try again."),
}

STATUS_OF = {NotFound: 404, Forbidden: 403, Conflict: 409, InvalidState: 409, InvalidInput: 400}


def request_id() -> str:
    """This request's correlation id: on its log lines, its error page and its X-Request-Id header."""
    if "request_id" not in g:
        g.request_id = uuid.uuid4().hex[:12]
    return g.request_id


def error_page(status: int, detail: str | None = None, title: str | None = None):
    default_title, default_detail = MESSAGES.get(status, MESSAGES[500])
    detail = detail or default_detail
    detail = detail[:1].upper() + detail[1:]  # engine messages start in lower case: a page shows a sentence
    if not detail.endswith((".", "!", "?")):
        detail += "."
    return render_template("errors/error.html", status=status, title=title or default_title, detail=detail,
                           reference=request_id() if status >= 500 else None), status


def _who() -> str:
    return str(current_user.user_id) if getattr(current_user, "is_authenticated", False) else "-"


def _record_refusal(reason: str) -> None:
    """Every refused attempt is an audit event: who, which route, why."""
    actor = current_user.actor if getattr(current_user, "is_authenticated", False) else None
    service().record_refusal(actor, f"{request.method} {_route()}", reason)


def _route() -> str:
    """The route's pattern (`/patients/<patient_id>`), not the path: a path can name a patient."""
    return request.url_rule.rule if request.url_rule is not None else "(no route)"


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return error_page(400, "The form had expired or did not come from this site, so nothing was saved. "
                               "Go back, reload the page and try again.", "The form could not be accepted")

    @app.errorhandler(CarepathError)
    def engine_error(exc: CarepathError):
        status = next((code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 400)
        if status == 403:
            _record_refusal(exc.message)
        return error_page(status, exc.message, MESSAGES.get(status, ("Cannot do this", ""))[0]
                          if status != 409 else "This changed in the meantime")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code in (301, 302, 303, 307, 308):
            return exc
        if exc.code == 403:
            _record_refusal("the person's roles do not allow it")
        return error_page(exc.code or 500, None if exc.code in MESSAGES else exc.description)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        # the class and where it was raised, never its message or the request's values (patient data)
        app.logger.error("unexpected failure %s on %s %s, user %s, request %s", failure_site(exc), request.method,
                         _route(), _who(), request_id())
        return error_page(500)

    @app.after_request
    def tag(response):
        response.headers["X-Request-Id"] = request_id()
        # the request log: the route's pattern, never the path or the query (they can name a patient); who it
        # was is looked up only when the line is written (it loads the session's person)
        if REQUESTS.isEnabledFor(logging.INFO):
            REQUESTS.info("%s %s %s, user %s, request %s", request.method, _route(), response.status_code, _who(),
                          request_id())
        return response
