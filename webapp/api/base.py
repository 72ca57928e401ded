"""The API object (flask-smorest: the OpenAPI document generated from the views and their marshmallow schemas)
and the blueprints of the JSON API, each authenticated and answering problems as RFC 9457 documents."""
from __future__ import annotations

import http

from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.utils import prepare_response
from webargs.flaskparser import FlaskParser

from engine.service import MAX_ID
from webapp.api import auth, problems
from webapp.routing import IdConverter

PREFIX = "/api/v1"
TAGS = {}  # blueprint name -> the tag the OpenAPI document shows


class _Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400  # invalid input is a 400, as everywhere in carepath (the CLI's exit 2)


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = _Parser()


class Api(SmorestApi):
    """flask-smorest's Api, with problem+json errors documented, and the app's own error pages left alone (its
    error handlers are the blueprints', see `make`)."""

    ERROR_SCHEMA = problems.ProblemSchema

    def _register_error_handlers(self):
        pass  # flask-smorest would answer every HTTP error of the whole app in JSON

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, problems.PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, problems.PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def make_api(app) -> Api:
    api = Api(app, spec_kwargs={
        "title": "carepath API", "version": "1", "openapi_version": "3.0.3",
        "info": {"description": "Start pathways, send events, work tasks and read instances; every call goes "
                                "through the same rules as the web app and is audited with the client that "
                                "made it. FHIR R4 is at /fhir/R4 (its CapabilityStatement: /fhir/R4/metadata)."},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "An API client's token (carepath clients add)"},
            "session": {"type": "apiKey", "in": "cookie", "name": "carepath_session",
                        "description": "A signed-in person's web session; requests that change something send "
                                       "its CSRF token in X-CSRFToken"}}},
        "security": [{"bearer": []}, {"session": []}],
    })
    api.register_converter(IdConverter, lambda _converter: {"type": "integer", "minimum": 1, "maximum": MAX_ID})
    return api


def make(name: str, tag: str, description: str) -> Blueprint:
    bp = Blueprint(name, __name__, url_prefix=PREFIX, description=description)
    TAGS[name] = tag
    bp.before_request(auth.authenticate)
    bp.teardown_request(auth.leave)
    problems.register(bp)
    return bp
