"""A delivery locks its instance and then reads every message wait the instance has (engine.care.messages
.locked_with_waits). On PostgreSQL both reads go to the driver in one round trip (engine.store.first_read
.together); they must still behave as two statements, the second seeing what the lock waited for.

Fixture: tests/fixtures/bpmn/reading_loop (a device's `reading`, waited for again after each one).
"""
from __future__ import annotations

import threading
import uuid

import pytest
from pathway_helpers import deploy
from sqlalchemy import bindparam, select
from sqlalchemy import exc as sa_exc

from engine.care import messages
from engine.errors import NotFound
from engine.models import Instance, MessageWait
from engine.store import first_read
from tests.registry import register


@pytest.fixture
def waiting(pathways):
    deploy(pathways, "reading_loop")
    register(pathways, "P1")
    return pathways.start("readings", "P1").id


def _extra_wait(instance_id: int) -> MessageWait:
    return MessageWait(instance_id=instance_id, task_uuid=str(uuid.uuid4()), element_id="ExtraWait",
                       message_name="extra", patient_id="P1", correlation={"patient_id": "P1"})


def test_the_instance_comes_with_every_wait_it_has(database, waiting):
    with database.transaction() as s:
        instance, waits = messages.locked_with_waits(s, waiting)
        assert (instance.id, [w.message_name for w in waits]) == (waiting, ["reading"])


def test_the_rows_are_the_sessions_own_objects_as_a_query_would_load_them(database, waiting):
    with database.transaction() as s:
        instance, waits = messages.locked_with_waits(s, waiting)
        assert s.get(Instance, waiting) is instance and s.get(MessageWait, waits[0].id) is waits[0]
        assert not s.dirty


def test_an_instance_the_session_holds_already_is_the_same_object(database, waiting):
    with database.transaction() as s:
        held = s.get(Instance, waiting)
        instance, _ = messages.locked_with_waits(s, waiting)
        assert instance is held


@pytest.mark.parametrize("instance_id", [987654, 2**40])
def test_an_instance_that_does_not_exist_is_not_found(database, waiting, instance_id):
    with database.transaction() as s, pytest.raises(NotFound, match=f"instance {instance_id} does not exist"):
        messages.locked_with_waits(s, instance_id)


def test_the_waits_are_read_once_the_lock_is_held_so_a_wait_committed_meanwhile_is_seen(database, waiting):
    if database.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time: no lock to wait for")
    holder = database.sessions()
    seen: list = []
    failures: list = []

    def deliver() -> None:
        try:
            with database.transaction() as s:
                seen.extend(w.message_name for w in messages.locked_with_waits(s, waiting)[1])
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    reader = threading.Thread(target=deliver)
    try:
        holder.get(Instance, waiting, with_for_update=True)
        holder.add(_extra_wait(waiting))
        holder.flush()
        reader.start()
        reader.join(0.5)
        assert reader.is_alive(), failures  # it waits for the lock
        holder.commit()
    finally:
        holder.close()
        if reader.is_alive() or reader.ident:
            reader.join(10)
    assert not failures
    assert sorted(seen) == ["extra", "reading"]


def test_a_failed_read_in_one_round_trip_is_reported_as_sqlalchemy_reports_it(database, waiting):
    if database.dialect != "postgresql":
        pytest.skip("one round trip is PostgreSQL's (psycopg's pipeline)")
    table = Instance.__table__
    bad = first_read.WholeRows(select(table).where(table.c.id == bindparam("instance_id")), Instance)
    with database.transaction() as s:
        connection = s.connection()
        with pytest.raises(sa_exc.DataError):
            first_read.together(connection, (bad, {"instance_id": "not a number"}))
        s.rollback()
