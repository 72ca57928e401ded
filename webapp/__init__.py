"""The care manager web app: sign-in, task inbox, task forms and patient pages (Flask, server-rendered).

`create_app()` builds the app; `carepath serve` and `carepath demo` run it. Each area is one blueprint. Views
parse the request, call one method of the engine's service (`engine.service`), and render the result or the
error: no view opens a transaction or holds a business rule.
"""
from __future__ import annotations

from flask import Flask, send_from_directory
from werkzeug.middleware.proxy_fix import ProxyFix

import forms
from engine import heap
from engine.service import REPORT_ROLES
from webapp import api, errors, extensions, fhir, formatting, navigation, routing, security
from webapp.account.views import bp as account_bp
from webapp.admin.views import bp as admin_bp  # the admin console (issue 14)
from webapp.audit.views import bp as audit_bp
from webapp.auth.views import bp as auth_bp
from webapp.config import load_config
from webapp.diagrams.views import bp as diagrams_bp
from webapp.inbox.views import bp as inbox_bp
from webapp.patients.views import bp as patients_bp
from webapp.reports.views import bp as reports_bp
from webapp.security import CLINICAL
from webapp.studio.views import bp as studio_bp
from webapp.tasks import actions, views  # noqa: F401 - they register the tasks area's routes
from webapp.tasks.blueprint import bp as tasks_bp
from webapp.team.views import bp as team_bp


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(load_config(overrides))
    if app.config["TRUSTED_PROXIES"]:  # else X-Forwarded-For is anyone's to write, and ignored
        count = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
    extensions.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    routing.init_app(app)  # `<id:...>` in the blueprints' rules
    for blueprint in (auth_bp, inbox_bp, tasks_bp, patients_bp, diagrams_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(studio_bp)
    app.register_blueprint(reports_bp)
    for blueprint in (admin_bp, team_bp, audit_bp, account_bp):  # the admin and supervisor console
        app.register_blueprint(blueprint)
    api.init_app(app)  # the JSON API at /api/v1 (issue 16)
    fhir.init_app(app)  # FHIR R4 at /fhir/R4
    navigation.init_app(app)
    navigation.add(app, "Inbox", "inbox.index", "inbox", CLINICAL)
    navigation.add(app, "Patients", "patients.index", "patients", CLINICAL)
    navigation.add(app, "Reports", "reports.index", "reports", REPORT_ROLES)
    navigation.add(app, "Studio", "studio.index", "studio", ("clinical_lead",))
    navigation.add(app, "Team", "team.index", "team", ("clinical_lead", "nurse_lead"))
    navigation.add(app, "Audit", "audit.index", "audit", ("privacy_officer",))
    navigation.add(app, "Admin", "admin.index", "admin", ("admin",))
    navigation.add(app, "API", "api-meta.docs", "api-meta", ("admin",))
    formatting.init_app(app)
    _serve_form_assets(app)
    heap.settle()  # the first app of a process: its imports and app out of the collector's full passes
    return app


def _serve_form_assets(app: Flask) -> None:
    """forms.js and forms.css of the `forms` package (conditional fields, repeating rows) at /static/forms/."""

    @app.route("/static/forms/<path:filename>", endpoint="form_assets")
    def form_assets(filename: str):
        return send_from_directory(forms.STATIC_DIR, filename, max_age=3600)
