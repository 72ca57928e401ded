"""The JSON API at /api/v1 for the systems around a care team (flask-smorest and marshmallow: the OpenAPI 3
document at /api/v1/openapi.json is generated from the views and their schemas; its reference page is
/api/v1/docs).

Every operation goes through the engine's service, as the web app's pages do, with the same checks; the caller
is an API client (bearer token, its scopes) or a signed-in person (their session, their roles): see `auth`.
Errors are RFC 9457 problem documents (`problems`); lists page by cursor (`paging`)."""
from __future__ import annotations

from flask import Flask, request

from webapp import security
from webapp.api import console, hooks, meta, patients, programs, tasks
from webapp.api.base import PREFIX, make_api
from webapp.api.problems import problem
from webapp.extensions import csrf, limiter

BLUEPRINTS = (meta.me_bp, patients.bp, programs.bp, tasks.bp, hooks.bp)


def init_app(app: Flask) -> None:
    api = make_api(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(meta.meta_bp)  # after the operations: its catch-all answers what they do not
    for blueprint in (*BLUEPRINTS, meta.meta_bp):
        csrf.exempt(blueprint)  # bearer tokens need no CSRF token; auth.authenticate checks session requests
        security.SELF_AUTHENTICATED.add(blueprint.name)
    # the API and FHIR limit each client themselves (auth: requests a minute per client); the web app's limiter,
    # for the sign-in form, has nothing to count there and would only cost each request its lookups
    limiter.request_filter(lambda: request.blueprint in security.SELF_AUTHENTICATED)
    app.before_request(_unrouted)
    app.register_blueprint(console.bp)  # the clients in the admin console (a page, with CSRF as every page)


def _unrouted():
    """A path under /api/v1 that no rule takes (an id no row can have: routing refuses it before any blueprint
    sees it) is a problem document too, not the web app's HTML page."""
    failure = request.routing_exception
    if failure is None or not request.path.startswith(PREFIX + "/"):
        return None
    code = getattr(failure, "code", None) or 404
    return problem(code, f"There is no operation at {request.path}; see {PREFIX}/docs." if code == 404 else None)
