"""The schema comes from Alembic migrations, and the audit trail cannot be rewritten."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from engine.models import Base
from engine.store.database import Database


def test_migrations_create_every_table_the_models_declare(database):
    tables = set(inspect(database.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_schema_is_at_the_newest_revision(database):
    from alembic.script import ScriptDirectory

    from engine.store.database import alembic_config

    head = ScriptDirectory.from_config(alembic_config(database)).get_current_head()
    assert database.current_revision() == head


def test_upgrade_is_idempotent(database):
    database.upgrade()
    assert database.current_revision() is not None


def _one_audit_event(database):
    with database.engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_events (at, actor, action) VALUES (CURRENT_TIMESTAMP, 'nina', 'viewed')"))


def test_audit_events_cannot_be_updated(database):
    _one_audit_event(database)
    with pytest.raises(DBAPIError, match="append-only"):
        with database.engine.begin() as conn:
            conn.execute(text("UPDATE audit_events SET actor = 'someone else'"))


def test_audit_events_cannot_be_deleted(database):
    _one_audit_event(database)
    with pytest.raises(DBAPIError, match="append-only"):
        with database.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_events"))


def test_an_audit_event_cannot_be_replaced_by_its_id(database):
    # SQLite's REPLACE deletes the old row without firing DELETE triggers; PostgreSQL's upsert updates it
    _one_audit_event(database)
    statement = ("REPLACE INTO audit_events (id, at, actor, action) VALUES (1, CURRENT_TIMESTAMP, 'x', 'forged')"
                 if database.dialect == "sqlite" else
                 "INSERT INTO audit_events (id, at, actor, action) VALUES (1, CURRENT_TIMESTAMP, 'x', 'forged') "
                 "ON CONFLICT (id) DO UPDATE SET action = 'forged'")
    with pytest.raises(DBAPIError, match="append-only"):
        with database.engine.begin() as conn:
            conn.execute(text(statement))
    with database.engine.begin() as conn:
        assert conn.execute(text("SELECT action FROM audit_events")).scalars().all() == ["viewed"]


@pytest.mark.postgres
def test_the_audit_trail_cannot_be_truncated(database):
    if database.dialect != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite has DELETE, refused above)")
    _one_audit_event(database)
    with pytest.raises(DBAPIError, match="append-only"):
        with database.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_events"))


def test_a_fresh_sqlite_file_migrates_from_nothing(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert db.current_revision() is None
    db.upgrade()
    assert db.current_revision() is not None
    db.dispose()


def test_downgrade_to_nothing_and_back(tmp_path):
    from alembic import command

    from engine.store.database import alembic_config

    db = Database(f"sqlite:///{tmp_path / 'roundtrip.db'}")
    db.upgrade()
    command.downgrade(alembic_config(db), "base")
    assert "instances" not in inspect(db.engine).get_table_names()
    db.upgrade()
    assert "instances" in inspect(db.engine).get_table_names()
    db.dispose()
