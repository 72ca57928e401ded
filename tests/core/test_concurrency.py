"""Two completions of the same task at once, from two processes: exactly one wins, the other conflicts."""
from __future__ import annotations

import multiprocessing

from sqlalchemy import func, select

from engine.models import AuditEvent, InboxTask, TaskStatus
from tests.conftest import FIXTURES
from tests.core.concurrency_worker import complete_in_race
from tests.registry import register


def test_two_processes_completing_one_task_exactly_one_wins(pathways, database):
    pathways.deploy(FIXTURES / "bpmn" / "review_loop")
    register(pathways, "p1")
    instance = pathways.start("review_loop", "p1")
    task = pathways.tasks(instance_id=instance.id)[0]
    database.dispose()  # no pooled connection crosses into the children

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    workers = [
        ctx.Process(target=complete_in_race, args=(database.url, task.id, name, barrier, results))
        for name in ("ana", "ben")
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    outcomes = sorted(results.get(timeout=5) for _ in workers)

    kinds = sorted(kind for _, kind, _ in outcomes)
    assert kinds == ["Conflict", "ok"], outcomes
    loser_message = next(msg for _, kind, msg in outcomes if kind == "Conflict")
    assert "nothing was saved" in loser_message or "already" in loser_message

    with database.transaction() as session:
        completions = session.scalar(select(func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.action == "completed"))
        open_rows = session.scalar(select(func.count()).select_from(InboxTask)
                                   .where(InboxTask.status == TaskStatus.OPEN))
    assert completions == 1  # no lost update, no double completion
    assert open_rows == 1  # exactly one next review was opened
