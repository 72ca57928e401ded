"""A message sent with a message_id: its record, its receipt and the instance's message waits, as the one
transaction that delivers it leaves them (the record, the effect and the answer commit together).

Fixture: tests/fixtures/bpmn/reading_loop (a device's `reading`, waited for again after each one).
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from pathway_helpers import deploy
from sqlalchemy import select

from engine.models import IdempotencyRecord, JobReceipt, MessageWait
from engine.service import SYSTEM
from engine.store import idempotency
from tests.registry import register

KEY = idempotency.record_key("message", "lab-feed", "lab-1")


@pytest.fixture
def waiting(pathways):
    deploy(pathways, "reading_loop")
    register(pathways, "P1")
    return pathways.start("readings", "P1").id


def send(pathways, message_id: str = "lab-1", value: float = 8.1):
    return pathways.send_message("reading", {"patient_id": "P1"}, {"value": value}, SYSTEM,
                                 message_id=message_id, scope="lab-feed")


def record(database) -> IdempotencyRecord:
    with database.transaction() as s:
        found = s.get(IdempotencyRecord, KEY)
        s.expunge(found)
        return found


def test_a_delivered_message_keeps_its_answer_and_lets_go_of_its_key(pathways, database, waiting):
    send(pathways)
    kept = record(database)
    assert (kept.answer["outcome"], kept.answer["delivered"], kept.lease_until) == ("delivered", [waiting], None)


def test_a_delivered_message_leaves_its_receipt_on_the_instance(pathways, database, waiting):
    send(pathways)
    with database.transaction() as s:
        receipts = s.execute(select(JobReceipt.key, JobReceipt.instance_id)).all()
    assert receipts == [(f"{KEY}@{waiting}", waiting)]


def test_the_loop_waits_at_a_new_message_wait_once_a_reading_is_delivered(pathways, database, waiting):
    with database.transaction() as s:
        before = s.scalars(select(MessageWait.task_uuid).where(MessageWait.instance_id == waiting)).all()
    send(pathways)
    with database.transaction() as s:
        after = s.scalars(select(MessageWait.task_uuid).where(MessageWait.instance_id == waiting)).all()
    assert len(before) == len(after) == 1 and before != after


def test_the_next_reading_reaches_the_wait_the_first_one_left(pathways, waiting):
    send(pathways)
    assert send(pathways, "lab-2", 6.0).answer["delivered"] == [waiting]


def test_the_same_message_id_again_gets_the_first_answer_and_changes_nothing(pathways, database, waiting):
    send(pathways)
    again = send(pathways)
    with database.transaction() as s:
        receipts = s.scalar(select(JobReceipt.key).where(JobReceipt.key.startswith(KEY)))
    assert (again.replayed, again.answer["delivered"], receipts) == (True, [waiting], f"{KEY}@{waiting}")


def test_a_message_id_whose_holder_stopped_is_taken_over_and_answered(pathways, database, waiting, frozen_clock):
    now = frozen_clock.now()
    with database.transaction() as s:  # a first request took the key, then its process died before it answered
        s.add(IdempotencyRecord(key=KEY, operation="message",
                                fingerprint=idempotency.fingerprint({"name": "reading", "keys": {"patient_id": "P1"},
                                                                     "payload": {"value": 8.1}}),
                                answer=None, instance_id=None, created_at=now - timedelta(minutes=10),
                                completed_at=None, lease_until=now - timedelta(minutes=5)))
    answered = send(pathways)
    kept = record(database)
    assert (answered.answer["delivered"], kept.answer["delivered"], kept.lease_until) == ([waiting], [waiting], None)
