"""FHIR R4 at /fhir/R4 for the systems around a care team: the patient's record as FHIR resources (read and
search by patient), discharges and results posted as Encounters and Observations, and the CapabilityStatement.
Callers and their rights are the JSON API's (webapp.api.auth): an API client's bearer token and scopes
(fhir:read, fhir:write), or a signed-in person's session and roles."""
from __future__ import annotations

import json

from flask import Flask, current_app, request

from webapp import security
from webapp.extensions import csrf
from webapp.fhir.resources import outcome
from webapp.fhir.views import FHIR_JSON, PREFIX, bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    csrf.exempt(bp)  # bearer tokens need no CSRF token; webapp.api.auth.authenticate checks session requests
    security.SELF_AUTHENTICATED.add(bp.name)
    app.before_request(_unrouted)


def _unrouted():
    """A path under /fhir/R4 that no rule takes (an id no row can have) is an OperationOutcome."""
    failure = request.routing_exception
    if failure is None or not request.path.startswith(PREFIX + "/"):
        return None
    code = getattr(failure, "code", None) or 404
    return current_app.response_class(json.dumps(outcome(code, f"nothing at {request.path}; see {PREFIX}/metadata")),
                                      status=code, mimetype=FHIR_JSON)
