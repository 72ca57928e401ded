"""The care manager web app: sign-in, task inbox, task forms and patient pages (Flask, server-rendered).

`create_app()` builds the app; `carepath serve` and `carepath demo` run it. Each area is one blueprint.
"""
from __future__ import annotations

from flask import Flask

from webapp.config import load_config


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(load_config(overrides))

    from webapp import errors, extensions, security
    from webapp.auth.views import bp as auth_bp
    from webapp.diagrams.views import bp as diagrams_bp
    from webapp.inbox.views import bp as inbox_bp
    from webapp.patients.views import bp as patients_bp
    from webapp.tasks.views import bp as tasks_bp

    extensions.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    for blueprint in (auth_bp, inbox_bp, tasks_bp, patients_bp, diagrams_bp):
        app.register_blueprint(blueprint)
    from webapp import formatting

    formatting.init_app(app)
    _serve_form_assets(app)
    return app


def _serve_form_assets(app: Flask) -> None:
    """forms.js and forms.css of the `forms` package (conditional fields, repeating rows) at /static/forms/."""
    from flask import send_from_directory

    import forms

    @app.route("/static/forms/<path:filename>", endpoint="form_assets")
    def form_assets(filename: str):
        return send_from_directory(forms.STATIC_DIR, filename, max_age=3600)
