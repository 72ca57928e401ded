"""Real Celery worker processes on Redis (and RabbitMQ) against PostgreSQL: every timer fired exactly once, with
two workers, with a worker killed mid-batch, across a broker restart; messages for 100 patients each reaching
their own patient. Needs CAREPATH_TEST_DATABASE_URL and CAREPATH_TEST_BROKER_URL (skipped otherwise)."""
from __future__ import annotations

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from engine.config import JobSettings
from engine.jobs import Background
from engine.models import AuditEvent, BackgroundJob, InboxTask, JobStatus, TimerWait
from tests.registry import register

from .conftest import amqp_reachable, due_timers, wait_until

pytestmark = pytest.mark.slow


def fired_per_instance(db) -> dict[int, int]:
    with db.transaction() as session:
        return dict(session.execute(select(AuditEvent.instance_id, func.count()).where(
            AuditEvent.action == "timer_fired").group_by(AuditEvent.instance_id)).all())


def timers_left(db) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(TimerWait))


def all_fired(db, count: int) -> bool:
    return sum(fired_per_instance(db).values()) >= count and timers_left(db) == 0


def assert_fired_exactly_once(db, instance_ids: list[int]) -> None:
    time.sleep(0.5)  # a duplicate firing in flight would land now
    fired = fired_per_instance(db)
    assert sorted(fired) == sorted(instance_ids)
    assert set(fired.values()) == {1}, {i: n for i, n in fired.items() if n != 1}
    with db.transaction() as session:
        tasks = dict(session.execute(select(InboxTask.instance_id, func.count())
                                     .where(InboxTask.instance_id.in_(instance_ids)).group_by(InboxTask.instance_id)).all())
    assert sorted(tasks) == sorted(instance_ids) and set(tasks.values()) == {1}  # one outreach call each
    assert timers_left(db) == 0


def fired_by_tasks(log: str) -> int:
    """Timers fired by one worker, from its log lines `Task carepath.fire_timers[..] succeeded in ..s: N`."""
    return sum(int(n) for n in re.findall(r"carepath\.fire_timers\[[^\]]+\] succeeded in [\d.]+s: (\d+)", log))


def test_two_workers_fire_a_thousand_due_timers_exactly_once(real_pathways, cluster):
    db = real_pathways.db
    ids = due_timers(real_pathways, 1000)
    cluster.worker("w1")
    cluster.worker("w2")
    cluster.send("carepath.sweep")
    wait_until(lambda: all_fired(db, 1000), 120, what="1,000 timers to fire")
    assert_fired_exactly_once(db, ids)
    by_worker = [fired_by_tasks(cluster.log(name)) for name in ("w1", "w2")]
    assert sum(by_worker) == 1000
    assert all(n > 0 for n in by_worker), by_worker  # both took part, on disjoint claims


def test_a_worker_killed_mid_batch_leaves_nothing_stuck_and_nothing_twice(real_pathways, cluster):
    db = real_pathways.db
    ids = due_timers(real_pathways, 500, prefix="k")
    victim = cluster.worker("victim")
    cluster.worker("survivor")
    cluster.send("carepath.sweep")
    cluster.send("carepath.sweep")

    def victim_holds_claims():
        with db.transaction() as session:
            return session.scalar(select(func.count()).select_from(TimerWait)
                                  .where(TimerWait.claimed_by.like(f"%:{victim.pid}:%")))

    def frozen_holding_claims():
        """Freeze the victim; keep it frozen only if it still holds claims (else it just finished a batch)."""
        if sum(fired_per_instance(db).values()) < 50:
            return False
        cluster.pause("victim")
        time.sleep(0.05)  # a commit already on its way to the server lands now
        if victim_holds_claims():
            return True
        cluster.resume("victim")
        return False

    wait_until(frozen_holding_claims, 60, step=0.01, what="the victim to be mid-batch")
    held = victim_holds_claims()
    cluster.kill("victim")  # kill -9 while frozen: mid-transaction or between two
    assert held > 0 and victim_holds_claims() == held  # what it had claimed stays claimed until its lease runs out
    cluster.beat()  # the periodic sweep finds them again once the lease (3 s) has passed
    wait_until(lambda: all_fired(db, 500), 90, what="every timer to fire")
    assert_fired_exactly_once(db, ids)


def _jobs_done(db, job_ids) -> bool:
    with db.transaction() as session:
        statuses = session.scalars(select(BackgroundJob.status).where(BackgroundJob.id.in_(job_ids))).all()
    return len(statuses) == len(job_ids) and set(statuses) == {JobStatus.DONE}


def _lab_instances(svc, count: int, prefix: str) -> list[int]:
    register(svc, *(f"{prefix}{i}" for i in range(count)))
    return [svc.start("lab_followup", f"{prefix}{i}").id for i in range(count)]


def _background(cluster, svc) -> Background:
    settings = JobSettings(broker_url=cluster.env["CELERY_BROKER_URL"], queue=cluster.queue,
                           redispatch_seconds=float(cluster.env.get("CAREPATH_REDISPATCH_SECONDS", 60)))
    return Background(svc, settings, notifier=None)


def assert_each_got_its_own_message(svc, instance_ids: list[int], prefix: str) -> None:
    for i, instance_id in enumerate(instance_ids):
        assert svc.instance_data(instance_id)["lab"]["sample"] == f"{prefix}{i}"
    with svc.db.transaction() as session:
        delivered = dict(session.execute(select(AuditEvent.instance_id, func.count()).where(
            AuditEvent.action == "message_correlated").group_by(AuditEvent.instance_id)).all())
    assert delivered == {i: 1 for i in instance_ids}


def test_broker_restarted_while_work_is_queued_loses_nothing(real_pathways, cluster, redis_restart):
    svc, db = real_pathways, real_pathways.db
    timer_ids = due_timers(svc, 600, prefix="r")
    lab_ids = _lab_instances(svc, 40, "lab")
    cluster.worker("w1")
    background = _background(cluster, svc)
    cluster.send("carepath.sweep")
    wait_until(lambda: sum(fired_per_instance(db).values()) >= 20, 60, step=0.01, what="the worker to be busy")
    # the only worker drains timers; meanwhile messages arrive and their bells queue in Redis
    job_ids = [background.correlate("lab_result", {"patient_id": f"lab{i}"}, {"hba1c": 8.0, "sample": f"lab{i}"},
                                    message_id=f"restart-{i}") for i in range(40)]
    assert not _jobs_done(db, job_ids) and not all_fired(db, 600)
    redis_restart()  # Redis comes back empty: every queued bell is gone
    cluster.beat()
    wait_until(lambda: all_fired(db, 600) and _jobs_done(db, job_ids), 90, what="all work to finish")
    assert_fired_exactly_once(db, timer_ids)
    assert_each_got_its_own_message(svc, lab_ids, "lab")
    assert "Connection to broker lost" in cluster.log("w1") or "reconnect" in cluster.log("w1").lower()


def test_messages_for_a_hundred_patients_sent_concurrently_reach_only_their_own(real_pathways, cluster):
    svc = real_pathways
    lab_ids = _lab_instances(svc, 100, "pat")
    cluster.worker("w1")
    cluster.worker("w2")
    background = _background(cluster, svc)

    def send(i: int) -> int:
        return background.correlate("lab_result", {"patient_id": f"pat{i}"},
                                    {"hba1c": 6.0 + i / 50, "sample": f"pat{i}"}, message_id=f"lab-{i}")

    with ThreadPoolExecutor(10) as pool:
        job_ids = list(pool.map(send, range(100)))
        again = list(pool.map(send, range(100)))  # every message sent twice: the same job, run once
    assert again == job_ids
    wait_until(lambda: _jobs_done(svc.db, job_ids), 90, what="100 messages to be delivered")
    assert_each_got_its_own_message(svc, lab_ids, "pat")
    for i, job_id in enumerate(job_ids):
        assert background.job(job_id).result["delivered"] == [lab_ids[i]]


AMQP_URL = os.environ.get("CAREPATH_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def test_rabbitmq_workers_fire_timers_and_deliver_messages(real_pathways, pg_database, broker_url, log_dir):
    if not amqp_reachable():
        pytest.skip("RabbitMQ is not running on 127.0.0.1:5672")
    from bench.workers import Cluster

    svc, db = real_pathways, real_pathways.db
    timer_ids = due_timers(svc, 100, prefix="q")
    lab_ids = _lab_instances(svc, 10, "rmq")
    with Cluster(pg_database.url, AMQP_URL, log_dir, timer_lease_seconds=3,
                 redispatch_seconds=2, sweep_seconds=1) as cluster:
        cluster.worker("w1")
        background = _background(cluster, svc)
        job_ids = [background.correlate("lab_result", {"patient_id": f"rmq{i}"}, {"hba1c": 9, "sample": f"rmq{i}"})
                   for i in range(10)]
        cluster.send("carepath.sweep")
        cluster.beat()  # as deployed: the periodic sweep rings again for any work whose bell went missing
        try:
            wait_until(lambda: all_fired(db, 100) and _jobs_done(db, job_ids), 60, what="work on RabbitMQ")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- worker log:\n{cluster.log('w1')[-4000:]}"
                                 f"\n--- beat log:\n{cluster.log('beat')[-2000:]}") from None
    assert_fired_exactly_once(db, timer_ids)
    assert_each_got_its_own_message(svc, lab_ids, "rmq")
