"""The same start, or the same message, sent 20 times at once from 4 processes (5 threads each, through the whole
API: token, service, database) has one effect, and all 20 answers are the first answer."""
from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.models import AuditEvent, Instance
from engine.service import SYSTEM
from tests.api.concurrency_worker import send_together
from tests.api.conftest import EVERY_SCOPE, FIXTURES
from tests.registry import register

pytestmark = pytest.mark.slow
PROCESSES, THREADS = 4, 5
WAITS = Path(__file__).resolve().parents[1] / "cli" / "bundles" / "waits"


def _race(database, token: str, home: Path, request: dict) -> list[tuple]:
    database.dispose()  # no pooled connection crosses into the children (each opens its own)
    ctx = multiprocessing.get_context("fork")  # the children start with the modules loaded: the race is timed, not imports
    barrier, results = ctx.Barrier(PROCESSES * THREADS), ctx.Queue()
    workers = [ctx.Process(target=send_together, args=(database.url, token, str(home), request, barrier, results,
                                                       THREADS)) for _ in range(PROCESSES)]
    for w in workers:
        w.start()
    answers = [results.get(timeout=120) for _ in range(PROCESSES * THREADS)]
    for w in workers:
        w.join(60)
    return answers


def _count(database, query) -> int:
    with database.transaction() as session:
        return session.scalar(query)


def test_the_same_start_twenty_times_at_once_starts_one_instance(service, database, tmp_path):
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    register(service, "P1")
    token = service.add_api_client("racer", list(EVERY_SCOPE), SYSTEM).token
    answers = _race(database, token, tmp_path, {"url": "/api/v1/patients/P1/programs", "json": {"program": "review_loop"},
                                                "headers": {"Idempotency-Key": "same-start"}})
    assert sorted({status for status, _ in answers}) == [201], answers
    assert len({body["instance_id"] for _, body in answers}) == 1
    assert sorted(body["replayed"] for _, body in answers) == [False] + [True] * 19
    assert _count(database, select(func.count()).select_from(Instance)) == 1


def test_the_same_message_twenty_times_at_once_is_delivered_once(service, database, tmp_path):
    service.deploy(WAITS)
    register(service, "P1")
    instance = service.start("waits", "P1")
    service.complete(service.tasks(instance_id=instance.id)[0].id, {}, SYSTEM)
    token = service.add_api_client("racer", list(EVERY_SCOPE), SYSTEM).token
    message = {"name": "lab_result", "keys": {"patient_id": "P1"}, "payload": {"value": 8.1}, "message_id": "lab-1"}
    answers = _race(database, token, tmp_path, {"url": "/api/v1/messages", "json": message})
    assert sorted({status for status, _ in answers}) == [200], answers
    assert {(body["outcome"], tuple(body["delivered"])) for _, body in answers} == {("delivered", (instance.id,))}
    assert _count(database, select(func.count()).select_from(AuditEvent)
                  .where(AuditEvent.action == "message_correlated")) == 1
