"""The app can run as a PostgreSQL role that owns neither the schema nor the audit trail's triggers: it works a
pathway as usual, and cannot rewrite, empty or unguard the audit trail (`carepath init-db --app-role ROLE`)."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from engine.care.actors import Actor
from engine.errors import InvalidInput
from engine.service import CarePathways, PatientInput
from engine.store.database import Database
from tests.conftest import FIXTURES

pytestmark = pytest.mark.postgres
PG_URL = os.environ.get("CAREPATH_TEST_DATABASE_URL")


@pytest.fixture(scope="module")
def app_url():
    """A fresh schema migrated by its owner, and the URL of a login role granted to run the app on it."""
    if not PG_URL:
        pytest.skip("CAREPATH_TEST_DATABASE_URL is not set")
    from bench.databases import pg_schema

    role = f"carepath_app_{uuid.uuid4().hex[:8]}"
    owner = Database(PG_URL)
    with owner.engine.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        with pg_schema(PG_URL, "carepath_role") as (url, db):
            CarePathways(db).init_db(app_role=role)
            scheme, _, rest = url.partition("://")
            yield f"{scheme}://{role}@{rest.split('@', 1)[1]}"
    finally:
        with owner.engine.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
        owner.dispose()


@pytest.fixture
def as_app(app_url):
    db = Database(app_url)
    yield db
    db.dispose()


def test_the_app_role_works_a_pathway(as_app):
    service = CarePathways(as_app)
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    patient = f"P-{uuid.uuid4().hex[:6]}"
    service.add_patient(PatientInput(mrn=patient, given_name="Ada", family_name="Lovelace", birth_date="1950-12-10",
                                     sex="female"), Actor.person("carl", "care_manager"))
    instance = service.start("review_loop", patient, None, Actor.person("carl", "care_manager"))
    task = service.tasks(instance_id=instance.id)[0]
    service.complete(task.id, {"decision": "discharge"}, Actor.person("carl", "care_manager"))
    assert service.instance(instance.id).instance.status == "completed"


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET actor = 'someone else'",
    "DELETE FROM audit_events",
    "TRUNCATE audit_events",
    "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
    "DROP TRIGGER audit_events_append_only ON audit_events",
], ids=["update", "delete", "truncate", "disable-trigger", "drop-trigger"])
def test_the_app_role_cannot_rewrite_the_audit_trail(as_app, statement):
    with pytest.raises(DBAPIError, match="permission denied|must be owner"):
        with as_app.engine.begin() as conn:
            conn.execute(text(statement))


def test_granting_on_sqlite_is_refused_with_a_reason(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(InvalidInput, match="only PostgreSQL has roles"):
        db.grant_app_role("carepath_app")
    db.dispose()
