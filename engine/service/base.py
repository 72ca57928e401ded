"""The plumbing every use case shares: the database, the runtime with its spec cache, and one transaction per
call. Concurrent writers to one instance are caught by the instance's version column: the loser gets a
`Conflict` with a clear message and nothing of its work is stored."""
from __future__ import annotations

import logging
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from engine import logs
from engine.config import Settings
from engine.deploy.spec_cache import SpecCache
from engine.errors import Conflict
from engine.runtime.runner import Runtime
from engine.sandbox import SandboxLimits
from engine.store.database import Database
from engine.time import calendar

log = logging.getLogger("engine.service")
SYSTEM_RETRIES = 3


def _is_lock_failure(exc: OperationalError) -> bool:
    """SQLite's busy/locked, PostgreSQL's lock-not-available and deadlock: not a missing table named lock_version."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in ("55P03", "40P01", "40001"):
        return True
    message = str(exc.orig).lower()
    return "database is locked" in message or "database table is locked" in message


class ServiceBase:
    def __init__(self, database: Database | str, *, specs: SpecCache | None = None,
                 limits: SandboxLimits | None = None):
        logs.install()  # no patient data in this process's logs, whoever logs
        self.db = database if isinstance(database, Database) else Database(database)
        self.runtime = Runtime(specs or SpecCache(), limits)

    @classmethod
    def from_settings(cls, settings: Settings, database_url: str | None = None, **kwargs):
        """The service as the settings describe it: their database (or `database_url`), and the installation's
        business-day calendar for every timer and script of this process."""
        calendar.use_holidays(settings.holidays)
        return cls(database_url or settings.database(), **kwargs)

    @contextmanager
    def transaction(self, what: str):
        """One unit of work: committed at the end, or nothing of it kept; a concurrent change is a Conflict."""
        try:
            with self.db.transaction() as session:
                yield session
        except StaleDataError as exc:
            raise Conflict(f"{what}: someone else changed this pathway instance at the same time; "
                           "nothing was saved, reload and try again") from exc
        except IntegrityError as exc:
            raise Conflict(f"{what}: a concurrent change got there first; nothing was saved") from exc
        except OperationalError as exc:
            if _is_lock_failure(exc):
                raise Conflict(f"{what}: the database was busy with a concurrent change; try again") from exc
            raise

    def reading(self):
        """A transaction that only reads."""
        return self.db.transaction()

    def init_db(self, app_role: str | None = None) -> str | None:
        """Create or upgrade the schema (as its owner); with `app_role`, let that PostgreSQL role run the app
        without owning the schema (engine.store.database.Database.grant_app_role). Returns the revision."""
        self.db.upgrade()
        if app_role:
            self.db.grant_app_role(app_role)
        return self.db.current_revision()

    def close(self) -> None:
        self.db.dispose()

    def with_retries(self, what: str, work):
        """Run `work(session)` in a transaction, again after a Conflict (system work: timers, messages)."""
        for attempt in range(1, SYSTEM_RETRIES + 1):
            try:
                with self.transaction(what) as session:
                    return work(session) or 0
            except Conflict:
                if attempt == SYSTEM_RETRIES:
                    raise
                log.info("%s: conflict, retrying (%d)", what, attempt)
        return 0
