"""The API about itself: who is calling (`/api/v1/me`), the OpenAPI document generated from the code
(`/api/v1/openapi.json`), its reference page (`/api/v1/docs`, Swagger UI from the swagger-ui-dist npm package,
bundled by the set-up command), and a problem document for any other path under /api/v1."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask import redirect as redirect_to
from flask_login import current_user
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from webapp.api import auth, problems, schemas
from webapp.api.base import PREFIX, TAGS, make

me_bp = make("api-me", "Caller", "Who the API sees you as")
meta_bp = Blueprint("api-meta", __name__, url_prefix=PREFIX)
problems.register(meta_bp)


@me_bp.route("/me")
@me_bp.response(200, schemas.MeOut)
def me():
    """Who the API sees you as: the engine's actor, your roles, and (a client) your scopes. Needs no scope."""
    who = auth.caller()
    kind = "session" if who.client_id is None else ("client-for-person" if who.person else "client")
    return {"actor": who.actor.name, "kind": kind, "roles": sorted(who.actor.roles), "client": who.client_name,
            "scopes": sorted(who.scopes) if who.scopes is not None else None}


@meta_bp.before_request
def _authenticate():
    if request.endpoint == "api-meta.docs" and "Authorization" not in request.headers \
            and not getattr(current_user, "is_authenticated", False):
        return redirect_to(url_for("auth.login", next=request.full_path.rstrip("?")))
    return auth.authenticate()


meta_bp.teardown_request(auth.leave)


@meta_bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3 document, generated from the views and their schemas."""
    document = current_app.extensions.get("carepath_openapi")
    if document is None:
        document = _document(current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict())
        current_app.extensions["carepath_openapi"] = document
    return jsonify(document)


def _document(spec: dict) -> dict:
    """The spec with each blueprint's tag named for people (the blueprints' names are the app's own)."""
    for tag in spec.get("tags", []):
        tag["name"] = TAGS.get(tag["name"], tag["name"])
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and "tags" in operation:
                operation["tags"] = [TAGS.get(t, t) for t in operation["tags"]]
    return spec


@meta_bp.route("/docs")
def docs():
    """The API's reference page, for a signed-in person (any role)."""
    return render_template("api/docs.html", spec_url=url_for("api-meta.openapi"))


@meta_bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@meta_bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def elsewhere(rest: str):
    """No operation here: 405 naming the methods the path takes, else 404."""
    allowed = allowed_methods(current_app, PREFIX, "api-meta.elsewhere", request.path)
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise NotFound(f"There is no operation at {request.path}; see {PREFIX}/docs.")


def allowed_methods(app, prefix: str, catch_all: str, path: str) -> list[str]:
    """The methods the routes under `prefix` (but the catch-all) take at `path`."""
    key = f"carepath_routes:{prefix}"
    routes = app.extensions.get(key)
    if routes is None:
        routes = app.extensions[key] = Map(
            [Rule(r.rule, methods=r.methods, endpoint=r.endpoint) for r in app.url_map.iter_rules()
             if r.rule.startswith(prefix) and r.endpoint != catch_all], converters=app.url_map.converters)
    return sorted(m for m in routes.bind("localhost").allowed_methods(path) if m not in ("HEAD", "OPTIONS"))
