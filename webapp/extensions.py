"""The Flask extensions (sign-in, CSRF, rate limits), the engine's service the views call, and background work."""
from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from engine.jobs import Background
from engine.service import CarePathways

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    limiter.init_app(app)
    app.extensions["carepath"] = app.config.get("CAREPATH_SERVICE") or CarePathways.from_settings(
        app.config["CAREPATH_SETTINGS"], app.config["DATABASE_URL"])


def service() -> CarePathways:
    """The engine's service (one per app: its spec cache is shared by all requests)."""
    return current_app.extensions["carepath"]


def background() -> Background:
    """Background work (imports, messages, notifications): Celery workers when CELERY_BROKER_URL is set, else
    threads of this process. Made on first use."""
    jobs = current_app.extensions.get("carepath_jobs")
    if jobs is None:
        jobs = current_app.extensions["carepath_jobs"] = Background.from_settings(
            service(), current_app.config["CAREPATH_SETTINGS"])
    return jobs
