"""`carepath demo`: users for every role and synthetic patients at different stages of the shipped programs, as
of a chosen date; the same seed and date give the same demo, and every date works."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.cli import cli
from engine.demo.profiles import assign_programs, qualifies
from engine.models import AuditEvent, InboxTask, Instance, InstanceStatus, Patient
from engine.service import Actor, CarePathways
from engine.time import clock
from tests.conftest import REPO

pytestmark = pytest.mark.dates  # `make test` runs these again at other dates

# the day `make test` first failed: a TCM patient reached "Missed face-to-face visit", which the answers missed
DEMO_DATE = "2026-12-07"
DEMO_PATIENTS = 30


def run_demo(home, *args):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAREPATH_HOME", str(home))
        patch.delenv("DATABASE_URL", raising=False)
        return CliRunner().invoke(cli, ["demo", "--no-serve", *map(str, args)], catch_exceptions=False)


def histories(service) -> dict[str, list[tuple[str, datetime]]]:
    """Each patient's audit events, in the order they were written: (action, at)."""
    with service.db.transaction() as s:
        events = s.execute(select(AuditEvent.patient_id, AuditEvent.action, AuditEvent.at)
                           .where(AuditEvent.patient_id.is_not(None)).order_by(AuditEvent.id)).all()
    by_patient: dict[str, list] = {}
    for patient_id, action, at in events:
        by_patient.setdefault(patient_id, []).append((action, at))
    return by_patient


def out_of_order(service) -> dict[str, list]:
    """The patients whose history does not read in time order (or does not start with their registration)."""
    return {patient: history for patient, history in histories(service).items()
            if history[0][0] != "patient_added" or [at for _, at in history] != sorted(at for _, at in history)}


@pytest.fixture(scope="module")
def demo_service(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo")
    result = run_demo(home, "--patients", DEMO_PATIENTS, "--today", DEMO_DATE)
    assert result.exit_code == 0, result.output
    service = CarePathways(f"sqlite:///{home / 'carepath.db'}")
    service.demo_output = result.output
    yield service
    service.db.dispose()


def test_demo_seeds_users_patients_and_programs_without_serving(tmp_path):
    # no --today: the demo is as of now, whatever the machine's date (CI also runs this at other dates)
    result = run_demo(tmp_path, "--patients", 10)
    assert result.exit_code == 0, result.output
    assert "11 users, 10 patients" in result.output and "carepath-demo" in result.output
    assert "left open" not in result.output and "note:" not in result.output


def test_demo_twice_adds_nothing_the_second_time(tmp_path):
    run_demo(tmp_path, "--patients", 4, "--today", DEMO_DATE)
    again = run_demo(tmp_path, "--patients", 4, "--today", DEMO_DATE)
    assert "programs started: none" in again.output


def test_demo_says_the_moment_it_is_as_of(demo_service):
    assert "as of 2026-12-07 15:00 UTC" in demo_service.demo_output


def test_demo_refuses_a_date_that_is_not_one(tmp_path):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAREPATH_HOME", str(tmp_path))
        result = CliRunner().invoke(cli, ["demo", "--no-serve", "--today", "2027-02-30"])
    assert result.exit_code == 2 and "--today" in result.output


def test_demo_care_plans_read_like_real_ones_and_risk_reaches_the_patient_list(demo_service):
    from engine.read import instance_data

    service = demo_service
    with service.db.transaction() as s:
        plans = [instance_data.current_data(s, service.runtime, i).get("care_plan")
                 for i in s.scalars(select(Instance))]
        tiers = set(s.scalars(select(Patient.risk_tier).where(Patient.risk_tier.is_not(None))))
    problems = [p["description"] for plan in plans if isinstance(plan, dict) for p in plan.get("problems", ())]
    assert problems and "demo" not in problems
    assert tiers


def test_demo_history_of_each_patient_reads_in_time_order(demo_service):
    assert len(histories(demo_service)) == DEMO_PATIENTS
    assert out_of_order(demo_service) == {}


def test_demo_history_ends_at_the_demo_moment(demo_service):
    latest = max(at for history in histories(demo_service).values() for _, at in history)
    assert clock_utc(latest) == datetime(2026, 12, 7, 15, 0, tzinfo=timezone.utc)


def clock_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def test_demo_patients_are_45_to_90_on_the_demo_date(demo_service):
    with demo_service.db.transaction() as s:
        births = list(s.scalars(select(Patient.birth_date)))
    day = datetime(2026, 12, 7).date()
    ages = [day.year - b.year - ((day.month, day.day) < (b.month, b.day)) for b in births]
    assert min(ages) >= 45 and max(ages) <= 90


def test_demo_puts_each_patient_in_a_program_their_conditions_qualify_for(demo_service):
    with demo_service.db.transaction() as s:
        rows = s.execute(select(Instance.process_id, Patient.conditions)
                         .join(Patient, Patient.id == Instance.patient_id)).all()
    assert {process for process, _ in rows} >= {"ccm", "diabetes", "heart_failure", "behavioural_health", "tcm"}
    for process, conditions in rows:
        names = [c["name"] for c in conditions]
        assert qualifies(process, names), (process, names)


def test_demo_patients_spread_over_the_risk_tiers(demo_service):
    with demo_service.db.transaction() as s:
        tiers = set(s.scalars(select(Patient.risk_tier).where(Patient.risk_tier.is_not(None))))
    assert len(tiers) >= 3, tiers


def test_demo_answers_every_form_it_reaches_validly(demo_service):
    # a task the demo cannot answer would be counted as "left open for a person to answer"
    assert "left open" not in demo_service.demo_output, demo_service.demo_output
    assert "note:" not in demo_service.demo_output, demo_service.demo_output


def test_demo_reaches_the_missed_visit_follow_up_and_answers_it(demo_service):
    with demo_service.db.transaction() as s:
        done = set(s.scalars(select(InboxTask.element_id).where(InboxTask.completed_at.is_not(None))))
    assert "missed_visit_follow_up" in done or "missed_contact_follow_up" in done


def test_assigning_programs_takes_the_condition_programs_first():
    conditions = [["Hypertension", "COPD"], ["Type 2 diabetes"], ["Heart failure", "COPD"], ["Asthma"]]
    mix = [("ccm", 1), ("diabetes", 1), ("heart_failure", 1), ("tcm", 1)]
    assert assign_programs(conditions, mix) == ["ccm", "diabetes", "heart_failure", "tcm"]


def test_demo_records_care_minutes_where_the_patient_page_reads_them(demo_service):
    # the pathway's own `care_minutes` once held the demo's minutes while the time entries the patient page reads
    # stayed empty ("No time recorded yet" for every patient): read what the page reads
    from engine.models import TimeEntry

    with demo_service.db.transaction() as s:
        patients = list(s.scalars(select(Instance.patient_id).where(Instance.process_id != "tcm")))
        with_minutes = set(s.scalars(select(TimeEntry.patient_id).where(TimeEntry.patient_id.in_(patients))))
    assert len(with_minutes) >= 0.9 * len(patients)
    page = demo_service.patient_page(sorted(with_minutes)[0], Actor.person("carl", "care_manager"))
    assert page.minutes and any(total >= 20 for total in page.minutes.values())


# --- the same seed and date give the same demo ------------------------------------------------------------------

DUMP = """
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
queries = {
    "patients": "SELECT id, given_name, family_name, birth_date, sex, conditions, risk_tier FROM patients ORDER BY id",
    "instances": "SELECT id, patient_id, process_id, status FROM instances ORDER BY id",
    "tasks": "SELECT id, patient_id, element_id, status, assignee, due_at, created_at, claimed_at, completed_at,"
             " completed_by FROM inbox_tasks ORDER BY id",
    "history": "SELECT patient_id, instance_id, actor, action, at, element_id, details FROM audit_events"
               " WHERE patient_id IS NOT NULL ORDER BY id",
}
print(json.dumps({name: db.execute(sql).fetchall() for name, sql in queries.items()}))
"""


def _demo_in_a_process(home, hash_seed: str) -> dict:
    env = {**os.environ, "CAREPATH_HOME": str(home), "PYTHONHASHSEED": hash_seed}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-c", "from engine.cli import main; main()", "demo", "--no-serve", "--patients",
               "8", "--today", "2027-03-01", "--seed", "11"]
    subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True, timeout=300)
    dump = subprocess.run([sys.executable, "-c", DUMP, str(home / "carepath.db")], check=True,
                          capture_output=True, text=True)
    return json.loads(dump.stdout)


@pytest.mark.slow
def test_the_same_seed_and_date_give_the_same_patients_tasks_and_history(tmp_path):
    first = _demo_in_a_process(tmp_path / "one", "1")
    second = _demo_in_a_process(tmp_path / "two", "2")
    assert first["tasks"] and first["history"]
    for part in first:
        assert first[part] == second[part], part


# --- a year of dates ---------------------------------------------------------------------------------------------

YEAR = [
    ("2027-01-01", "New Year's Day, a federal holiday"),
    ("2027-01-31", "a month end on a Sunday"),
    ("2027-02-28", "the end of February"),
    ("2027-03-14", "daylight saving time starts in the US"),
    ("2027-04-30", "a month end on a Friday"),
    ("2027-05-31", "Memorial Day, a holiday and a month end"),
    ("2027-07-05", "Independence Day observed"),
    ("2027-09-06", "Labor Day"),
    ("2027-11-07", "daylight saving time ends in the US"),
    ("2027-11-25", "Thanksgiving"),
    ("2027-12-31", "New Year's Day 2028 observed, a year end"),
    ("2028-02-29", "a leap day"),
]


@pytest.mark.slow
@pytest.mark.parametrize("day", [day for day, _ in YEAR], ids=[f"{d} {why}" for d, why in YEAR])
def test_the_demo_answers_every_form_and_keeps_each_history_in_order_on(day, tmp_path):
    result = run_demo(tmp_path, "--patients", 8, "--today", day)
    assert result.exit_code == 0, result.output
    assert "left open" not in result.output and "note:" not in result.output, result.output
    service = CarePathways(f"sqlite:///{tmp_path / 'carepath.db'}")
    try:
        assert out_of_order(service) == {}
        with service.db.transaction() as s:
            errors = s.scalars(select(Instance.id).where(Instance.status == InstanceStatus.ERROR)).all()
        assert errors == []
    finally:
        service.db.dispose()


def test_a_served_demo_clock_starts_at_the_demo_moment_and_runs_on():
    start = datetime(2027, 3, 1, 15, 0, tzinfo=timezone.utc)
    shifted = clock.OffsetClock.starting_at(start)
    assert abs(shifted.now() - start) < timedelta(seconds=5)
    assert shifted.now() >= start
