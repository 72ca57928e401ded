"""The console's front page: where things stand (instances per status, stuck ones, background work) and the
way to each part; and the old addresses people try (/deployments, /instances, /users)."""
from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user

from engine.service import roles
from webapp.admin.blueprint import bp
from webapp.extensions import service
from webapp.security import requires


def endpoint_exists(name: str) -> bool:
    """Whether another area's page is installed (the API's client admin, say), to link to it."""
    return name in current_app.view_functions


@bp.route("/admin")
@requires(roles.ADMIN)
def index():
    actor = current_user.actor
    counts = service().instance_counts(actor)
    work = service().background_overview(actor)
    flower = current_app.config["CAREPATH_SETTINGS"].jobs.flower_url
    return render_template("admin/index.html", counts=counts, work=work, flower=flower,
                           api_clients=next((e for e in API_CLIENT_PAGES if endpoint_exists(e)), None))


API_CLIENT_PAGES = ("api_admin.index", "api_clients.index", "clients.index", "api.clients")


@bp.route("/deployments")
@requires(roles.ADMIN)
def deployments():
    return redirect(url_for("admin.programs"))


@bp.route("/instances")
@requires(roles.ADMIN)
def instances_alias():
    return redirect(url_for("admin.instances"))


@bp.route("/users")
@requires(roles.ADMIN)
def users_alias():
    return redirect(url_for("admin.users"))
