"""The main navigation: each area of the app adds its entry (label, page, who sees it) when its blueprint is
registered, and the header shows the entries the signed-in person's roles allow, in the order added."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask_login import current_user


@dataclass(frozen=True)
class Entry:
    label: str
    endpoint: str  # the page the entry opens
    blueprint: str  # the area it stands for (the entry is marked current on every page of it)
    roles: tuple[str, ...]  # who sees it (admins always do)


def add(app: Flask, label: str, endpoint: str, blueprint: str, roles) -> None:
    app.extensions.setdefault("carepath_nav", []).append(Entry(label, endpoint, blueprint, tuple(roles)))


def init_app(app: Flask) -> None:
    @app.context_processor
    def navigation():
        entries = app.extensions.get("carepath_nav", [])
        if not getattr(current_user, "is_authenticated", False):
            return {"nav_entries": []}
        return {"nav_entries": [e for e in entries if current_user.holds_any(e.roles)]}
