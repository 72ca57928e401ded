"""Every failure becomes a page or a message a person can act on: never a traceback, never a bare 500."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.service import CarepathError, Conflict, Forbidden, InvalidInput, InvalidState, NotFound

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


def error_page(status: int, detail: str | None = None, title: str | None = None):
    default_title, default_detail = MESSAGES.get(status, MESSAGES[500])
    detail = detail or default_detail
    detail = detail[:1].upper() + detail[1:]  # engine messages start in lower case: a page shows a sentence
    if not detail.endswith((".", "!", "?")):
        detail += "."
    return render_template("errors/error.html", status=status, title=title or default_title,
                           detail=detail), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return error_page(400, "The form had expired or did not come from this site, so nothing was saved. "
                               "Go back, reload the page and try again.", "The form could not be accepted")

    @app.errorhandler(CarepathError)
    def engine_error(exc: CarepathError):
        status = next((code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 400)
        return error_page(status, exc.message, MESSAGES.get(status, ("Cannot do this", ""))[0]
                          if status != 409 else "This changed in the meantime")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code in (301, 302, 303, 307, 308):
            return exc
        return error_page(exc.code or 500, None if exc.code in MESSAGES else exc.description)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected failure on %s %s", request.method, request.path)
        return error_page(500)
