"""Shared fixtures: a migrated database per test (SQLite always, PostgreSQL when configured) and the engine."""
from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from bench.databases import pg_schema
from engine.care import accounts
from engine.care.actors import Actor
from engine.store.database import Database
from engine.time import clock

# sign-ins and new users in tests: argon2id with the lowest costs (the production defaults take ~50 ms each)
accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PG_URL = os.environ.get("CAREPATH_TEST_DATABASE_URL")

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
CLOCK_SHIFT = Path(__file__).resolve().parent / "clock_shift"


def pytest_addoption(parser):
    parser.addoption("--at", metavar="MOMENT", default=None,
                     help="run the tests as if the wall clock said MOMENT (ISO 8601; UTC unless it names a zone), "
                          "in this process and the Python processes it starts (time-machine)")


def pytest_configure(config):
    """`--at`: move the wall clock (datetime, date.today, time.time) to another moment and let it tick on from
    there; the processes the tests start get the same offset (tests/clock_shift/sitecustomize.py)."""
    text = config.getoption("at")
    if not text:
        return
    import time_machine

    moment = datetime.fromisoformat(text)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    offset = (moment - datetime.now(timezone.utc)).total_seconds()
    os.environ["CAREPATH_TEST_CLOCK_OFFSET"] = repr(offset)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(CLOCK_SHIFT), os.environ.get("PYTHONPATH")) if p)
    config._carepath_travel = time_machine.travel(moment, tick=True)
    config._carepath_travel.start()


def pytest_report_header(config):
    text = config.getoption("at")
    return [f"wall clock moved to {text} (--at), in this process and the ones it starts"] if text else []


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file, copied for every test (migrating per test would be slow)."""
    path = tmp_path_factory.mktemp("template") / "carepath.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema_url():
    """A private schema in the test database, migrated once; tables are emptied before each test."""
    if not PG_URL:
        pytest.skip("CAREPATH_TEST_DATABASE_URL is not set")
    with pg_schema(PG_URL, f"carepath_test_{os.getpid()}") as (url, db):
        db.dispose()  # each test opens its own
        yield url


def _all_tables() -> str:
    from engine.models import Base

    return ", ".join(t.name for t in Base.metadata.sorted_tables)


def _fresh_database(backend: str, request, tmp_path) -> Database:
    if backend == "sqlite":
        path = tmp_path / "carepath.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return Database(f"sqlite:///{path}")
    url = request.getfixturevalue("pg_schema_url")
    db = Database(url)
    with db.engine.begin() as conn:
        # the audit trail refuses TRUNCATE (its trigger); the tests' superuser empties it with triggers off
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {_all_tables()} RESTART IDENTITY CASCADE"))
    return db


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path) -> Database:
    db = _fresh_database(request.param, request, tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_database(request, tmp_path) -> Database:
    db = _fresh_database("sqlite", request, tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def frozen_clock():
    with clock.use_clock(clock.FrozenClock()) as c:
        yield c


@pytest.fixture
def pathways(database, frozen_clock):
    from engine.service import CarePathways

    return CarePathways(database)


@pytest.fixture
def nurse() -> Actor:
    return Actor.person("nina", "nurse", "care_manager")


@pytest.fixture
def care_manager() -> Actor:
    return Actor.person("carl", "care_manager")


@pytest.fixture
def social_worker() -> Actor:
    return Actor.person("sam", "social_worker")
