"""The CCM billing worklist against worked cases written from the CMS rules (README: CCM billing): minutes per
calendar month with no carry-over, 99490 at 20 minutes, 99439 for each further 20 (twice at most), complex CCM
99487 at 60 and 99489 for each further 30, consent and a care plan on file, one billing practitioner."""
from __future__ import annotations

import pytest

from engine.reports import billing
from engine.service import CarepathError, InvalidInput
from tests.reports.world import CARL, enrol, log

pytestmark = pytest.mark.dates


@pytest.mark.parametrize("minutes,complex_,codes", [
    (0, False, []),
    (19, False, []),
    (20, False, ["99490"]),
    (39, False, ["99490"]),
    (40, False, ["99490", "99439"]),
    (60, False, ["99490", "99439", "99439"]),
    (95, False, ["99490", "99439", "99439"]),  # 99439 twice a month at most
    (59, True, ["99490", "99439"]),  # a complex patient's month under 60 minutes is billed as non-complex CCM
    (60, True, ["99487"]),
    (89, True, ["99487"]),
    (90, True, ["99487", "99489"]),
    (120, True, ["99487", "99489", "99489"]),
], ids=lambda v: str(v))
def test_minutes_support_the_codes_cms_gives_them(minutes, complex_, codes):
    assert billing.codes(minutes, complex_) == codes


@pytest.fixture(autouse=True, params=["worked out live", "read from the summary"])
def source(request, monkeypatch):
    """Every worked case twice: the worklist worked out while one waits, and read from the summary background
    work keeps (engine.reports.ccm_months), brought up to date just before each read."""
    if request.param == "read from the summary" and "reports" in request.fixturenames:
        service = request.getfixturevalue("reports")
        live = service.ccm_worklist

        def from_summary(month, *args, **kwargs):
            service.refresh_report_summaries()
            found = live(month, *args, **kwargs)
            assert found.as_of is not None, "the summary was not read"
            return found

        monkeypatch.setattr(service, "ccm_worklist", from_summary)
    return request.param


def _row(service, patient_id, month="2027-03", viewer=CARL):
    found = service.ccm_worklist(month, viewer, page_size=None)
    rows = {row.patient_id: row for row in found.rows}
    return rows.get(patient_id)


def test_19_minutes_is_not_billable_and_says_how_many_are_missing(reports, frozen_clock):
    enrol(reports, frozen_clock, "P19")
    log(reports, "P19", "2027-03-02", 19)
    row = _row(reports, "P19")
    assert (row.status, row.minutes, row.codes, row.short_by) == ("short", 19, [], 1)


def test_20_minutes_is_99490(reports, frozen_clock):
    enrol(reports, frozen_clock, "P20")
    log(reports, "P20", "2027-03-02", 12)
    log(reports, "P20", "2027-03-09", 8)
    row = _row(reports, "P20")
    assert (row.status, row.codes, row.code_text) == ("billable", ["99490"], "99490")


def test_40_minutes_is_99490_plus_99439(reports, frozen_clock):
    enrol(reports, frozen_clock, "P40")
    log(reports, "P40", "2027-03-02", 40)
    assert _row(reports, "P40").code_text == "99490 + 99439"


def test_60_minutes_is_99490_plus_two_99439(reports, frozen_clock):
    enrol(reports, frozen_clock, "P60")
    log(reports, "P60", "2027-03-02", 30)
    log(reports, "P60", "2027-03-03", 30)
    row = _row(reports, "P60")
    assert row.codes == ["99490", "99439", "99439"] and row.code_text == "99490 + 2 × 99439"


def test_minutes_in_a_different_month_do_not_count(reports, frozen_clock):
    enrol(reports, frozen_clock, "PFEB")
    log(reports, "PFEB", "2027-02-27", 30)  # February's
    log(reports, "PFEB", "2027-03-01", 5)
    march, february = _row(reports, "PFEB"), _row(reports, "PFEB", "2027-02")
    assert (march.minutes, march.status) == (5, "short")
    assert (february.minutes, february.status) == (30, "billable")


def test_a_complex_patient_reaching_60_minutes_is_99487(reports, frozen_clock):
    enrol(reports, frozen_clock, "PCX", tier="complex")
    log(reports, "PCX", "2027-03-02", 60)
    log(reports, "PCX", "2027-03-03", 30)
    row = _row(reports, "PCX")
    assert row.complex and row.code_text == "99487 + 99489"


def test_minutes_recorded_with_tasks_count_with_the_logged_ones(reports, frozen_clock):
    enrol(reports, frozen_clock, "PTASK", consent_on="2027-03-02", plan_on="2027-03-03", minutes=15)
    log(reports, "PTASK", "2027-03-04", 5)
    row = _row(reports, "PTASK")
    assert (row.minutes, row.code_text) == (20, "99490")


def test_minutes_of_tcm_work_are_left_out_of_ccm(reports, frozen_clock):
    enrol(reports, frozen_clock, "PTCM")
    from tests.reports.world import discharge

    discharge(reports, frozen_clock, "PTCM", "2027-03-01")
    frozen_clock.set(frozen_clock.now().replace(day=15))
    log(reports, "PTCM", "2027-03-02", 25, program="Transitional Care Management")
    log(reports, "PTCM", "2027-03-03", 10)
    assert _row(reports, "PTCM").minutes == 10


def test_a_month_without_consent_is_missing_consent_whatever_the_minutes(reports, frozen_clock):
    enrol(reports, frozen_clock, "PNOC", consent_on=None)
    log(reports, "PNOC", "2027-03-02", 45)
    row = _row(reports, "PNOC")
    assert (row.status, row.codes) == ("no_consent", [])


def test_consent_given_after_the_month_does_not_count_for_it(reports, frozen_clock):
    enrol(reports, frozen_clock, "PLATE", consent_on="2027-03-02", plan_on="2027-03-03")
    log(reports, "PLATE", "2027-03-04", 25)
    assert _row(reports, "PLATE", "2027-02") is None or _row(reports, "PLATE", "2027-02").status == "no_consent"
    assert _row(reports, "PLATE").status == "billable"


def test_a_month_without_an_agreed_care_plan_is_missing_the_care_plan(reports, frozen_clock):
    enrol(reports, frozen_clock, "PNOP", plan_on=None)
    log(reports, "PNOP", "2027-03-02", 25)
    assert _row(reports, "PNOP").status == "no_care_plan"


def test_a_patient_without_a_billing_practitioner_is_flagged(reports, frozen_clock):
    enrol(reports, frozen_clock, "PNOPCP", practitioner=None)
    log(reports, "PNOPCP", "2027-03-02", 25)
    row = _row(reports, "PNOPCP")
    assert (row.status, row.practitioner) == ("no_practitioner", None)


def test_the_billing_practitioner_is_the_patients_primary_care_provider(reports, frozen_clock):
    enrol(reports, frozen_clock, "PPCP", practitioner="Dr. Okafor")
    log(reports, "PPCP", "2027-03-02", 25)
    assert _row(reports, "PPCP").practitioner == "Dr. Okafor"


def test_the_worklist_counts_each_status_and_the_short_list_is_closest_to_20_first(reports, frozen_clock):
    for patient, minutes in (("PA", 5), ("PB", 15), ("PC", 25)):
        enrol(reports, frozen_clock, patient)
        log(reports, patient, "2027-03-02", minutes)
    found = reports.ccm_worklist("2027-03", CARL, status="short")
    assert [row.patient_id for row in found.rows][:2] == ["PB", "PA"]
    assert found.days_left == 17  # 15 to 31 March, today included


def test_a_future_month_or_a_malformed_one_is_refused(reports):
    with pytest.raises(InvalidInput, match="has not started"):
        reports.ccm_worklist("2027-04", CARL)
    with pytest.raises(InvalidInput, match="YYYY-MM"):
        reports.ccm_worklist("March", CARL)
    with pytest.raises(CarepathError, match="status"):
        reports.ccm_worklist("2027-03", CARL, status="paid")


def test_a_filtered_page_and_a_page_past_the_end_still_count_every_status(reports, frozen_clock):
    for patient, minutes in (("QA", 5), ("QB", 25), ("QC", 45)):
        enrol(reports, frozen_clock, patient)
        log(reports, patient, "2027-03-02", minutes)
    enrol(reports, frozen_clock, "QD", plan_on=None)
    short = reports.ccm_worklist("2027-03", CARL, status="short")
    past = reports.ccm_worklist("2027-03", CARL, status="billable", page=9)
    for found in (short, past):
        assert (found.counts["short"], found.counts["billable"], found.counts["no_care_plan"]) == (1, 2, 1)
        assert found.minutes == 75
    assert [row.patient_id for row in short.rows] == ["QA"] and past.rows == [] and past.total == 2
