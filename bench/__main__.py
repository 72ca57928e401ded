"""Engine benchmarks: `python -m bench [--quick]` prints one JSON line per figure, each beside a baseline
measured in the same run (raw SpiffWorkflow with its own whole-blob JSON serializer).

Figures: step_throughput (SQLite, and PostgreSQL when CAREPATH_BENCH_DATABASE_URL or
CAREPATH_TEST_DATABASE_URL is set), history_flatness, storage_per_instance; on PostgreSQL inbox_page (web app,
100,000 open tasks); with a broker too, timer_fire_throughput and timer_latency (real Celery workers).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bench.databases import fresh_database, postgres_url
from bench.pathway import STEP_DATA, write_bundle
from bench.patients import register_patients
from bench.raw import RawSpiff
from engine.care.actors import Actor
from engine.models import AuditEvent, InboxTask, Instance, MessageWait, TimerWait
from engine.service import CarePathways

REVIEW_LOOP = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "bpmn" / "review_loop"
ACTOR = Actor.person("bench", "care_manager", "nurse")
RAW_LOOP_LIMIT = 450


def emit(bench: str, value: float, unit: str, baseline: float, ratio: float, target: str, ok: bool, **extra):
    line = {"bench": bench, "value": round(value, 3), "unit": unit, "baseline": round(baseline, 3),
            "ratio": round(ratio, 3), "target": target, "ok": bool(ok)}
    line.update(extra)
    print(json.dumps(line), flush=True)


def backends() -> list[str]:
    return ["sqlite"] + (["postgresql"] if postgres_url() else [])


def walk_instance(svc: CarePathways, instance_id: int, timings: list[float] | None = None) -> None:
    """Complete every human task of one instance in turn, timing each completion."""
    while True:
        open_tasks = svc.tasks(instance_id=instance_id, limit=1)
        if not open_tasks:
            return
        t0 = time.perf_counter()
        svc.complete(open_tasks[0].id, dict(STEP_DATA), ACTOR)
        if timings is not None:
            timings.append(time.perf_counter() - t0)


def step_throughput(kind: str, bundle: Path, instances: int, rounds: int = 3) -> None:
    """Alternate rounds of ours and raw SpiffWorkflow; each side's median round is reported (noise-robust)."""
    ours_rounds, raw_rounds, steps = [], [], 0
    raw = RawSpiff(bundle / "ccm8.bpmn", "ccm8")
    with fresh_database(kind) as db:
        svc = CarePathways(db)
        svc.deploy(bundle)
        register_patients(db, ["warm-up"] + [f"patient-{r}-{i}" for r in range(rounds) for i in range(instances)])
        walk_instance(svc, svc.start("ccm8", "warm-up").id)  # warm caches
        for r in range(rounds):
            started = [svc.start("ccm8", f"patient-{r}-{i}").id for i in range(instances)]
            timings: list[float] = []
            for instance_id in started:
                walk_instance(svc, instance_id, timings)
            ours_rounds.append(len(timings) / sum(timings))
            steps += len(timings)
            raw_timings = raw.walk_instances(instances, STEP_DATA)
            raw_rounds.append(len(raw_timings) / sum(raw_timings))
    ours, baseline = statistics.median(ours_rounds), statistics.median(raw_rounds)
    ratio = ours / baseline
    emit(f"step_throughput_{kind}", ours, "completions/s", baseline, ratio, "ratio >= 0.35",
         ratio >= 0.35, steps=steps, rounds=rounds)


def _timed_step(svc: CarePathways, instance_id: int) -> float:
    task = svc.tasks(instance_id=instance_id, limit=1)[0]
    t0 = time.perf_counter()
    svc.complete(task.id, {"decision": "continue"}, ACTOR)
    return time.perf_counter() - t0


def history_flatness(kind: str, loops: int, sample: int) -> None:
    """A step of an instance after `loops` monthly reviews against a step of one after 1, measured in pairs:
    the two instances' steps alternate, so both meet the same machine load and the same database (a busy
    neighbour process or a WAL checkpoint lands on both, instead of on the late sample only)."""
    with fresh_database(kind) as db:
        svc = CarePathways(db)
        svc.deploy(REVIEW_LOOP)
        register_patients(db, ["patient-loop", "patient-young"])
        old = svc.start("review_loop", "patient-loop").id
        for _ in range(loops):
            _timed_step(svc, old)
        young = svc.start("review_loop", "patient-young").id
        _timed_step(svc, young)
        early_times, late_times = [], []
        for _ in range(sample):
            late_times.append(_timed_step(svc, old))
            early_times.append(_timed_step(svc, young))
        early, late = statistics.median(early_times), statistics.median(late_times)
    ours = late / early
    raw = RawSpiff(REVIEW_LOOP / "review_loop.bpmn", "review_loop")
    # Raw SpiffWorkflow cannot go further: its task iterator stops at depth 1000, so a two-task loop's
    # 500th iteration is never found (the instance silently stalls). Its baseline is measured at 450.
    raw_loops = min(loops, RAW_LOOP_LIMIT)
    raw_early, raw_late = raw.loop_flatness(raw_loops, sample)
    baseline = raw_late / raw_early
    emit(f"history_flatness_{kind}", ours, "x (step after N loops / after 1)", baseline, ours / baseline,
         "<= 1.5", ours <= 1.5, loops=loops, baseline_loops=raw_loops,
         early_ms=round(early * 1000, 3), late_ms=round(late * 1000, 3))


def _row_bytes(row) -> int:
    total = 0
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if value is None:
            total += 1
        elif isinstance(value, (bytes, str)):
            total += len(value.encode() if isinstance(value, str) else value)
        elif isinstance(value, (dict, list)):
            total += len(json.dumps(value, separators=(",", ":")))
        else:
            total += 8
    return total


def storage_per_instance(kind: str, bundle: Path) -> None:
    with fresh_database(kind) as db:
        svc = CarePathways(db)
        svc.deploy(bundle)
        register_patients(db, ["patient-storage"])
        instance_id = svc.start("ccm8", "patient-storage").id
        walk_instance(svc, instance_id)
        with db.transaction() as session:
            rows = [session.get(Instance, instance_id)]
            for model in (InboxTask, TimerWait, MessageWait, AuditEvent):
                rows += session.scalars(select(model).where(model.instance_id == instance_id)).all()
            ours = sum(_row_bytes(r) for r in rows)
            assert rows[0].status == "completed"
    baseline = RawSpiff(bundle / "ccm8.bpmn", "ccm8").completed_blob_bytes(STEP_DATA)
    emit(f"storage_per_instance_{kind}", ours, "bytes", baseline, ours / baseline, "<= 24576", ours <= 24576,
         rows=len(rows))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller runs that end within a minute")
    args = parser.parse_args(argv)
    instances, loops, sample = (10, 200, 15) if args.quick else (30, 500, 25)
    with tempfile.TemporaryDirectory() as tmp:
        bundle = write_bundle(Path(tmp) / "ccm8")
        for kind in backends():
            step_throughput(kind, bundle, instances)
        for kind in backends():
            history_flatness(kind, loops, sample)
        for kind in backends():
            storage_per_instance(kind, bundle)
    from bench.inbox import inbox_page  # the web app's inbox: PostgreSQL only (the target is set for it)

    if "postgresql" in backends():
        inbox_page("postgresql", fresh_database, emit, tasks=20_000 if args.quick else 100_000,
                   requests=70 if args.quick else 210)
    from bench.patient_search import patient_search  # the registry's search: the target is set for PostgreSQL

    if "postgresql" in backends():
        patient_search("postgresql", fresh_database, emit, patients=20_000 if args.quick else 100_000)
    from bench.admin_lists import admin_lists  # the admin console's lists: 1M instances, 10M audit events

    if "postgresql" in backends():
        admin_lists(fresh_database, emit, instances=50_000 if args.quick else 1_000_000,
                    events=500_000 if args.quick else 10_000_000, requests=60 if args.quick else 240)
    from bench import timers  # real Celery workers on PostgreSQL: only when a database and a broker are set

    timers.timer_fire_throughput(emit, args.quick)
    timers.timer_latency(emit, args.quick)
    from bench import studio  # the pathway studio in a real browser (Debian's Chromium)

    studio.editor_open(emit, args.quick)
    studio.lint_after_save(emit, args.quick)
    from bench.api import api_throughput  # the JSON API under gunicorn (2 workers): PostgreSQL only

    api_throughput(emit, args.quick)
    from bench.reports import report_pages  # reports at 100,000 patients: the targets are set for PostgreSQL

    if "postgresql" in backends():
        report_pages(fresh_database, emit, patients=10_000 if args.quick else 100_000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
