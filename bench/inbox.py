"""`inbox_page`: server time for one inbox page of 50 rows (the whole request: sign-in check, queries, tab
counts, template) with 100,000 open tasks, against the same page with 1,000 tasks measured in the same run.

Rows are bulk-inserted (instances, patients, inbox tasks spread over roles, programs, due times, assignees);
the page is requested through Flask's test client as a signed-in care manager, so nothing but the server is
timed. Target: p95 <= 50 ms on PostgreSQL.
"""
from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta

from sqlalchemy import insert, text

from engine.care import accounts
from engine.models import Deployment, InboxTask, Instance, Patient, TaskStatus
from engine.service import CarePathways
from engine.time import clock

ROLES = ["care_manager", "nurse", "social_worker", "pharmacist", "chw", "physician"]
PROGRAMS = ["Chronic Care Management", "Transitional Care Management", "Diabetes management",
            "Heart failure management", "Behavioural health"]
STAGES = ["Engagement", "Assessment", "Planning", "Implementation", "Evaluation"]
TITLES = ["Outreach attempt", "PHQ-9", "Medication list", "Draft the care plan", "Monthly review",
          "Medication reconciliation", "Community referral", "Interactive contact (2 business days)"]
PASSWORD = "bench password long enough"


def fill(db, tasks: int, seed: int = 11) -> None:
    """`tasks` open inbox rows over tasks // 5 patients and instances; every sixth claimed by a named user."""
    rng = random.Random(seed)
    now = clock.now()
    people = tasks // 5 or 1
    with db.engine.begin() as conn:
        deployment_id = conn.execute(insert(Deployment.__table__).values(
            name="bench", version=1, content_hash="0" * 64, deployed_at=now, deployed_by="bench",
            processes=[{"id": "ccm", "name": p, "startable": True} for p in PROGRAMS], total_bytes=0)
            .returning(Deployment.__table__.c.id)).scalar_one()
        conn.execute(insert(Patient.__table__), [dict(
            id=f"P{n:07d}", mrn=f"P{n:07d}", given_name=f"Given{n % 977}", family_name=f"Family{n % 4999}",
            search_name=f"family{n % 4999} given{n % 977}", birth_date=date(1940 + n % 50, 1 + n % 12, 1 + n % 28),
            sex="female" if n % 2 else "male", created_at=now, updated_at=now, created_by="bench")
            for n in range(people)])
        conn.execute(insert(Instance.__table__), [dict(
            id=n + 1, deployment_id=deployment_id, process_id="ccm", program=PROGRAMS[n % len(PROGRAMS)],
            patient_id=f"P{n:07d}", status="running", state="{}", started_by="bench", started_at=now,
            updated_at=now, open_tasks=5, timer_rows=0, message_rows=0, lock_version=1) for n in range(people)])
        batch = []
        for n in range(tasks):
            person = n % people
            claimed = n % 6 == 0
            batch.append(dict(
                instance_id=person + 1, task_uuid=f"00000000-0000-0000-0000-{n:012d}", element_id=f"task_{n % 40}",
                title=TITLES[n % len(TITLES)], documentation=None, role=ROLES[rng.randrange(len(ROLES))],
                assignee=f"user{rng.randrange(200)}" if claimed else None,
                status=TaskStatus.CLAIMED if claimed else TaskStatus.OPEN, priority=rng.choice([1, 2, 2, 2, 3, 4]),
                due_at=now + timedelta(hours=rng.randint(-240, 720)) if rng.random() < 0.9 else None,
                follow_up_at=None, form_schema=None, form_ui_schema=None, patient_id=f"P{person:07d}",
                program=PROGRAMS[person % len(PROGRAMS)], stage=STAGES[n % len(STAGES)], created_at=now,
                claimed_at=now if claimed else None, completed_at=None, completed_by=None))
            if len(batch) == 5000:
                conn.execute(insert(InboxTask.__table__), batch)
                batch = []
        if batch:
            conn.execute(insert(InboxTask.__table__), batch)
    if db.dialect == "postgresql":  # the steady state autovacuum keeps: statistics and visibility map fresh
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    with db.transaction() as s:
        accounts.create_user(s, "bench_cm", PASSWORD, ["care_manager", "nurse"])


def _client(db):
    from webapp import create_app

    app = create_app({"CAREPATH_SERVICE": CarePathways(db), "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False,
                      "DATABASE_URL": "unused://", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    response = client.post("/login", data={"username": "bench_cm", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


PAGES = ["/inbox?tab=role:care_manager", "/inbox?tab=mine", "/inbox?tab=overdue",
         "/inbox?tab=role:nurse&sort=priority&dir=desc", "/inbox?tab=role:care_manager&q=family12",
         "/inbox?tab=role:care_manager&page=3", "/inbox?tab=role:nurse&program=Diabetes+management"]


def page_times(db, requests: int) -> list[float]:
    client = _client(db)
    for url in PAGES:  # warm caches and templates
        assert client.get(url).status_code == 200, url
    times = []
    for n in range(requests):
        url = PAGES[n % len(PAGES)]
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def inbox_page(kind: str, fresh_database, emit, tasks: int, requests: int) -> None:
    with fresh_database(kind) as small:
        fill(small, 1000)
        baseline = p95(page_times(small, requests))
    with fresh_database(kind) as big:
        fill(big, tasks)
        value = p95(page_times(big, requests))
    emit("inbox_page", value, "ms p95", baseline, value / baseline if baseline else 0.0, "<= 50 ms p95",
         value <= 50, backend=kind, tasks=tasks, baseline_tasks=1000, requests=requests)
