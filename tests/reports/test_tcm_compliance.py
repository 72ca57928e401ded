"""TCM compliance against worked cases written from the CMS rules (README: TCM compliance): the interactive
contact within 2 business days after discharge (holidays excluded), the face-to-face visit within 7 days (high
complexity: 99496) or 14 (at least moderate: 99495), medication reconciliation by the visit, and readmissions
within 30 days. Each discharge goes through the shipped TCM pathway."""
from __future__ import annotations

from datetime import date

import pytest

from engine.reports import tcm
from engine.service import InvalidInput
from tests.reports.world import ADA, CARL, at, contact, discharge, reconcile, visit

pytestmark = pytest.mark.dates

# Thanksgiving 2026 is Thursday 26 November: a discharge on Wednesday 25 November has Friday 27 November as its
# first business day after discharge and Monday 30 November as its second
BEFORE_THANKSGIVING = "2026-11-25"


@pytest.fixture(autouse=True, params=["worked out live", "read from the summary"])
def source(request, monkeypatch):
    """Every worked case twice: the rows worked out while one waits, and read from the summary background work
    keeps (engine.reports.tcm_summary), worked out again just before each read (the clock here goes back to
    each discharge and forward again; test_report_summaries.py has the refresh of what changed)."""
    if request.param == "read from the summary" and "reports" in request.fixturenames:
        service = request.getfixturevalue("reports")
        live = service.tcm_compliance

        def from_summary(*args, **kwargs):
            service.refresh_report_summaries(whole=True)
            found = live(*args, **kwargs)
            assert found.as_of is not None, "the summary was not read"
            return found

        monkeypatch.setattr(service, "tcm_compliance", from_summary)
    return request.param


def _row(service, instance_id, first="2026-11", last="2026-12"):
    found = service.tcm_compliance(first, last, ADA, page_size=None)
    return next(row for row in found.rows if row.instance_id == instance_id)


@pytest.fixture
def december(reports, frozen_clock):
    """The reports' clock in late December 2026, after the periods below."""
    frozen_clock.set(at("2026-12-28"))
    return reports


def _discharged(service, clock, patient, day=BEFORE_THANKSGIVING, complexity="high"):
    instance = discharge(service, clock, patient, day, complexity)
    clock.set(at("2026-12-28"))
    return instance


def test_the_contact_deadline_is_the_second_business_day_after_discharge_skipping_the_holiday():
    assert tcm.contact_deadline(date(2026, 11, 25)) == date(2026, 11, 30)


def test_contact_on_the_2nd_business_day_after_a_discharge_before_a_holiday_is_met(december, frozen_clock):
    instance = _discharged(december, frozen_clock, "T2ND")
    contact(december, frozen_clock, instance, "2026-11-30")
    row = _row(december, instance)
    assert (row.contact, row.contact_deadline) == ("met", date(2026, 11, 30))


def test_contact_on_the_3rd_business_day_is_missed(december, frozen_clock):
    instance = _discharged(december, frozen_clock, "T3RD")
    contact(december, frozen_clock, instance, "2026-12-01")
    row = _row(december, instance)
    assert row.contact == "missed" and row.code is None and "2 business days" in row.reason


def test_two_documented_attempts_in_time_count_as_the_contact(december, frozen_clock):
    instance = _discharged(december, frozen_clock, "TTRY")
    contact(december, frozen_clock, instance, "2026-11-27", outcome="not_reached", attempts=2)
    assert _row(december, instance).contact == "met"


def test_attempts_documented_after_the_deadline_do_not(december, frozen_clock):
    instance = _discharged(december, frozen_clock, "TLATE")
    contact(december, frozen_clock, instance, "2026-12-01", outcome="not_reached", attempts=3)
    assert _row(december, instance).contact == "missed"


def _seen(service, clock, patient, visit_on, mdm, complexity="high", reconciled_on=None):
    instance = _discharged(service, clock, patient, "2026-11-02", complexity)  # a Monday, no holiday near
    contact(service, clock, instance, "2026-11-03")
    reconcile(service, clock, instance, reconciled_on or "2026-11-04")
    visit(service, clock, instance, visit_on, mdm)
    clock.set(at("2026-12-28"))
    return _row(service, instance)


def test_a_visit_on_day_7_with_high_complexity_gives_99496(december, frozen_clock):
    row = _seen(december, frozen_clock, "TD7", "2026-11-09", "high")
    assert (row.visit_day, row.visit_within, row.code) == (7, 7, "99496")


def test_a_visit_on_day_7_with_moderate_complexity_gives_99495(december, frozen_clock):
    assert _seen(december, frozen_clock, "TD7M", "2026-11-09", "moderate").code == "99495"


@pytest.mark.parametrize("mdm", ["moderate", "high"])
def test_a_visit_on_day_8_gives_99495(december, frozen_clock, mdm):
    row = _seen(december, frozen_clock, f"TD8{mdm[0]}", "2026-11-10", mdm)
    assert (row.visit_day, row.visit_within, row.code) == (8, 14, "99495")


def test_a_visit_on_day_15_gives_neither(december, frozen_clock):
    row = _seen(december, frozen_clock, "TD15", "2026-11-17", "high")
    assert (row.visit_day, row.visit_within, row.code) == (15, None, None)
    assert "day 15" in row.reason


def test_medicines_reconciled_after_the_visit_give_no_code(december, frozen_clock):
    row = _seen(december, frozen_clock, "TMED", "2026-11-06", "high", reconciled_on="2026-11-07")
    assert (row.med_rec_by_visit, row.code) == (False, None)
    assert "reconciled" in row.reason


def test_a_discharge_still_in_its_window_is_pending(reports, frozen_clock):
    instance = discharge(reports, frozen_clock, "TNOW", "2027-03-12", "moderate")  # a Friday
    frozen_clock.set(at("2027-03-15"))
    row = _row(reports, instance, "2027-03", "2027-03")
    assert (row.contact, row.contact_deadline, row.code) == ("pending", date(2027, 3, 16), None)
    assert row.pending


def test_a_pending_contact_is_missed_once_its_deadline_has_passed(reports, frozen_clock):
    instance = discharge(reports, frozen_clock, "TLATE", "2027-03-12", "moderate")  # a Friday: due Tuesday
    frozen_clock.set(at("2027-03-15"))
    assert _row(reports, instance, "2027-03", "2027-03").contact == "pending"
    frozen_clock.set(at("2027-03-17"))
    assert _row(reports, instance, "2027-03", "2027-03").contact == "missed"


def test_only_the_discharges_a_total_counts_are_listed_under_it(december, frozen_clock):
    _seen(december, frozen_clock, "TS1", "2026-11-09", "high")
    _seen(december, frozen_clock, "TS2", "2026-11-17", "high")
    found = december.tcm_compliance("2026-11", "2026-12", ADA, show="code_99496")
    assert found.total == 1 and [row.visit_day for row in found.rows] == [7]


def test_a_second_discharge_within_30_days_is_a_readmission(december, frozen_clock):
    first = _discharged(december, frozen_clock, "TRE", "2026-11-02")
    december.terminate(first, ADA, "readmitted")
    second = discharge(december, frozen_clock, "TRE", "2026-11-20")
    frozen_clock.set(at("2026-12-28"))
    assert _row(december, first).readmitted_on == date(2026, 11, 20)
    assert _row(december, second).readmitted_on is None


def test_totals_and_rates_by_month(december, frozen_clock):
    _seen(december, frozen_clock, "TM1", "2026-11-09", "high")
    _seen(december, frozen_clock, "TM2", "2026-11-17", "high")
    found = december.tcm_compliance("2026-11", "2026-12", ADA)
    november = next(m for m in found.months if m.month.key == "2026-11")
    assert november.counts["discharges"] == 2 and november.counts["code_99496"] == 1
    assert november.rate("contact_met") == 1.0 and november.rate("visit_7") == 0.5


def test_months_in_the_wrong_order_are_refused(reports):
    with pytest.raises(InvalidInput, match="first month"):
        reports.tcm_compliance("2027-03", "2027-01", CARL)
