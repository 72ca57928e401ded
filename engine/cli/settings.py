"""Where the CLI finds its database and who it acts as (until engine.config exists)."""
from __future__ import annotations

import getpass
import os
from pathlib import Path

from engine.care.actors import Actor

DATABASE_ENV = "DATABASE_URL"
HOME_ENV = "CAREPATH_HOME"
USER_ENV = "CAREPATH_USER"


def instance_folder() -> Path:
    """The embedded default's folder: $CAREPATH_HOME, else ./instance."""
    return Path(os.environ.get(HOME_ENV) or "instance").expanduser().resolve()


def default_database_url() -> str:
    """SQLite under the instance folder (created when missing): no services needed."""
    folder = instance_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'carepath.db'}"


def database_url(option: str | None = None) -> str:
    """--database-url, else $DATABASE_URL, else the embedded default."""
    return option or os.environ.get(DATABASE_ENV) or default_database_url()


def default_user() -> str:
    name = os.environ.get(USER_ENV)
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in the environment (containers)
        return "operator"


def make_actor(name: str | None = None, roles: tuple[str, ...] | list[str] = ()) -> Actor:
    """A person with these roles; without roles, the system operator (may work any task)."""
    name = (name or default_user()).strip() or "operator"
    roles = [r.strip() for r in roles if r and r.strip()]
    if not roles:
        return Actor.system_actor(name)
    return Actor.person(name, *roles)


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given; the engine will complain
        return url
