"""Who gets an e-mail: a small directory of recipients (user name, address, roles).

The engine asks a `RecipientDirectory`; the default reads a configuration file (CAREPATH_RECIPIENTS_FILE, JSON)
and the web app's user accounts (the `users` table), the file winning for a user listed in both. Another
directory (LDAP, an HR system) only needs the three methods below.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import select


@dataclass(frozen=True)
class Recipient:
    username: str
    email: str
    roles: frozenset[str] = frozenset()
    name: str = ""


class RecipientDirectory(Protocol):
    def user(self, username: str) -> Recipient | None: ...

    def with_role(self, role: str) -> list[Recipient]: ...

    def everyone(self) -> list[Recipient]: ...


class StaticDirectory:
    """Recipients given up front (from configuration, or by a test)."""

    def __init__(self, recipients: Iterable[Recipient] = ()):
        self._by_name = {r.username: r for r in recipients if r.email}

    @classmethod
    def from_config(cls, config: dict | list) -> StaticDirectory:
        """{"users": [{"username": "nina", "email": "nina@example.org", "roles": ["nurse"]}, ...]}"""
        entries = config.get("users", []) if isinstance(config, dict) else config
        recipients = []
        for entry in entries:
            if not isinstance(entry, dict) or not entry.get("username") or not entry.get("email"):
                raise ValueError(f"a recipient needs a username and an email: {entry!r}")
            recipients.append(Recipient(str(entry["username"]), str(entry["email"]),
                                        frozenset(entry.get("roles") or ()), str(entry.get("name") or "")))
        return cls(recipients)

    @classmethod
    def from_env(cls) -> StaticDirectory:
        path = os.environ.get("CAREPATH_RECIPIENTS_FILE")
        if not path:
            return cls()
        return cls.from_config(json.loads(Path(path).read_text(encoding="utf-8")))

    def user(self, username: str) -> Recipient | None:
        return self._by_name.get(username)

    def with_role(self, role: str) -> list[Recipient]:
        return sorted((r for r in self._by_name.values() if role in r.roles), key=lambda r: r.username)

    def everyone(self) -> list[Recipient]:
        return sorted(self._by_name.values(), key=lambda r: r.username)


class AccountsDirectory:
    """The web app's active user accounts that have an e-mail address."""

    def __init__(self, db):
        self.db = db

    def _recipients(self, *conditions) -> list[Recipient]:
        from engine.models import User

        with self.db.transaction() as session:
            users = session.scalars(select(User).where(User.active.is_(True), User.email.is_not(None), *conditions)
                                    .order_by(User.username)).all()
            return [Recipient(u.username, u.email, frozenset(u.roles), u.display_name) for u in users if u.email]

    def user(self, username: str) -> Recipient | None:
        from engine.models import User

        found = self._recipients(User.username == username)
        return found[0] if found else None

    def with_role(self, role: str) -> list[Recipient]:
        from engine.models import User, UserRole

        return self._recipients(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))

    def everyone(self) -> list[Recipient]:
        return self._recipients()


class ChainDirectory:
    """Several directories; for a user name found in more than one, the first one's entry counts."""

    def __init__(self, *directories: RecipientDirectory):
        self.directories = directories

    def user(self, username: str) -> Recipient | None:
        for directory in self.directories:
            found = directory.user(username)
            if found is not None:
                return found
        return None

    def _merge(self, lists: Iterable[list[Recipient]]) -> list[Recipient]:
        seen: dict[str, Recipient] = {}
        for recipients in lists:
            for r in recipients:
                seen.setdefault(r.username, r)
        return sorted(seen.values(), key=lambda r: r.username)

    def with_role(self, role: str) -> list[Recipient]:
        # a user listed in an earlier directory is judged by that entry's roles only
        everyone = {r.username: r for r in self.everyone()}
        return [r for r in self._merge(d.with_role(role) for d in self.directories)
                if role in everyone.get(r.username, r).roles]

    def everyone(self) -> list[Recipient]:
        return self._merge(d.everyone() for d in self.directories)


def default_directory(db) -> RecipientDirectory:
    return ChainDirectory(StaticDirectory.from_env(), AccountsDirectory(db))
