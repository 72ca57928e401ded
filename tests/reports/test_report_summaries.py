"""The summaries background work keeps for reports (engine.reports.ccm_months, work_summary, tcm_summary): what
a refresh picks up as the clock moves forward, when a report says its figures are as of a refresh, and when it
works them out live instead. The worked cases of the rules themselves run on both sources in
test_ccm_billing.py, test_tcm_compliance.py and test_dashboard.py."""
from __future__ import annotations

from datetime import timedelta

from engine.jobs.envelope import Envelope
from engine.jobs.work import execute
from engine.reports import refreshes
from engine.service import SYSTEM, PatientInput
from tests.reports.world import ADA, CARL, TODAY, at, contact, discharge, enrol, log, review


def _row(found, patient_id):
    return {row.patient_id: row for row in found.rows}.get(patient_id)


def test_a_refreshed_month_is_read_from_the_summary_and_says_as_of_when(reports, frozen_clock):
    enrol(reports, frozen_clock, "S1")
    reports.refresh_report_summaries()
    frozen_clock.advance(seconds=20)
    found = reports.ccm_worklist("2027-03", CARL)
    assert found.as_of == at(TODAY) and _row(found, "S1").status == "short"


def test_time_logged_after_a_refresh_counts_from_the_next_one(reports, frozen_clock):
    enrol(reports, frozen_clock, "S2")
    reports.refresh_report_summaries()
    frozen_clock.advance(seconds=10)
    log(reports, "S2", "2027-03-02", 25)
    assert _row(reports.ccm_worklist("2027-03", CARL), "S2").minutes == 0  # as of the refresh before it
    frozen_clock.advance(seconds=20)
    reports.refresh_report_summaries()
    row = _row(reports.ccm_worklist("2027-03", CARL), "S2")
    assert (row.minutes, row.status, row.code_text) == (25, "billable", "99490")


def test_time_logged_for_an_earlier_month_reaches_that_month_at_the_next_refresh(reports, frozen_clock):
    enrol(reports, frozen_clock, "S3")
    reports.refresh_report_summaries()
    frozen_clock.advance(seconds=10)
    log(reports, "S3", "2027-02-20", 21)
    frozen_clock.advance(seconds=20)
    reports.refresh_report_summaries()
    assert _row(reports.ccm_worklist("2027-02", CARL), "S3").minutes == 21


def test_a_renamed_patient_is_listed_by_the_new_name_after_a_refresh(reports, frozen_clock):
    enrol(reports, frozen_clock, "S4")
    reports.refresh_report_summaries()
    frozen_clock.advance(seconds=10)
    reports.update_patient("S4", PatientInput(mrn="S4", given_name="Rosa", family_name="Parks",
                                              birth_date="1950-01-01", primary_care_provider="Dr. Rivera"), SYSTEM)
    frozen_clock.advance(seconds=20)
    reports.refresh_report_summaries()
    assert _row(reports.ccm_worklist("2027-03", CARL), "S4").name == "Rosa Parks"


def test_a_summary_not_refreshed_for_five_minutes_is_not_read(reports, frozen_clock):
    enrol(reports, frozen_clock, "S5")
    reports.refresh_report_summaries()
    log(reports, "S5", "2027-03-02", 22)
    frozen_clock.advance(refreshes.STALE_AFTER + timedelta(seconds=1))
    found = reports.ccm_worklist("2027-03", CARL)
    assert found.as_of is None and _row(found, "S5").minutes == 22  # worked out live: exact


def test_a_month_before_the_pickers_months_is_worked_out_live(reports, frozen_clock):
    enrol(reports, frozen_clock, "S6")
    reports.refresh_report_summaries()
    assert reports.ccm_worklist("2026-02", CARL).as_of is None


def test_without_a_refresh_the_worklist_is_worked_out_live(reports, frozen_clock):
    enrol(reports, frozen_clock, "S7")
    assert reports.ccm_worklist("2027-03", CARL).as_of is None


def test_the_care_managers_short_list_reads_the_summary_too(reports, frozen_clock):
    enrol(reports, frozen_clock, "S8")
    log(reports, "S8", "2027-03-02", 7)
    reports.refresh_report_summaries()
    short = reports.report_access(CARL).short
    assert short.as_of is not None and [row.patient_id for row in short.rows] == ["S8"]


def test_months_that_leave_the_picker_are_dropped(reports, frozen_clock):
    enrol(reports, frozen_clock, "S9")
    reports.refresh_report_summaries()
    frozen_clock.set(at("2028-04-02"))  # March 2027 is no longer one of the 13 months
    done = reports.refresh_report_summaries()
    assert "2027-03" not in done["built"] and "2028-04" in done["built"]
    frozen_clock.advance(seconds=5)
    assert reports.ccm_worklist("2027-03", CARL).as_of is None


def test_background_work_brings_the_summary_up_to_date(reports, frozen_clock):
    from engine.jobs import Background
    from engine.jobs.executors import InProcessExecutor

    enrol(reports, frozen_clock, "S10")
    jobs = Background(reports, executor=InProcessExecutor(lambda envelope: None), notifier=None)
    try:
        done = execute(jobs.ctx, Envelope.new("carepath.refresh_reports"))
    finally:
        jobs.close()
    assert "2027-03" in done["built"] and reports.ccm_worklist("2027-03", CARL).as_of == at(TODAY)


def _discharge_row(service, instance_id, month="2027-03"):
    found = service.tcm_compliance(month, month, ADA, page_size=None)
    assert found.as_of is not None
    return next(row for row in found.rows if row.instance_id == instance_id)


def test_a_contact_recorded_after_a_refresh_counts_from_the_next_one(reports, frozen_clock):
    instance = discharge(reports, frozen_clock, "T1", "2027-03-15")  # Monday afternoon: due Wednesday
    frozen_clock.set(at("2027-03-16", 12) - timedelta(seconds=10))
    reports.refresh_report_summaries()
    contact(reports, frozen_clock, instance, "2027-03-16")  # at noon
    assert _discharge_row(reports, instance).contact == "pending"  # as of the refresh before it
    reports.refresh_report_summaries()
    assert _discharge_row(reports, instance).contact == "met"


def test_a_new_discharge_makes_the_one_before_a_readmission_at_the_next_refresh(reports, frozen_clock):
    first = discharge(reports, frozen_clock, "T2", "2027-03-15")
    frozen_clock.set(at("2027-03-19", 16) - timedelta(seconds=10))
    reports.refresh_report_summaries()
    reports.terminate(first, ADA, "readmitted")
    discharge(reports, frozen_clock, "T2", "2027-03-19")
    reports.refresh_report_summaries()
    assert _discharge_row(reports, first).readmitted_on is not None


def test_a_task_completed_after_a_refresh_counts_in_throughput_from_the_next_one(reports, frozen_clock):
    instance = enrol(reports, frozen_clock, "W1")
    frozen_clock.set(at("2027-03-16", 10) - timedelta(seconds=10))
    reports.refresh_report_summaries()
    before = _completed(reports)
    review(reports, frozen_clock, instance, "2027-03-16", claimed_hour=10, hour=10)
    assert _completed(reports) == before  # as of the refresh before it
    reports.refresh_report_summaries()
    assert _completed(reports) == before + 1


def _completed(service) -> int:
    board = service.dashboard(ADA, start="2027-01-01", end="2027-03-31")
    assert board.work_as_of is not None
    chart = next(c for c in board.charts if c.key == "throughput")
    return sum(row.values[0] for row in chart.rows)
