"""The reports' pages and downloads as a browser gets them: every number a link to what is behind it, the CSV
the same rows as the page, a clear 400 for a query that is not one."""
from __future__ import annotations

import csv
import io

import pytest

from tests.reports.world import at, contact, discharge, enrol, log, reconcile, visit

pytestmark = pytest.mark.dates


@pytest.fixture
def month(reports, frozen_clock):
    enrol(reports, frozen_clock, "W1", practitioner="=HYPERLINK(\"http://x\")")
    log(reports, "W1", "2027-03-02", 25)
    enrol(reports, frozen_clock, "W2")
    log(reports, "W2", "2027-03-02", 7)
    instance = discharge(reports, frozen_clock, "W3", "2027-03-01")
    contact(reports, frozen_clock, instance, "2027-03-02")
    reconcile(reports, frozen_clock, instance, "2027-03-03")
    visit(reports, frozen_clock, instance, "2027-03-05", "high")
    frozen_clock.set(at("2027-03-15"))
    return reports


def _csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_worklist_page_links_each_patient_and_their_minutes(month, signed_in):
    page = signed_in("admin").get("/reports/ccm?month=2027-03").get_data(as_text=True)
    assert 'href="/patients/W1"' in page and 'href="/reports/ccm/W1/2027-03"' in page
    assert "99490" in page and "short by 13 min" in page and "17 days left" in page


def test_the_worklist_page_read_from_the_summary_says_as_of_when(month, signed_in):
    month.refresh_report_summaries()
    page = signed_in("admin").get("/reports/ccm?month=2027-03").get_data(as_text=True)
    assert "figures as of 2027-03-15" in page and "99490" in page and "short by 13 min" in page


def test_the_worklist_csv_has_a_row_per_patient_and_no_formula(month, signed_in):
    rows = _csv(signed_in("admin").get("/reports/ccm?month=2027-03&format=csv"))
    assert rows[0][:3] == ["month", "patient_id", "mrn"]
    by_patient = {row[1]: row for row in rows[1:]}
    assert set(by_patient) == {"W1", "W2"} and by_patient["W1"][10] == "99490"
    assert by_patient["W1"][8].startswith("'=")  # a practitioner's name a spreadsheet would run is quoted


def test_the_minutes_page_lists_the_entries_behind_the_month(month, signed_in):
    page = signed_in("carl").get("/reports/ccm/W1/2027-03").get_data(as_text=True)
    assert "Call with the patient" in page and "<strong>25</strong> minutes count" in page


def test_the_short_list_of_a_care_manager_is_on_the_reports_page(month, signed_in):
    page = signed_in("carl").get("/reports/").get_data(as_text=True)
    assert "My patients short of 20 minutes this month" in page and 'href="/patients/W2"' in page


def test_tcm_page_totals_link_to_the_discharges_they_count(month, signed_in):
    browser = signed_in("admin")
    page = browser.get("/reports/tcm?from=2027-03&to=2027-03").get_data(as_text=True)
    assert "show=code_99496" in page and "99496" in page
    shown = browser.get("/reports/tcm?from=2027-03&to=2027-03&show=code_99496").get_data(as_text=True)
    assert 'href="/patients/W3"' in shown


def test_tcm_csv_has_a_row_per_discharge(month, signed_in):
    rows = _csv(signed_in("admin").get("/reports/tcm?from=2027-03&to=2027-03&format=csv"))
    assert len(rows) == 2 and rows[1][0] == "W3" and rows[1][16] == "99496"


def test_each_dashboard_chart_has_its_csv_with_its_table_rows(month, signed_in):
    browser = signed_in("admin")
    page = browser.get("/reports/dashboard?from=2026-10-01&to=2027-03-15").get_data(as_text=True)
    for chart in ("enrolment", "funnel", "tasks_by_role", "tasks_by_person", "throughput", "risk", "mood",
                  "hba1c", "weight"):
        assert f'id="chart-{chart}"' in page
        rows = _csv(browser.get(f"/reports/dashboard?from=2026-10-01&to=2027-03-15&chart={chart}&format=csv"))
        assert len(rows) >= 1
    assert "/reports/dashboard/detail?" in page


def test_the_heatmap_page_and_its_csv(month, signed_in):
    browser = signed_in("admin")
    page = browser.get("/reports/heatmap?version=1&program=ccm&from=2027-01-01&to=2027-03-15").get_data(as_text=True)
    assert 'data-element="record_consent"' in page and "/reports/heatmap/tasks?" in page
    rows = _csv(browser.get("/reports/heatmap?version=1&program=ccm&from=2027-01-01&to=2027-03-15&format=csv"))
    assert rows[0][:3] == ["stage", "step", "element_id"] and len(rows) > 1


@pytest.mark.parametrize("url", ["/reports/ccm?month=03-2027", "/reports/ccm?page=x", "/reports/ccm?status=paid",
                                 "/reports/tcm?from=2027-13", "/reports/dashboard?from=soon",
                                 "/reports/dashboard?chart=nope&format=csv", "/reports/heatmap?version=abc",
                                 "/reports/heatmap/tasks?version=1", "/reports/dashboard/detail?chart=pie",
                                 "/reports/ccm?status=%00"])
def test_a_query_that_is_not_one_is_a_clear_400(month, signed_in, url):
    response = signed_in("admin").get(url)
    assert response.status_code == 400, response.get_data(as_text=True)[:200]


def test_an_unknown_version_is_a_404(month, signed_in):
    assert signed_in("admin").get("/reports/heatmap?version=77").status_code == 404
