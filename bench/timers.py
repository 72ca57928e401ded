"""Timer benchmarks with real Celery workers on PostgreSQL (`python -m bench` runs them when a PostgreSQL URL and
a broker are configured):

- timer_fire_throughput: 1,000 timers due at once, fired by 1 worker and then by 2; the 1-worker rate is the
  baseline. Target: all fired within 10 s with 2 workers, and the 2-worker rate at least 1.5 times the 1-worker one.
- timer_latency: timers coming due over a few seconds while beat sweeps every second; from each timer's due time
  to its firing (its audit event). Target: p95 at most twice the sweep interval (the baseline).
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from engine.models import AuditEvent, TimerWait
from engine.service import CarePathways
from engine.store.database import Database
from engine.time import clock

from .databases import pg_schema, postgres_url, settle
from .patients import register_patients
from .workers import Cluster

OUTREACH = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "bpmn" / "scheduled_outreach"


def broker_url() -> str | None:
    return (os.environ.get("CAREPATH_BENCH_BROKER_URL") or os.environ.get("CAREPATH_TEST_BROKER_URL")
            or os.environ.get("CELERY_BROKER_URL"))


def start_due(svc: CarePathways, count: int, due_at: datetime, *, prefix: str = "p", created_at=None) -> list[int]:
    """`count` outreach instances whose start timer is due at `due_at` (made under a clock set before it, so
    the start does not fire them), for patients `prefix`0, `prefix`1... added to the registry first."""
    moment = created_at or (due_at - timedelta(hours=1))
    register_patients(svc.db, [f"{prefix}{i}" for i in range(count)])
    ids = []
    with clock.use_clock(clock.FrozenClock(moment)):
        for i in range(count):
            ids.append(svc.start("scheduled_outreach", f"{prefix}{i}", {"outreach_at": due_at.isoformat()}).id)
    return ids


def start_spread(svc: CarePathways, due_times: list[datetime], prefix: str = "l") -> None:
    with clock.use_clock(clock.FrozenClock(min(due_times) - timedelta(hours=1))):
        for i, due in enumerate(due_times):
            svc.start("scheduled_outreach", f"{prefix}{i}", {"outreach_at": due.isoformat()})


def fired_count(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "timer_fired"))


def waiting_timers(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(TimerWait))


def wait_fired(db: Database, count: int, timeout: float) -> float:
    """Seconds until `count` timers have fired (raises on timeout)."""
    t0 = time.perf_counter()
    while fired_count(db) < count:
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError(f"only {fired_count(db)} of {count} timers fired within {timeout} s")
        time.sleep(0.02)
    return time.perf_counter() - t0


def fire_rate(base: str, broker: str, workers: int, count: int, log_dir: Path) -> float:
    """Timers fired per second by `workers` workers, from the sweep's bell to the last firing."""
    with pg_schema(base, "carepath_timers") as (url, db):
        svc = CarePathways(db)
        svc.deploy(OUTREACH)
        start_due(svc, count, clock.now() - timedelta(minutes=1))
        settle(db)
        with Cluster(url, broker, log_dir, drain_seconds=60) as cluster:
            for i in range(workers):
                cluster.worker(f"w{i}")
            cluster.send("carepath.sweep")
            seconds = wait_fired(db, count, timeout=120)
        assert waiting_timers(db) == 0
        return count / seconds


def timer_fire_throughput(emit, quick: bool = False) -> None:
    """Rounds alternate 1 and 2 workers (each on 1,000 fresh due timers); each side's median round counts, so a
    burst of load from elsewhere on the machine skews one round, not the figure."""
    base, broker = postgres_url(), broker_url()
    if not base or not broker:
        return
    count, rounds = 1000, (1 if quick else 3)
    one, two = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            one.append(fire_rate(base, broker, 1, count, Path(tmp) / f"one-{r}"))
            two.append(fire_rate(base, broker, 2, count, Path(tmp) / f"two-{r}"))
    rate_one, rate_two = statistics.median(one), statistics.median(two)
    seconds_two = count / rate_two
    ratio = rate_two / rate_one
    emit("timer_fire_throughput", rate_two, "timers/s (2 workers)", rate_one, ratio,
         "all within 10 s with 2 workers and ratio >= 1.5", seconds_two <= 10 and ratio >= 1.5,
         timers=count, rounds=rounds, seconds_1_worker=round(count / rate_one, 3),
         seconds_2_workers=round(seconds_two, 3), rounds_1_worker=[round(x, 1) for x in one],
         rounds_2_workers=[round(x, 1) for x in two])


def timer_latency(emit, quick: bool = False) -> None:
    base, broker = postgres_url(), broker_url()
    if not base or not broker:
        return
    sweep = 1.0
    count, spread = (100, 5.0) if quick else (300, 10.0)
    with tempfile.TemporaryDirectory() as tmp, pg_schema(base, "carepath_timers") as (url, db):
        svc = CarePathways(db)
        svc.deploy(OUTREACH)
        register_patients(db, [f"warm{i}" for i in range(10)] + [f"l{i}" for i in range(count)])
        with Cluster(url, broker, Path(tmp), sweep_seconds=sweep) as cluster:
            cluster.worker("w0")
            cluster.worker("w1")
            cluster.beat()
            # the timers come due after they all exist: time a few starts to know how long making them takes
            t0 = time.perf_counter()
            start_spread(svc, [clock.now() + timedelta(days=1)] * 10, prefix="warm")
            per_start = (time.perf_counter() - t0) / 10
            first = clock.now() + timedelta(seconds=2 + 2 * per_start * count)
            due_times = [first + timedelta(seconds=spread * i / count) for i in range(count)]
            start_spread(svc, due_times)
            ready = clock.now()
            wait_fired(db, count, timeout=(first - ready).total_seconds() + spread + 60)
        with db.transaction() as session:
            rows = session.execute(select(AuditEvent.at, AuditEvent.details)
                                   .where(AuditEvent.action == "timer_fired")).all()
    pairs = [(at, datetime.fromisoformat(details["due_at"])) for at, details in rows]
    latencies = sorted((at - due).total_seconds() for at, due in pairs if due >= ready)
    late_made = len(pairs) - len(latencies)  # due before its instance was made (a slow start): not counted
    p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
    emit("timer_latency", p95, "s (p95, due to fired)", sweep, p95 / sweep, "p95 <= 2 x sweep interval",
         p95 <= 2 * sweep, timers=len(latencies), not_counted=late_made, p50=round(statistics.median(latencies), 3),
         max=round(latencies[-1], 3), sweep_seconds=sweep)
