"""Timer claims: due rows are claimed with a lease, disjointly, and come back when a claimer dies."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bench.timers import OUTREACH, start_due
from engine.care import timers
from engine.models import AuditEvent, Instance, InstanceStatus, TimerWait

LEASE = timedelta(seconds=60)


@pytest.fixture
def due(pathways, frozen_clock):
    """20 instances whose start timer came due a minute ago."""
    pathways.deploy(OUTREACH)
    ids = start_due(pathways, 20, frozen_clock.now() - timedelta(minutes=1))
    return ids


def claim(pathways, owner, now, limit=500, lease=LEASE):
    with pathways.db.transaction() as session:
        return timers.claim_due(session, owner, now, lease, limit)


def fired_count(pathways) -> int:
    with pathways.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "timer_fired"))


def test_two_claimers_get_disjoint_rows(pathways, due, frozen_clock):
    first = claim(pathways, "a", frozen_clock.now(), limit=12)
    second = claim(pathways, "b", frozen_clock.now())
    assert len(first) == 12 and len(second) == 8
    assert set(first) | set(second) == set(due) and not set(first) & set(second)
    assert claim(pathways, "c", frozen_clock.now()) == []  # nothing left unclaimed


def test_a_claim_comes_back_when_its_lease_runs_out(pathways, due, frozen_clock):
    assert len(claim(pathways, "dead-worker", frozen_clock.now())) == 20
    assert pathways.fire_due_timers(owner="other")[0] == 0  # all held
    frozen_clock.advance(LEASE + timedelta(seconds=1))
    claimed, fired = pathways.fire_due_timers(owner="other")
    assert (claimed, fired) == (20, 20)
    assert fired_count(pathways) == 20


def test_firing_twice_fires_once(pathways, due, frozen_clock):
    """The claim is not what makes a firing happen once: a second firing of the same instance finds nothing."""
    with pathways.db.transaction() as session:
        assert timers.fire_due(session, pathways.runtime, due[0]) == 1
    with pathways.db.transaction() as session:
        assert timers.fire_due(session, pathways.runtime, due[0]) == 0
    assert fired_count(pathways) == 1


def test_claims_on_rows_that_did_not_fire_are_given_up(pathways, due, frozen_clock):
    pathways.suspend(due[0])  # not running: its row stays, and must not stay claimed
    claimed_ids = claim(pathways, "me", frozen_clock.now())
    assert due[0] not in claimed_ids  # only running instances are claimed
    with pathways.db.transaction() as session:
        instance = session.get(Instance, due[1])
        instance.status = InstanceStatus.SUSPENDED  # suspended after the claim
    with pathways.db.transaction() as session:
        assert timers.fire_due(session, pathways.runtime, due[1], owner="me") == 0
        row = session.scalar(select(TimerWait).where(TimerWait.instance_id == due[1]))
        assert row.claimed_by is None and row.lease_until is None


def test_the_sweep_fires_everything_and_leaves_no_claims(pathways, due):
    assert pathways.run_due_timers() == 20
    with pathways.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(TimerWait)) == 0


def test_a_broken_instance_does_not_hold_up_the_others(pathways, due, monkeypatch):
    real = timers.fire_due

    def fire(session, runtime, instance_id, now=None, **kw):
        if instance_id == due[3]:
            raise RuntimeError("boom")
        return real(session, runtime, instance_id, now, **kw)

    monkeypatch.setattr(timers, "fire_due", fire)
    claimed, fired = pathways.fire_due_timers(owner="me")
    assert (claimed, fired) == (20, 19)
    with pathways.db.transaction() as session:  # it keeps its claim until the lease runs out, then is retried
        row = session.scalar(select(TimerWait).where(TimerWait.instance_id == due[3]))
        assert row.claimed_by == "me"


def test_concurrent_claimers_on_postgresql_skip_each_others_rows(pathways, due, frozen_clock):
    if pathways.db.dialect != "postgresql":
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's")
    results: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def claimer(name):
        barrier.wait()
        got = []
        while batch := claim(pathways, name, frozen_clock.now(), limit=2):
            got += batch
        results[name] = got

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    everything = [i for got in results.values() for i in got]
    assert sorted(everything) == sorted(due)  # each row claimed once, none twice
