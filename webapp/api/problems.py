"""Errors of the JSON API as RFC 9457 problem details (`application/problem+json`): a type URI, a title, the
status, a detail worded for the person reading it, and, for a form or a record that was refused field by field,
`errors`: one entry per field, with its JSON Pointer (a body field) or its parameter name (a query parameter or
header). The status codes are the CLI's exit codes in HTTP: invalid input 400 (exit 2), not found 404 (3),
conflict or invalid state 409 (4), forbidden 403 (5); and 401 (no or a bad token), 422 (an idempotency key used
for another request), 429 (over the client's rate limit)."""
from __future__ import annotations

import logging
import re

import marshmallow as ma
from flask import current_app, g, jsonify, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

import forms
from engine.service import (
    CarepathError,
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidState,
    KeyReused,
    NotFound,
    Unauthenticated,
    failure_site,
)
from webapp.errors import request_id
from webapp.extensions import service

PROBLEM_JSON = "application/problem+json"
FIELD_FIRST = re.compile(r"^[A-Za-z_][\w.\[\]-]*:")
BASE = "urn:carepath:problem:"
log = logging.getLogger("webapp.api")

TITLES = {400: "The request is not valid", 401: "Not signed in", 403: "Not allowed", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Too large", 415: "Unsupported media type",
          422: "Idempotency key already used", 429: "Too many requests", 500: "Something went wrong"}
STATUS_OF = ((KeyReused, 422), (Unauthenticated, 401), (NotFound, 404), (Forbidden, 403), (Conflict, 409),
             (InvalidState, 409), (InvalidInput, 400))
TYPES = {401: "unauthenticated", 403: "forbidden", 404: "not-found", 409: "conflict", 422: "idempotency-key-reused",
         429: "rate-limited"}


class FieldErrorSchema(ma.Schema):
    field = ma.fields.String(metadata={"description": "The field, its path joined with dots (medications.0.name)"})
    pointer = ma.fields.String(metadata={"description": "JSON Pointer to the field in the request body"})
    parameter = ma.fields.String(metadata={"description": "The query parameter or header"})
    detail = ma.fields.String(required=True, metadata={"description": "What is wrong with it"})


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(required=True, metadata={"description": "A URI naming the kind of problem"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(metadata={"description": "What went wrong, for a person"})
    instance = ma.fields.String(metadata={"description": "The request path"})
    request_id = ma.fields.String(metadata={"description": "Quote it to support: it is on the server's log lines"})
    errors = ma.fields.List(ma.fields.Nested(FieldErrorSchema), metadata={"description": "Per field"})
    key = ma.fields.String(metadata={"description": "The idempotency key or message id that was reused"})


def problem(status: int, detail: str | None = None, *, kind: str | None = None, title: str | None = None,
            errors: list[dict] | None = None, headers: dict | None = None, **extra):
    body = {"type": BASE + kind if kind else (BASE + TYPES[status] if status in TYPES else "about:blank"),
            "title": title or TITLES.get(status, "Error"), "status": status, "instance": request.path,
            "request_id": request_id()}
    if detail:  # a sentence; one that starts by naming a field ("period.end: ...") keeps the field's name as it is
        body["detail"] = detail if FIELD_FIRST.match(detail) else detail[:1].upper() + detail[1:]
    if errors:
        body["errors"] = errors
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_errors(errors: dict, where: str = "json") -> list[dict]:
    """{path: message} (or webargs' nested {field: [messages]}) as RFC 9457 `errors` entries."""
    found = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, str(key)))
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            entry(path, "; ".join(value))
        elif isinstance(value, list):
            for number, item in enumerate(value):
                walk(item, (*path, str(number)))
        else:
            entry(path, str(value))

    def entry(path, message):
        name = ".".join(path)
        item = {"field": name, "detail": message}
        if where in ("query", "querystring", "headers", "path"):
            item["parameter"] = path[0] if path else ""
        else:
            item["pointer"] = "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path) if path else "#"
        found.append(item)

    for key, message in errors.items():
        if isinstance(message, (dict, list)):
            walk(message, tuple(key.split(".")) if isinstance(key, str) and key else ())
        else:
            entry(tuple(str(key).split(".")) if key not in ("", "(form)") else (), str(message))
    return found


def from_engine(exc: CarepathError):
    status = next((code for kind, code in STATUS_OF if isinstance(exc, kind)), 400)
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else None
    if status == 403:
        _record_refusal(exc.message)
    errors = getattr(exc, "errors", None)
    kind = "form-invalid" if type(exc).__name__ == "FormInvalid" else (
        "record-invalid" if isinstance(errors, dict) else None)
    if kind == "form-invalid":
        errors = _worded(exc) or errors
    listed = field_errors(errors) if isinstance(errors, dict) and errors else None
    problems = getattr(exc, "problems", None)
    if listed is None and problems and type(exc).__name__ == "BundleRefused":
        listed = [{"field": p.file, "detail": str(p)} for p in problems]
    return problem(status, exc.message, kind=kind, errors=listed, headers=headers,
                   key=getattr(exc, "key", None) if status == 422 else None)


def _worded(exc) -> dict | None:
    """A form's refusal worded for a person, as the task's page words it (forms.word: "Choose an answer")."""
    context = getattr(exc, "context", None)
    schema = getattr(context, "schema", None)
    if not isinstance(schema, dict):
        return None
    try:
        form = forms.load_form(schema, getattr(context, "ui_schema", None))
        body = request.get_json(silent=True) or {}
        data = body.get("data") if isinstance(body, dict) and isinstance(body.get("data"), dict) else {}
        return forms.word(form, data, [(p.path, p.keyword, p.value, p.message) for p in exc.problems])
    except Exception:  # noqa: BLE001 - the engine's own words are right too, only plainer
        return None


def _record_refusal(reason: str) -> None:
    caller = getattr(g, "api_caller", None)
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    try:
        service().record_refusal(caller.actor if caller else None, f"{request.method} {rule}", reason)
    except Exception:  # noqa: BLE001 - the refusal is answered even if the audit trail cannot be written now
        log.exception("could not record a refusal of %s %s", request.method, rule)


def from_http(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    errors = []
    if isinstance(messages, dict):
        for where, fields in messages.items():
            errors += field_errors(fields if isinstance(fields, dict) else {"": fields}, where)
    code = exc.code or 500
    if code == 403:
        _record_refusal("the caller's scopes or roles do not allow it")
    detail = data.get("message") or (
        "The request has problems in the fields listed in errors." if errors else exc.description)
    headers = dict(data.get("headers") or {})
    if code == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    return problem(code, detail, errors=errors or None, headers=headers or None)


def register(bp) -> None:
    """Every failure in the blueprint becomes a problem document: never an HTML page, never a traceback."""

    @bp.errorhandler(CarepathError)
    def engine_error(exc: CarepathError):
        return from_engine(exc)

    @bp.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return problem(400, "A request made with a session cookie that changes something needs the session's CSRF "
                            "token in the X-CSRFToken header (API clients use a bearer token instead).",
                       kind="csrf", title="Missing or wrong CSRF token")

    @bp.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return from_http(exc)

    @bp.errorhandler(Exception)
    def unexpected(exc: Exception):
        current_app.logger.error("unexpected failure %s on %s %s, request %s", failure_site(exc), request.method,
                                 request.url_rule.rule if request.url_rule is not None else "(no route)",
                                 request_id())
        return problem(500, "The problem was logged. Nothing was changed; please try again.")
