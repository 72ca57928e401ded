"""Settings of the web app, from the environment (with the embedded default needing none of them)."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from engine.cli import settings as engine_settings

SECRET_ENV = "CAREPATH_SECRET_KEY"


def _secret_key(folder: Path) -> str:
    """CAREPATH_SECRET_KEY, else a random key kept in the instance folder (so sessions survive restarts)."""
    key = os.environ.get(SECRET_ENV)
    if key:
        return key
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def load_config(overrides: dict | None = None) -> dict:
    overrides = dict(overrides or {})
    folder = engine_settings.instance_folder()
    idle_minutes = int(os.environ.get("CAREPATH_IDLE_MINUTES", "15"))
    config = {
        "DATABASE_URL": engine_settings.database_url(overrides.pop("DATABASE_URL", None)),
        "PATHWAYS_DIR": os.environ.get("CAREPATH_PATHWAYS"),
        # sessions: signed cookie, HttpOnly, SameSite=Lax; Secure unless told otherwise (plain http on loopback)
        "SESSION_COOKIE_NAME": "carepath_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("CAREPATH_SECURE_COOKIES", True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": _flag("CAREPATH_SECURE_COOKIES", True),
        "IDLE_TIMEOUT": timedelta(minutes=idle_minutes),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session (which idles out)
        # failed sign-ins: per client address here, per account in the engine (lockout)
        "SIGN_IN_RATE_LIMIT": os.environ.get("CAREPATH_SIGN_IN_RATE_LIMIT", "10 per minute"),
        "RATELIMIT_STORAGE_URI": os.environ.get("CAREPATH_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,  # CSV imports included
        "INBOX_PAGE_SIZE": 50,
        "START_SCHEDULER": _flag("CAREPATH_SCHEDULER", False),
    }
    config["SECRET_KEY"] = overrides.pop("SECRET_KEY", None) or _secret_key(folder)
    config.update(overrides)
    return config
