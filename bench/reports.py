"""Reports at scale: server time of each report page (the whole request: sign-in check, scope, queries, audit
event, template) with 100,000 patients, 1,000,000 inbox task rows and 2,000,000 time entries on PostgreSQL,
against the same pages on 1% of the data measured in the same run (the baseline).

`python -m bench.reports [--patients N] [--requests R]`, or as part of `python -m bench` (PostgreSQL only: the
targets are set for it). The shipped pathways are deployed through the service (the heatmap lays its figures on
the real CCM version); the rows are then written by SQL (generate_series): every patient has a CCM instance on
that version (so the version has N instances), one in five also a TCM discharge in the last year, 10 inbox rows
each over the CCM steps (claimed, completed, some overdue), 20 time entries each over the last 12 months (with
their monthly sums), a care manager on the care team, HbA1c readings for some. The summaries background work
keeps (engine.reports.ccm_months) are then built, as the sweep would, and the time that takes is printed too.
Targets: each report p95 <= 200 ms; the heatmap <= 300 ms.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from sqlalchemy import text

from engine.care import accounts
from engine.demo.pathways import BUNDLE_NAME, default_pathways
from engine.service import CarePathways

PASSWORD = "bench password long enough"
MANAGERS = 200  # care managers cm0..cm199, each with N / 200 patients
STEPS = [("Identification", "review_candidate", "Review candidate", "care_manager"),
         ("Engagement", "outreach_attempt", "Outreach attempt", "care_manager"),
         ("Engagement", "record_consent", "Record consent", "care_manager"),
         ("Assessment", "take_medical_history", "Medical history and conditions", "nurse"),
         ("Assessment", "list_medications", "Medication list", "pharmacist"),
         ("Mood screening", "phq9", "PHQ-9 depression screen", "care_manager"),
         ("Planning", "draft_care_plan", "Draft the care plan", "care_manager"),
         ("Implementation", "reconcile_medications", "Reconcile medications", "pharmacist"),
         ("Evaluation", "monthly_review", "Monthly review", "care_manager"),
         ("Evaluation", "monthly_review", "Monthly review", "care_manager")]
CCM, TCM = "Chronic Care Management", "Transitional Care Management"


def _steps_sql() -> str:
    return " UNION ALL ".join(f"SELECT {n} AS k, '{s}' AS stage, '{e}' AS element, '{t}' AS title, '{r}' AS role"
                              for n, (s, e, t, r) in enumerate(STEPS))


FILL = [
    """INSERT INTO patients (id, mrn, given_name, family_name, search_name, birth_date, sex, created_at, updated_at,
       created_by, primary_care_provider)
       SELECT 'P' || lpad(n::text, 7, '0'), 'P' || lpad(n::text, 7, '0'), 'Given' || (n % 977),
              'Family' || (n % 4999), 'family' || (n % 4999) || ' given' || (n % 977),
              date '1940-01-01' + (n % 18000), CASE WHEN n % 2 = 0 THEN 'female' ELSE 'male' END, now(), now(),
              'bench', CASE WHEN n % 50 = 0 THEN NULL ELSE 'Dr. ' || (n % 300) END
       FROM generate_series(1, :n) AS n""",
    """INSERT INTO instances (id, deployment_id, process_id, program, patient_id, status, state, started_by,
       started_at, updated_at, open_tasks, timer_rows, message_rows, lock_version)
       SELECT n, :deployment, 'ccm', :ccm, 'P' || lpad(n::text, 7, '0'), 'running', '{}', 'bench',
              now() - make_interval(days => 30 + n % 700), now(), 1, 0, 0, 1 FROM generate_series(1, :n) AS n
       UNION ALL
       SELECT :n + n, :deployment, 'tcm', :tcm, 'P' || lpad((n * 5)::text, 7, '0'),
              CASE WHEN n % 3 = 0 THEN 'running' ELSE 'completed' END, '{}', 'bench',
              now() - make_interval(days => n % 365), now(), 0, 0, 0, 1 FROM generate_series(1, :n / 5) AS n""",
    """INSERT INTO instance_facts (instance_id, patient_id, process_id, program, deployment_id, started_on, stage,
       risk_tier, consent_on, care_plan_on, phq9_first, phq9_first_on, phq9_latest, phq9_latest_on, updated_at)
       SELECT i.id, i.patient_id, 'ccm', :ccm, :deployment, i.started_at::date, s.stage,
              (ARRAY['low', 'rising', 'high', 'complex'])[1 + i.id % 4],
              CASE WHEN i.id % 40 = 0 THEN NULL ELSE i.started_at::date + 5 END,
              CASE WHEN i.id % 25 = 0 THEN NULL ELSE i.started_at::date + 12 END,
              CASE WHEN i.id % 3 = 0 THEN 5 + i.id % 20 END, i.started_at::date + 20,
              CASE WHEN i.id % 3 = 0 THEN i.id % 22 END, i.started_at::date + 110, now()
       FROM instances i JOIN (""" + _steps_sql() + """) s ON s.k = i.id % 10 WHERE i.process_id = 'ccm'""",
    """INSERT INTO instance_facts (instance_id, patient_id, process_id, program, deployment_id, started_on,
       discharge_on, tcm_complexity, contact_on, contact_outcome, contact_attempts, med_rec_on, visit_on, visit_mdm,
       ended_on, updated_at)
       SELECT i.id, i.patient_id, 'tcm', :tcm, :deployment, i.started_at::date, i.started_at::date,
              CASE WHEN i.id % 2 = 0 THEN 'high' ELSE 'moderate' END, i.started_at::date + 1 + i.id % 4,
              CASE WHEN i.id % 9 = 0 THEN 'not_reached' ELSE 'reached_patient' END, 1 + (i.id % 9 = 0)::int,
              i.started_at::date + 3, i.started_at::date + 4 + i.id % 17,
              CASE WHEN i.id % 3 = 0 THEN 'high' ELSE 'moderate' END,
              CASE WHEN i.status = 'completed' THEN i.started_at::date + 30 END, now()
       FROM instances i WHERE i.process_id = 'tcm'""",
    """INSERT INTO inbox_tasks (instance_id, task_uuid, element_id, title, role, assignee, status, priority, due_at,
       patient_id, program, stage, created_at, claimed_at, completed_at, completed_by, has_drafts)
       SELECT i.id, md5(i.id::text || '-' || k.k), s.element, s.title, s.role,
              CASE WHEN (i.id + k.k) % 20 = 0 THEN NULL ELSE 'cm' || (i.id % 200) END,
              CASE WHEN (i.id + k.k) % 20 = 0 THEN 'open' WHEN (i.id + k.k) % 10 = 1 THEN 'claimed'
                   ELSE 'completed' END, 2, i.started_at + make_interval(days => k.k * 9 + 3),
              i.patient_id, :ccm, s.stage, i.started_at + make_interval(days => k.k * 9),
              CASE WHEN (i.id + k.k) % 20 <> 0
                   THEN i.started_at + make_interval(days => k.k * 9, hours => (i.id * 7 + k.k) % 40) END,
              CASE WHEN (i.id + k.k) % 20 <> 0 AND (i.id + k.k) % 10 <> 1
                   THEN i.started_at + make_interval(days => k.k * 9, hours => (i.id * 7 + k.k) % 40 + 1 + k.k) END,
              CASE WHEN (i.id + k.k) % 20 <> 0 AND (i.id + k.k) % 10 <> 1 THEN 'cm' || (i.id % 200) END, false
       FROM instances i CROSS JOIN generate_series(0, 9) AS k(k) JOIN (""" + _steps_sql() + """) s ON s.k = k.k
       WHERE i.process_id = 'ccm'""",
    """INSERT INTO time_entries (patient_id, instance_id, program, activity, username, minutes, month, recorded_at,
       spent_on)
       SELECT 'P' || lpad(p::text, 7, '0'), p, CASE WHEN k % 10 = 0 AND p % 5 = 0 THEN :tcm ELSE :ccm END,
              'Call with the patient', 'cm' || (p % 200), 3 + (p * 7 + k * 3) % 10,
              to_char(now() - make_interval(days => (k * 18 + p) % 360), 'YYYY-MM'),
              now() - make_interval(days => (k * 18 + p) % 360), (now() - make_interval(days => (k * 18 + p) % 360))::date
       FROM generate_series(1, :n) AS p CROSS JOIN generate_series(0, 19) AS k""",
    """INSERT INTO monthly_minutes (month, patient_id, program, minutes)
       SELECT month, patient_id, program, sum(minutes) FROM time_entries GROUP BY month, patient_id, program""",
    """INSERT INTO care_team_members (patient_id, username, role, lead, reason, started_at, started_by)
       SELECT 'P' || lpad(n::text, 7, '0'), 'cm' || (n % 200), 'care_manager', true, 'bench', now(), 'bench'
       FROM generate_series(1, :n) AS n""",
    """INSERT INTO outcome_measures (instance_id, patient_id, process_id, measure, taken_on, value)
       SELECT n, 'P' || lpad(n::text, 7, '0'), 'ccm', 'hba1c', current_date - (k * 60 + n % 50), 7 + (n % 30) / 10.0
       FROM generate_series(1, :n, 5) AS n CROSS JOIN generate_series(0, 3) AS k""",
]


def fill(db, patients: int) -> int:
    """The rows; returns the pathway version the instances run on."""
    service = CarePathways(db)
    deployment = service.deploy(default_pathways(), name=BUNDLE_NAME).deployment.id
    with db.engine.begin() as conn:
        for statement in FILL:
            conn.execute(text(statement), {"n": patients, "deployment": deployment, "ccm": CCM, "tcm": TCM})
        conn.execute(text("SELECT setval(pg_get_serial_sequence('instances', 'id'), (SELECT max(id) FROM instances))"))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    with db.transaction() as s:
        accounts.create_user(s, "bench_admin", PASSWORD, ["admin"])
        accounts.create_user(s, "cm7", PASSWORD, ["care_manager"])
    return deployment


def summaries(db) -> tuple[float, float]:
    """Seconds to build the summaries reports read ahead (the CCM worklist's 13 months), as background work
    does first, and then to bring them up to date with nothing changed (what it does every 30 seconds)."""
    service = CarePathways(db)
    started = time.perf_counter()
    service.refresh_report_summaries()
    built = time.perf_counter() - started
    started = time.perf_counter()
    service.refresh_report_summaries()
    return built, time.perf_counter() - started


def _client(db, username: str):
    from webapp import create_app

    app = create_app({"CAREPATH_SERVICE": CarePathways(db), "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False,
                      "DATABASE_URL": "unused://", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def pages(deployment: int) -> list[tuple[str, str, str]]:
    """(figure, who, url): each report as an admin (everyone) and the care manager's own views."""
    last_month = time.strftime("%Y-%m", time.gmtime(time.time() - 20 * 86400))
    return [("ccm_worklist", "bench_admin", f"/reports/ccm?month={last_month}"),
            ("ccm_worklist_short_page_3", "bench_admin", f"/reports/ccm?month={last_month}&status=short&page=3"),
            ("tcm_compliance", "bench_admin", "/reports/tcm"),
            ("dashboard", "bench_admin", "/reports/dashboard"),
            ("heatmap", "bench_admin", f"/reports/heatmap?version={deployment}&program=ccm"),
            ("my_short_list", "cm7", "/reports/"),
            ("ccm_worklist_my_patients", "cm7", f"/reports/ccm?month={last_month}"),
            ("dashboard_my_patients", "cm7", "/reports/dashboard")]


def times(db, deployment: int, requests: int) -> dict[str, list[float]]:
    clients = {who: _client(db, who) for who in ("bench_admin", "cm7")}
    found: dict[str, list[float]] = {}
    for name, who, url in pages(deployment):
        client = clients[who]
        assert client.get(url).status_code == 200, url  # warm: caches, templates, the version's parsed specs
        found[name] = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            found[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
    return found


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def report_pages(fresh_database, emit, patients: int = 100_000, requests: int = 20) -> None:
    """One figure per page: p95 at `patients` (10 task rows and 20 time entries each) against 1% of them."""
    measured = {}
    for label, count in (("baseline", max(100, patients // 100)), ("full", patients)):
        with fresh_database("postgresql") as db:
            started = time.perf_counter()
            deployment = fill(db, count)
            filled = time.perf_counter() - started
            built = summaries(db)
            measured[label] = (count, filled, times(db, deployment, requests), built)
    (small, _, base, small_built), (big, filled, full, built) = measured["baseline"], measured["full"]
    for n, name in enumerate(("report_summary_build", "report_summary_refresh")):
        emit(name, built[n], "s", small_built[n], built[n] / small_built[n] if small_built[n] else 0.0,
             "background work: no target", True, backend="postgresql", patients=big, baseline_patients=small)
    for name in full:
        value, baseline = p95(full[name]), p95(base[name])
        limit = 300 if name == "heatmap" else 200
        emit(f"report_{name}", value, "ms p95", baseline, value / baseline if baseline else 0.0,
             f"<= {limit} ms p95", value <= limit, backend="postgresql", patients=big, task_rows=big * 10,
             time_entries=big * 20, baseline_patients=small, requests=requests, fill_seconds=round(filled, 1))


def main(argv=None) -> int:
    from bench.databases import fresh_database, postgres_url

    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args(argv)
    if not postgres_url():
        print("set CAREPATH_BENCH_DATABASE_URL or CAREPATH_TEST_DATABASE_URL (PostgreSQL)", file=sys.stderr)
        return 2

    def emit(bench, value, unit, baseline, ratio, target, ok, **extra):
        print(json.dumps({"bench": bench, "value": round(value, 3), "unit": unit, "baseline": round(baseline, 3),
                          "ratio": round(ratio, 3), "target": target, "ok": bool(ok), **extra}), flush=True)

    report_pages(fresh_database, emit, args.patients, args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
