"""The databases benchmarks run on: a fresh SQLite file, or a fresh migrated schema in the PostgreSQL database
named by $CAREPATH_BENCH_DATABASE_URL (else $CAREPATH_TEST_DATABASE_URL), dropped afterwards."""
from __future__ import annotations

import os
import tempfile
import uuid
from contextlib import contextmanager

from sqlalchemy import text

from engine.store.database import Database


def postgres_url() -> str | None:
    return os.environ.get("CAREPATH_BENCH_DATABASE_URL") or os.environ.get("CAREPATH_TEST_DATABASE_URL")


@contextmanager
def pg_schema(base: str, prefix: str = "carepath_bench"):
    """(url, database) of a fresh, migrated schema in the PostgreSQL database `base`; dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = Database(base)
    with admin.engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    db = Database(url)
    try:
        db.upgrade()
        yield url, db
    finally:
        db.dispose()
        with admin.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def settle(db: Database) -> None:
    """Let PostgreSQL write back what earlier work left dirty (CHECKPOINT) before a timed part starts, so a
    figure does not pay for the one measured before it. Needs a superuser or pg_checkpoint; else skipped."""
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("CHECKPOINT"))
    except Exception:  # noqa: BLE001 - a privilege we may lack; the measurement is still valid without it
        pass


@contextmanager
def fresh_database(kind: str):
    """A migrated database of `kind` ("sqlite" or "postgresql"), gone afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{tmp}/bench.db")
            db.upgrade()
            yield db
            db.dispose()
        return
    with pg_schema(postgres_url()) as (_, db):
        yield db
