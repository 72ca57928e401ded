"""The web app's Flask configuration, made from carepath's settings (engine.config); the embedded default needs
none of them."""
from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from engine.config import Settings


def _secret_key(settings: Settings) -> str:
    """CAREPATH_SECRET_KEY, else a random key kept in the instance folder (so sessions survive restarts)."""
    if settings.web.secret_key:
        return settings.web.secret_key
    folder: Path = settings.home
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(overrides: dict | None = None, settings: Settings | None = None) -> dict:
    overrides = dict(overrides or {})
    settings = settings or Settings.from_env()
    web = settings.web
    secure = web.secure_cookies if web.secure_cookies is not None else True
    config = {
        "CAREPATH_SETTINGS": settings,
        "DATABASE_URL": settings.database(overrides.pop("DATABASE_URL", None)),
        # sessions: signed cookie, HttpOnly, SameSite=Lax; Secure unless told otherwise (plain http on loopback)
        "SESSION_COOKIE_NAME": "carepath_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": secure,
        "IDLE_TIMEOUT": timedelta(minutes=web.idle_minutes),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session (which idles out)
        # failed sign-ins: per client address here, per account in the engine (lockout)
        "SIGN_IN_RATE_LIMIT": web.sign_in_rate_limit,
        "RATELIMIT_STORAGE_URI": web.rate_limit_storage,
        "RATELIMIT_HEADERS_ENABLED": False,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,  # CSV imports included
        "INBOX_PAGE_SIZE": 50,
        # behind N proxies, a client's address (the sign-in rate limit's key) is the one the nearest N forwarded
        "TRUSTED_PROXIES": web.trusted_proxies,
    }
    config["SECRET_KEY"] = overrides.pop("SECRET_KEY", None) or _secret_key(settings)
    config.update(overrides)
    return config
