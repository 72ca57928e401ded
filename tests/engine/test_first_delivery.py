"""A message sent with a message_id is first tried in the transaction that claims its id (engine.service
.integration `_deliver_in`). On PostgreSQL that transaction opens with one round trip: its BEGIN, the claim's
INSERT, the lock of the patient's instances waiting for the message and the read of their waits
(engine.store.idempotency.claim's `along`, engine.care.messages.waiting_reads); the instance the message
reaches is then picked from those rows (`sole_waiting`). Elsewhere the same steps go one statement at a time.

Fixture: tests/fixtures/bpmn/reading_loop (a device's `reading`, waited for again after each one).
"""
from __future__ import annotations

import shutil
import threading
import uuid
from datetime import timedelta

import pytest
from pathway_helpers import deploy
from sqlalchemy import bindparam, event, select, text

from engine.care import messages
from engine.models import IdempotencyRecord, Instance, MessageWait
from engine.service import SYSTEM
from engine.store import first_read, idempotency
from tests.conftest import FIXTURES
from tests.registry import register

LEASE = timedelta(minutes=2)


@pytest.fixture
def waiting(pathways):
    deploy(pathways, "reading_loop")
    register(pathways, "P1")
    return pathways.start("readings", "P1").id


@pytest.fixture
def second_waiting(pathways, waiting, tmp_path):
    """A second pathway of P1's waiting for `reading` too (the same model under another process id)."""
    bundle = tmp_path / "readings_b"
    shutil.copytree(FIXTURES / "bpmn" / "reading_loop", bundle)
    model = bundle / "readings.bpmn"
    model.write_text(model.read_text().replace('id="readings"', 'id="readings_b"'))
    pathways.deploy(bundle)
    return pathways.start("readings_b", "P1").id


def _postgresql_only(database) -> None:
    if database.dialect != "postgresql":
        pytest.skip("the claim's round trip is PostgreSQL's (psycopg's pipeline); elsewhere the reads are not made")


def _claim(session, key: str = "message:feed:m-1", keys: dict | None = None):
    return idempotency.claim(session, key, "message", "print", LEASE, what="message_id", shown_key="m-1",
                             along=messages.waiting_reads("reading", keys or {"patient_id": "P1"}))


def _extra_wait(instance_id: int, **correlation) -> MessageWait:
    return MessageWait(instance_id=instance_id, task_uuid=str(uuid.uuid4()), element_id="ExtraWait",
                       message_name="extra", patient_id="P1", correlation={"patient_id": "P1", **correlation})


def test_a_new_key_is_claimed_with_the_reads_that_go_along(database, waiting):
    _postgresql_only(database)
    with database.transaction() as s:
        claim = _claim(s)
        instances, waits = claim.along
        assert (claim.new, [values["id"] for (values,) in instances]) == (True, [waiting])
        assert [values["message_name"] for (values,) in waits] == ["reading"]


def test_without_the_driver_the_reads_are_left_to_the_caller(database, waiting):
    if database.dialect == "postgresql":
        pytest.skip("on PostgreSQL the reads go with the claim")
    with database.transaction() as s:
        claim = _claim(s)
        assert (claim.new, claim.along) == (True, None)


def test_a_message_without_a_patient_key_reads_nothing_along(database):
    assert messages.waiting_reads("reading", {"device": "hub-7"}) == ()


def test_the_claim_and_its_reads_go_without_a_statement_of_the_orm_inside_the_transaction(database, waiting):
    _postgresql_only(database)
    from psycopg.pq import TransactionStatus

    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        with database.transaction() as s:
            _claim(s)
            raw = s.connection().connection.driver_connection
            assert (statements, raw.pgconn.transaction_status) == ([], TransactionStatus.INTRANS)
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)


def test_a_claim_whose_transaction_fails_keeps_nothing(database, waiting):
    with pytest.raises(RuntimeError):
        with database.transaction() as s:
            assert _claim(s).new
            raise RuntimeError("fails before the commit")
    with database.transaction() as s:
        assert s.get(IdempotencyRecord, "message:feed:m-1") is None


def test_the_next_transaction_on_the_connection_is_the_drivers_own_again(database, waiting):
    with database.transaction() as s:
        _claim(s)
    with pytest.raises(RuntimeError):
        with database.transaction() as s:
            if database.dialect == "postgresql":
                assert s.connection().connection.driver_connection.autocommit is False
            s.add(_extra_wait(waiting))
            s.flush()
            raise RuntimeError("rolls back all of it")
    with database.transaction() as s:
        assert s.scalars(select(MessageWait.message_name).where(MessageWait.instance_id == waiting)).all() \
            == ["reading"]


def test_a_claimed_record_holds_what_the_orm_would_have_written(database, waiting, frozen_clock):
    with database.transaction() as s:
        _claim(s)
    with database.transaction() as s:
        record = s.get(IdempotencyRecord, "message:feed:m-1")
        stored_answer = s.execute(text("SELECT answer IS NULL FROM idempotency_records")).scalar_one()
        now = frozen_clock.now()
        assert (record.created_at, record.lease_until, record.answer, stored_answer) == (now, now + LEASE, None,
                                                                                          False)


def test_the_same_key_claimed_again_still_reads_along_and_finds_it_taken(database, waiting):
    with database.transaction() as s:
        _claim(s)
    with database.transaction() as s:
        claim = _claim(s)
        assert (claim.held, claim.new) == (False, False)


def test_the_one_instance_reached_comes_locked_with_every_wait_it_has(database, waiting):
    _postgresql_only(database)
    with database.transaction() as s:
        s.add(_extra_wait(waiting))
    with database.transaction() as s:
        instance, waits = messages.sole_waiting(s, _claim(s).along, "reading", {"patient_id": "P1"})
        assert (instance.id, sorted(w.message_name for w in waits)) == (waiting, ["extra", "reading"])
        assert s.get(Instance, waiting) is instance and not s.dirty


def test_an_instance_whose_wait_has_other_keys_is_not_reached(database, waiting):
    _postgresql_only(database)
    keys = {"patient_id": "P1", "device": "hub-7"}
    with database.transaction() as s:
        assert messages.sole_waiting(s, _claim(s, keys=keys).along, "reading", keys) is None


def test_two_instances_reached_are_left_to_the_usual_delivery(database, waiting, second_waiting):
    _postgresql_only(database)
    with database.transaction() as s:
        assert messages.sole_waiting(s, _claim(s).along, "reading", {"patient_id": "P1"}) is None


def test_a_message_id_for_two_waiting_pathways_of_the_patient_reaches_both(pathways, waiting, second_waiting):
    answered = pathways.send_message("reading", {"patient_id": "P1"}, {"value": 7.0}, SYSTEM, message_id="lab-9",
                                     scope="lab-feed")
    assert (answered.answer["outcome"], answered.answer["delivered"]) == ("delivered", [waiting, second_waiting])


def test_the_waits_are_read_once_the_lock_is_held_so_a_wait_committed_meanwhile_is_seen(database, waiting):
    _postgresql_only(database)
    holder = database.sessions()
    seen: list = []
    failures: list = []

    def claim_and_read() -> None:
        try:
            with database.transaction() as s:
                found = messages.sole_waiting(s, _claim(s).along, "reading", {"patient_id": "P1"})
                seen.extend(w.message_name for w in found[1])
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    reader = threading.Thread(target=claim_and_read)
    try:
        holder.get(Instance, waiting, with_for_update=True)
        holder.add(_extra_wait(waiting))
        holder.flush()
        reader.start()
        reader.join(0.5)  # it waits for the lock the holder has
        assert reader.is_alive()
        holder.commit()
    finally:
        holder.close()
        reader.join(10)
    assert not failures
    assert sorted(seen) == ["extra", "reading"]


def test_a_driver_statement_passes_its_parameters_through_their_types(database, frozen_clock):
    _postgresql_only(database)
    table = IdempotencyRecord.__table__
    returned = first_read.Rows(select(table.c.key, table.c.answer, table.c.created_at)
                               .where(table.c.created_at <= bindparam("until")))
    with database.transaction() as s:
        s.add(IdempotencyRecord(key="k", operation="message", fingerprint="f", answer={"outcome": "delivered"},
                                created_at=frozen_clock.now()))
        s.flush()
        (row,) = returned.all(s.connection(), {"until": frozen_clock.now()})
        assert (row.key, row.answer, row.created_at) == ("k", {"outcome": "delivered"}, frozen_clock.now())

