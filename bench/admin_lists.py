"""`admin_instance_list` and `audit_list`: server time for the admin console's list pages (the whole request:
sign-in check, queries, counts, the audit event each read writes, the template) on PostgreSQL, at 1,000,000
instances and 10,000,000 audit events, each beside the same pages over 10,000 instances and 100,000 events
measured in the same run. Target: p95 under 100 ms.

Rows are made by the database itself (INSERT ... SELECT over generate_series, in batches), so a run spends its
time on the measurement, not on a Python loop: instances over five statuses (some stuck: running with nothing to
wake them), two programs, two versions and a patient registry, started over three years; audit events over 200
people, the usual actions (a few refused), a patient on most, an inbox page's list of the patients it showed on
some. The per-status counts (`instance_counts`) are filled once at the end with the statement the migration
uses, the insert trigger off meanwhile: a million trigger upserts of the same few rows in one transaction would
make PostgreSQL walk ever longer chains of row versions (hours); production inserts one instance per
transaction.

`python -m bench.admin_lists [--instances N] [--events N]` runs this alone (smaller scales for a quick look).
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import datetime, timezone
from urllib.parse import quote

from sqlalchemy import text

from engine.care import accounts
from engine.service import CarePathways

TARGET_MS = 100.0
PASSWORD = "bench password long enough"
BATCH = 500_000
EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
SPAN_SECONDS = 3 * 365 * 86400  # what the rows are spread over (ending at EPOCH + SPAN)
ACTIONS = ["viewed", "patient_viewed", "inbox_viewed", "completed", "claimed", "assigned", "started",
           "timer fired", "signed_in", "patients_listed", "refused", "released", "patient_updated", "deployed"]


def _deployments(conn) -> list[int]:
    processes = json.dumps([{"id": "ccm", "name": "Chronic Care Management", "startable": True},
                            {"id": "tcm", "name": "Transitional Care Management", "startable": True}])
    ids = []
    for version in (1, 2):
        ids.append(conn.execute(text(
            "INSERT INTO deployments (name, version, content_hash, deployed_at, deployed_by, processes, total_bytes) "
            "VALUES ('bench', :v, :h, now(), 'bench', CAST(:p AS JSONB), 0) RETURNING id"),
            {"v": version, "h": f"{version}" * 64, "p": processes}).scalar_one())
    return ids


def fill_instances(db, count: int) -> None:
    """`count` instances over count // 2 patients (each patient in both programs): 70% running (1 in 500 of them
    stuck), 20% completed, 4% terminated, 3% in error, 3% suspended; the newest on version 2."""
    patients = max(count // 2, 1)
    with db.engine.begin() as conn:
        old, new = _deployments(conn)
        for start in range(0, patients, BATCH):
            conn.execute(text(
                "INSERT INTO patients (id, mrn, given_name, family_name, search_name, birth_date, sex, created_at, "
                "updated_at, created_by) SELECT 'B' || n, 'B' || n, 'Given' || (n % 977), 'Family' || (n % 4999), "
                "'family' || (n % 4999) || ' given' || (n % 977), DATE '1940-01-01' + CAST(n % 18000 AS integer), "
                "CASE WHEN n % 2 = 0 THEN 'female' ELSE 'male' END, now(), now(), 'bench' "
                "FROM generate_series(CAST(:a AS bigint), CAST(:b AS bigint)) AS n"), {"a": start, "b": min(start + BATCH, patients) - 1})
    with db.engine.begin() as conn:  # counted once at the end (see below), as the count triggers would have
        conn.execute(text("ALTER TABLE instances DISABLE TRIGGER instances_count_insert"))
    for start in range(1, count + 1, BATCH):
        with db.engine.begin() as conn:
            conn.execute(text("""
                INSERT INTO instances (id, deployment_id, process_id, program, patient_id, status, error, state,
                    started_by, started_at, updated_at, ended_at, open_tasks, timer_rows, message_rows, lock_version)
                SELECT n, CASE WHEN n > :cut THEN :new ELSE :old END,
                    CASE WHEN n % 2 = 0 THEN 'ccm' ELSE 'tcm' END,
                    CASE WHEN n % 2 = 0 THEN 'Chronic Care Management' ELSE 'Transitional Care Management' END,
                    'B' || ((n / 2) % :patients), s.status,
                    CASE WHEN s.status = 'error' THEN CAST('{"element": "compute", "message": "bench"}' AS JSONB) END,
                    '{}', 'bench', t.at, t.at, CASE WHEN s.status IN ('completed', 'terminated') THEN t.at END,
                    CASE WHEN s.status = 'running' AND n % 500 <> 7 THEN 1 ELSE 0 END, 0, 0, 1
                FROM generate_series(CAST(:a AS bigint), CAST(:b AS bigint)) AS n
                CROSS JOIN LATERAL (SELECT CASE WHEN n % 100 < 70 THEN 'running' WHEN n % 100 < 90 THEN 'completed'
                    WHEN n % 100 < 94 THEN 'terminated' WHEN n % 100 < 97 THEN 'error' ELSE 'suspended' END
                    AS status) s
                CROSS JOIN LATERAL (SELECT CAST(:epoch AS timestamptz) + make_interval(secs => n * CAST(:step AS double precision)) AS at) t
                """), {"a": start, "b": min(start + BATCH, count + 1) - 1, "cut": count * 9 // 10, "new": new,
                       "old": old, "patients": patients, "epoch": EPOCH, "step": SPAN_SECONDS / count})
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO instance_counts (deployment_id, process_id, status, slot, n) "
                          "SELECT deployment_id, process_id, status, id % 16, COUNT(*) FROM instances "
                          "GROUP BY deployment_id, process_id, status, id % 16"))
        conn.execute(text("ALTER TABLE instances ENABLE TRIGGER instances_count_insert"))


def fill_audit(db, count: int, patients: int) -> None:
    """`count` events, oldest first, over 200 people; 1 in 20 an inbox page naming the ten patients it showed."""
    actions = "ARRAY[" + ", ".join(f"'{a}'" for a in ACTIONS) + "]"
    for start in range(1, count + 1, BATCH):
        with db.engine.begin() as conn:
            conn.execute(text(f"""
                INSERT INTO audit_events (at, actor, action, patient_id, instance_id, details)
                SELECT CAST(:epoch AS timestamptz) + make_interval(secs => n * CAST(:step AS double precision)), 'user' || (n * 7919 % 200),
                    CASE WHEN n % 20 = 3 THEN 'inbox_viewed' WHEN n % 97 = 5 THEN 'refused'
                         ELSE ({actions})[1 + (n * 31 % {len(ACTIONS)})] END,
                    CASE WHEN n % 20 = 3 THEN NULL ELSE 'B' || (n * 104729 % :patients) END,
                    CASE WHEN n % 3 = 0 THEN n % 1000000 + 1 END,
                    CASE WHEN n % 20 = 3 THEN CAST(json_build_object('patients', ARRAY(
                            SELECT 'B' || ((n + k * 7) % :patients) FROM generate_series(0, 9) AS k)) AS JSONB)
                         ELSE CAST('{{"title": "Monthly review"}}' AS JSONB) END
                FROM generate_series(CAST(:a AS bigint), CAST(:b AS bigint)) AS n"""),
                {"a": start, "b": min(start + BATCH, count + 1) - 1, "epoch": EPOCH, "step": SPAN_SECONDS / count,
                 "patients": patients})


def fill(db, instances: int, events: int) -> None:
    fill_instances(db, instances)
    fill_audit(db, events, max(instances // 2, 1))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))  # the steady state autovacuum keeps
    with db.transaction() as s:
        accounts.create_user(s, "bench_admin", PASSWORD, ["admin"])


def _client(db):
    from webapp import create_app

    app = create_app({"CAREPATH_SERVICE": CarePathways(db), "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False,
                      "DATABASE_URL": "unused://", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    response = client.post("/login", data={"username": "bench_admin", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def instance_pages(db, count: int) -> list[str]:
    with db.engine.connect() as conn:
        version = conn.execute(text("SELECT max(id) FROM deployments")).scalar_one()
    middle = count // 2
    return ["/admin/instances", "/admin/instances?status=error", "/admin/instances?status=stuck",
            "/admin/instances?program=tcm&status=running", f"/admin/instances?version={version}",
            f"/admin/instances?patient=B{count // 7}", "/admin/instances?older_than=90",
            "/admin/instances?status=suspended&program=ccm", f"/admin/instances?before={middle}",
            f"/admin/instances?status=completed&before={middle}", f"/admin/instances?after={middle}", "/admin"]


def audit_pages(count: int, patients: int) -> list[str]:
    middle = datetime.fromtimestamp(EPOCH.timestamp() + SPAN_SECONDS / 2, timezone.utc).isoformat()
    return ["/audit/", f"/audit/?patient=B{patients // 3}", "/audit/?user=user17", "/audit/?action=completed",
            "/audit/?outcome=refused", "/audit/?outcome=allowed", "/audit/?from=2025-03-01&to=2025-03-08",
            "/audit/?user=user42&action=viewed", f"/audit/?before={quote(middle)}_{count // 2}",
            "/audit/?user=user5&outcome=refused", f"/audit/patients/B{patients // 5}/viewers",
            f"/audit/?patient=B{patients // 4}&from=2024-01-01&to=2026-12-31"]


def page_times(client, pages: list[str], requests: int) -> dict[str, list[float]]:
    for url in pages:  # warm caches and templates
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times: dict[str, list[float]] = {url: [] for url in pages}
    for n in range(requests):
        url = pages[n % len(pages)]
        started = time.perf_counter()
        response = client.get(url)
        times[url].append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def measure(fresh_database, instances: int, events: int, requests: int) -> tuple[dict, dict]:
    """{"instances": times by page, "audit": times by page} at one scale, in a fresh PostgreSQL schema."""
    with fresh_database("postgresql") as db:
        fill(db, instances, events)
        client = _client(db)
        return (page_times(client, instance_pages(db, instances), requests),
                page_times(client, audit_pages(events, max(instances // 2, 1)), requests))


def admin_lists(fresh_database, emit, instances: int = 1_000_000, events: int = 10_000_000,
                requests: int = 240) -> None:
    base_instances, base_events = 10_000, 100_000
    small = measure(fresh_database, base_instances, base_events, requests)
    started = time.perf_counter()
    big = measure(fresh_database, instances, events, requests)
    fill_seconds = round(time.perf_counter() - started)
    for name, index, size, base_size in (("admin_instance_list", 0, instances, base_instances),
                                         ("audit_list", 1, events, base_events)):
        value = p95([t for times in big[index].values() for t in times])
        baseline = p95([t for times in small[index].values() for t in times])
        worst = max(big[index], key=lambda url: p95(big[index][url]))
        emit(name, value, "ms p95", baseline, value / baseline if baseline else 0.0, f"<= {TARGET_MS:.0f} ms p95",
             value <= TARGET_MS, backend="postgresql", rows=size, baseline_rows=base_size, requests=requests,
             slowest_page=worst, slowest_p95=round(p95(big[index][worst]), 1), seconds_incl_fill=fill_seconds,
             pages={url: round(p95(t), 1) for url, t in big[index].items()})


def main(argv=None) -> int:
    from bench.__main__ import emit
    from bench.databases import fresh_database, postgres_url

    parser = argparse.ArgumentParser(prog="python -m bench.admin_lists", description=__doc__)
    parser.add_argument("--instances", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=240)
    args = parser.parse_args(argv)
    if not postgres_url():
        print("set CAREPATH_BENCH_DATABASE_URL or CAREPATH_TEST_DATABASE_URL (PostgreSQL)")
        return 2
    admin_lists(fresh_database, emit, args.instances, args.events, args.requests)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
