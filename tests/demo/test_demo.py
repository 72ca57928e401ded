"""`carepath demo`: users for every role and synthetic patients at different stages of the shipped programs."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from webapp.cli import cli
from webapp.demo_profiles import assign_programs, qualifies


def test_demo_seeds_users_patients_and_programs_without_serving(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREPATH_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--patients", "10"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "10 users, 10 patients" in result.output and "carepath-demo" in result.output


def test_demo_twice_adds_nothing_the_second_time(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREPATH_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    CliRunner().invoke(cli, ["demo", "--no-serve", "--patients", "4"], catch_exceptions=False)
    again = CliRunner().invoke(cli, ["demo", "--no-serve", "--patients", "4"], catch_exceptions=False)
    assert "programs started: none" in again.output


DEMO_PATIENTS = 30


@pytest.fixture(scope="module")
def demo_service(tmp_path_factory):
    from engine.service import CarePathways

    home = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAREPATH_HOME", str(home))
        patch.delenv("DATABASE_URL", raising=False)
        result = CliRunner().invoke(cli, ["demo", "--no-serve", "--patients", str(DEMO_PATIENTS)],
                                    catch_exceptions=False)
    assert result.exit_code == 0, result.output
    service = CarePathways(f"sqlite:///{home / 'carepath.db'}")
    service.demo_output = result.output
    yield service
    service.db.dispose()


def test_demo_care_plans_read_like_real_ones_and_risk_reaches_the_patient_list(demo_service):
    from sqlalchemy import select

    from engine import instance_data
    from engine.models import Instance, Patient

    service = demo_service
    with service.db.transaction() as s:
        plans = [instance_data.current_data(s, service.runtime, i).get("care_plan")
                 for i in s.scalars(select(Instance))]
        tiers = set(s.scalars(select(Patient.risk_tier).where(Patient.risk_tier.is_not(None))))
    problems = [p["description"] for plan in plans if isinstance(plan, dict) for p in plan.get("problems", ())]
    assert problems and "demo" not in problems
    assert tiers


def test_demo_history_of_each_patient_reads_in_time_order(demo_service):
    from sqlalchemy import select

    from engine.models import AuditEvent

    with demo_service.db.transaction() as s:
        events = s.execute(select(AuditEvent.patient_id, AuditEvent.action, AuditEvent.at)
                           .where(AuditEvent.patient_id.is_not(None)).order_by(AuditEvent.id)).all()
    by_patient: dict[str, list] = {}
    for patient_id, action, at in events:
        by_patient.setdefault(patient_id, []).append((action, at))
    assert len(by_patient) == DEMO_PATIENTS
    for patient_id, history in by_patient.items():
        assert history[0][0] == "patient_added", patient_id
        times = [at for _, at in history]
        assert times == sorted(times), (patient_id, history)


def test_demo_puts_each_patient_in_a_program_their_conditions_qualify_for(demo_service):
    from sqlalchemy import select

    from engine.models import Instance, Patient

    with demo_service.db.transaction() as s:
        rows = s.execute(select(Instance.process_id, Patient.conditions)
                         .join(Patient, Patient.id == Instance.patient_id)).all()
    assert {process for process, _ in rows} >= {"ccm", "diabetes", "heart_failure", "behavioural_health", "tcm"}
    for process, conditions in rows:
        names = [c["name"] for c in conditions]
        assert qualifies(process, names), (process, names)


def test_demo_patients_spread_over_the_risk_tiers(demo_service):
    from sqlalchemy import select

    from engine.models import Patient

    with demo_service.db.transaction() as s:
        tiers = set(s.scalars(select(Patient.risk_tier).where(Patient.risk_tier.is_not(None))))
    assert len(tiers) >= 3, tiers


def test_demo_answers_every_form_it_reaches_validly(demo_service):
    # a task the demo cannot answer would be counted as "left open for a person to answer"
    assert "left open" not in demo_service.demo_output, demo_service.demo_output


def test_assigning_programs_takes_the_condition_programs_first():
    conditions = [["Hypertension", "COPD"], ["Type 2 diabetes"], ["Heart failure", "COPD"], ["Asthma"]]
    mix = [("ccm", 1), ("diabetes", 1), ("heart_failure", 1), ("tcm", 1)]
    assert assign_programs(conditions, mix) == ["ccm", "diabetes", "heart_failure", "tcm"]


def test_demo_records_care_minutes_with_the_work(demo_service):
    from sqlalchemy import select

    from engine import instance_data
    from engine.models import Instance

    with demo_service.db.transaction() as s:
        minutes = [instance_data.current_data(s, demo_service.runtime, i).get("care_minutes") or {}
                   for i in s.scalars(select(Instance).where(Instance.process_id == "ccm"))]
    assert any(sum(month.values()) >= 20 for month in minutes)
