"""Database access: one SQLAlchemy engine per URL, sessions as transactions, migrations by Alembic."""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.errors import InvalidInput, NotFound
from engine.store import step_writes

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
ROLE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    kwargs: dict = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
    else:
        # No pre-ping: it costs a round trip per transaction. A connection broken by a server restart fails
        # its transaction once (a clear error, nothing half-written) and the pool replaces it.
        kwargs["pool_recycle"] = 1800
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    step_writes.install(engine)
    return engine


class Database:
    """A database URL with its engine and session factory."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, future=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self):
        """A session whose work is committed at the end of the block, or rolled back on any error."""
        session: Session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to `revision` with the Alembic migrations shipped in engine/migrations."""
        from alembic import command

        command.upgrade(alembic_config(self), revision)

    def grant_app_role(self, role: str) -> None:
        """Let the PostgreSQL role `role` run the app on this schema without owning it: read and write every
        table, but only add to the audit trail (no UPDATE, DELETE or TRUNCATE there), and change no schema. Its
        triggers then hold even against the app's own login: only the owner could drop or disable them. Run
        it as the owner after each `init-db`, so that new tables are granted too."""
        if self.dialect != "postgresql":
            raise InvalidInput("only PostgreSQL has roles to grant; SQLite is one file the app owns")
        if not ROLE.match(role or ""):
            raise InvalidInput(f"'{role}' is not a role name (letters, digits and _, starting with a letter)")
        with self.engine.begin() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
                raise NotFound(f"PostgreSQL has no role '{role}'; create it first (CREATE ROLE {role} LOGIN ...)")
            for statement in (
                f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
                f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
                f'REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM "{role}"',
                f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM "{role}"',
            ):
                conn.execute(text(statement))

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(database: Database):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = database.engine
    return config
