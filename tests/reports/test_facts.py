"""The facts reports read are written by the steps that establish them (engine.runtime.report_facts), with the
step's other rows: consent, care plan, risk tier, mood scores (first and latest, and each screening's day),
stage and end; a step that changes none of them writes nothing, and a rebuild from the workflows gives the same."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, func, select

from engine.models import InstanceFacts, OutcomeMeasure
from tests.reports.world import ADA, CARL, enrol, review

pytestmark = pytest.mark.dates


def _facts(service, instance_id):
    with service.db.transaction() as s:
        row = s.get(InstanceFacts, instance_id)
        s.expunge_all()
        return row


def _measures(service, instance_id):
    with service.db.transaction() as s:
        return sorted(s.execute(select(OutcomeMeasure.measure, OutcomeMeasure.taken_on, OutcomeMeasure.value)
                                .where(OutcomeMeasure.instance_id == instance_id)).all())


def test_a_started_program_has_a_row_with_its_patient_program_and_stage(reports, frozen_clock):
    enrol(reports, frozen_clock, "F1")
    facts = _facts(reports, 1)
    assert (facts.patient_id, facts.process_id, facts.program) == ("F1", "ccm", "Chronic Care Management")
    assert facts.started_on == date(2027, 1, 5) and facts.stage == "Evaluation"


def test_consent_and_the_agreed_care_plan_are_kept_with_their_days(reports, frozen_clock):
    instance = enrol(reports, frozen_clock, "F2", consent_on="2027-01-06", plan_on="2027-01-12", tier="complex")
    facts = _facts(reports, instance)
    assert (facts.consent_on, facts.care_plan_on, facts.risk_tier) == (date(2027, 1, 6), date(2027, 1, 12),
                                                                        "complex")


def test_a_draft_care_plan_is_no_care_plan(reports, frozen_clock):
    instance = enrol(reports, frozen_clock, "F3", plan_on=None)
    assert _facts(reports, instance).care_plan_on is None


def test_screenings_keep_the_first_and_latest_score_and_each_days_reading(reports, frozen_clock):
    instance = enrol(reports, frozen_clock, "F4")
    review(reports, frozen_clock, instance, "2027-02-01", phq9=15, gad7=11)
    review(reports, frozen_clock, instance, "2027-03-01", phq9=8, gad7=9)
    facts = _facts(reports, instance)
    assert (facts.phq9_first, facts.phq9_first_on, facts.phq9_latest, facts.phq9_latest_on) == (
        15, date(2027, 2, 1), 8, date(2027, 3, 1))
    assert (facts.gad7_first, facts.gad7_latest) == (11, 9)
    assert _measures(reports, instance) == [("gad7", date(2027, 2, 1), 11.0), ("gad7", date(2027, 3, 1), 9.0),
                                            ("phq9", date(2027, 2, 1), 15.0), ("phq9", date(2027, 3, 1), 8.0)]


def test_a_step_that_changes_no_fact_writes_none(reports, frozen_clock):
    instance = enrol(reports, frozen_clock, "F5")
    review(reports, frozen_clock, instance, "2027-02-01", phq9=10)
    before = _facts(reports, instance).updated_at
    review(reports, frozen_clock, instance, "2027-02-15")  # no screening: nothing the reports read changes
    assert _facts(reports, instance).updated_at == before


def test_the_end_of_a_program_is_kept_with_its_reason(reports, frozen_clock):
    instance = enrol(reports, frozen_clock, "F6")
    review(reports, frozen_clock, instance, "2027-02-01", decision="discharge")
    facts = _facts(reports, instance)
    assert (facts.ended_on, facts.end_reason) == (date(2027, 2, 1), "goals_met")


def test_a_terminated_program_ends_with_terminated(reports, frozen_clock):
    instance = enrol(reports, frozen_clock, "F7")
    reports.terminate(instance, ADA, "moved away")
    assert _facts(reports, instance).end_reason == "terminated"


def test_rebuilding_the_facts_from_the_workflows_gives_the_same_rows(reports, frozen_clock):
    instance = enrol(reports, frozen_clock, "F8", tier="rising")
    review(reports, frozen_clock, instance, "2027-02-01", phq9=12)
    written = _facts(reports, instance)
    measures = _measures(reports, instance)
    with reports.db.transaction() as s:
        s.execute(delete(OutcomeMeasure))
        s.execute(delete(InstanceFacts))
    assert reports.rebuild_report_facts() == 1
    rebuilt = _facts(reports, instance)
    columns = [c.key for c in InstanceFacts.__table__.columns if c.key != "updated_at"]
    assert {c: getattr(rebuilt, c) for c in columns} == {c: getattr(written, c) for c in columns}
    assert _measures(reports, instance) == measures


def test_minutes_recorded_with_a_task_are_summed_per_month(reports, frozen_clock):
    from engine.models import MonthlyMinutes

    enrol(reports, frozen_clock, "F9", consent_on="2027-03-01", plan_on="2027-03-02", minutes=15, by=CARL)
    with reports.db.transaction() as s:
        rows = s.execute(select(MonthlyMinutes.month, MonthlyMinutes.program, func.sum(MonthlyMinutes.minutes))
                         .where(MonthlyMinutes.patient_id == "F9")
                         .group_by(MonthlyMinutes.month, MonthlyMinutes.program)).all()
    assert rows == [("2027-03", "Chronic Care Management", 15)]
