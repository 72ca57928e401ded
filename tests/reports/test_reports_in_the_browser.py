"""The report pages in Chromium (Playwright, Debian's /usr/bin/chromium): the dashboard's charts are drawn with the
figures of their tables, each page's CSV download holds the rows its table shows, the heatmap's diagram carries
each step's figures as overlays, and a click on a number opens the patients or tasks behind it. Screenshots go to
test-artifacts/e2e/."""
from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

import pytest

from tests.e2e.conftest import CHROMIUM, _chromium_missing, artifacts  # noqa: F401 - fixtures used here
from tests.reports.world import at, contact, discharge, enrol, log, reconcile, visit
from tests.webapp.conftest import PASSWORD

pytestmark = pytest.mark.dates

BUILD = Path(__file__).resolve().parents[2] / "webapp" / "static" / "build"
WIDTHS = (1280, 390)  # a desk, a phone


@pytest.fixture
def month(reports, frozen_clock):
    """Two CCM patients in March 2027 (one billable, one short) and a TCM discharge seen on day 4."""
    enrol(reports, frozen_clock, "B1", minutes=10)  # in January, with the consent
    log(reports, "B1", "2027-03-02", 25)
    enrol(reports, frozen_clock, "B2")
    log(reports, "B2", "2027-03-03", 7)
    instance = discharge(reports, frozen_clock, "B3", "2027-03-01")
    contact(reports, frozen_clock, instance, "2027-03-02")
    reconcile(reports, frozen_clock, instance, "2027-03-03")
    visit(reports, frozen_clock, instance, "2027-03-05", "high")
    frozen_clock.set(at("2027-03-15"))
    return reports


@pytest.fixture
def live(app, month):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def page(request, artifacts):  # noqa: F811 - the fixture imported above
    reason = _chromium_missing()
    if reason:
        pytest.skip(reason)
    if not (BUILD / "reports.js").is_file() or not (BUILD / "heatmap.js").is_file():
        pytest.skip("the report scripts are not built (`npm run build` builds webapp/static/build)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": request.param, "height": 900}, accept_downloads=True)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        yield tab
        tab.screenshot(path=str(artifacts / f"{request.node.name}-last.png"), full_page=True)
        context.close()
        browser.close()
        assert not errors, f"script errors in the page: {errors}"


def _sign_in(page, base: str, username: str = "admin") -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def _download(page, link) -> list[list[str]]:
    with page.expect_download() as caught:
        link.click()
    return list(csv.reader(io.StringIO(Path(caught.value.path()).read_text(encoding="utf-8"))))


def _table(page, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(f"{selector} tbody tr", "rows => rows.map(r => Array.from("
                                     "r.querySelectorAll('th, td')).map(c => c.textContent.trim()))")


def test_each_dashboard_chart_draws_the_figures_of_its_table(page, live):
    _sign_in(page, live)
    page.goto(f"{live}/reports/dashboard?from=2027-01-01&to=2027-03-15")
    page.wait_for_selector("figure.chart-card.chart-ready")
    figures = page.eval_on_selector_all("figure.chart-card", """fs => fs.map(f => {
        const t = f.querySelector('table.chart-data');
        const charted = (t.dataset.charted || '').split(',').filter(Boolean).map(Number);
        const percent = new Set((t.dataset.percent || '').split(',').filter(Boolean).map(Number));
        const rows = Array.from(t.querySelectorAll('tbody tr'));
        const table = charted.map(i => rows.map(r => {
            const raw = r.querySelectorAll('td')[i].dataset.value;
            if (raw === '') return null;
            return percent.has(i) ? Math.round(Number(raw) * 1000) / 10 : Number(raw); }));
        return {id: f.id, empty: !!f.querySelector('.empty'), ready: f.classList.contains('chart-ready'),
                drawn: f.dataset.values ? JSON.parse(f.dataset.values) : null, table,
                canvas: (f.querySelector('canvas') || {}).width || 0};
    })""")
    drawn = [f for f in figures if not f["empty"]]
    assert {f["id"] for f in drawn} >= {"chart-enrolment", "chart-funnel", "chart-risk", "chart-throughput"}
    for figure in drawn:
        assert figure["ready"] and figure["canvas"] > 0, figure["id"]
        assert figure["drawn"] == figure["table"], figure["id"]


def test_a_dashboard_csv_holds_the_rows_of_its_table(page, live):
    _sign_in(page, live)
    page.goto(f"{live}/reports/dashboard?from=2027-01-01&to=2027-03-15")
    page.click("#chart-risk details.chart-table summary")
    shown = _table(page, "#chart-risk table.chart-data")
    rows = _download(page, page.locator("#chart-risk a", has_text="CSV"))
    assert rows[0][0] == "Risk tier" and len(rows) == len(shown) + 1
    assert [row[0] for row in rows[1:]] == [row[0] for row in shown]
    assert [row[1:] for row in rows[1:]] == [[cell.rstrip("%") for cell in row[1:]] for row in shown]


def test_a_number_of_the_dashboard_opens_the_patients_behind_it(page, live):
    _sign_in(page, live)
    page.goto(f"{live}/reports/dashboard?from=2027-01-01&to=2027-03-15")
    page.click("#chart-risk details.chart-table summary")
    links = page.locator("#chart-risk table.chart-data tbody td a")
    link = next(links.nth(n) for n in range(links.count()) if links.nth(n).text_content().strip() != "0")
    count = int(link.text_content().strip())
    link.click()
    page.wait_for_url("**/reports/dashboard/detail**")
    assert page.locator("a[href^='/patients/']").count() >= count > 0


def test_the_ccm_worklist_and_its_csv_show_the_same_patients(page, live):
    _sign_in(page, live)
    page.goto(f"{live}/reports/ccm?month=2027-03")
    shown = _table(page, "table.report-table")
    assert len(shown) == 2 and any("99490" in " ".join(row) for row in shown)
    rows = _download(page, page.locator("a", has_text="Download CSV"))
    by_patient = {row[1]: row for row in rows[1:]}
    assert set(by_patient) == {"B1", "B2"}
    assert (by_patient["B1"][7], by_patient["B1"][10]) == ("25", "99490")
    assert (by_patient["B2"][9], by_patient["B2"][11]) == ("Short of 20 minutes", "13")
    page.click("a[href='/reports/ccm/B1/2027-03']")
    assert "25 minutes count" in " ".join(page.locator("main").text_content().split())


def test_the_tcm_page_and_its_csv_show_the_same_discharges(page, live):
    _sign_in(page, live)
    page.goto(f"{live}/reports/tcm?from=2027-03&to=2027-03")
    assert "99496" in page.locator("main").text_content()
    rows = _download(page, page.locator("a", has_text="Download CSV"))
    assert len(rows) == 2 and rows[1][0] == "B3" and rows[1][16] == "99496"


def test_the_heatmap_overlays_the_step_figures_on_the_diagram(page, live):
    _sign_in(page, live)
    page.goto(f"{live}/reports/heatmap?from=2027-01-01&to=2027-03-15")
    page.wait_for_selector(".heat-diagram.ready")
    steps = page.eval_on_selector_all(".heat-table tbody tr[data-element]", "rows => rows.map(r => [r.dataset.element,"
                                      " r.dataset.count, r.dataset.process])")
    assert steps
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.wait_for_function("Array.from(document.querySelectorAll('.heat-diagram')).every(b => "
                           "b.classList.contains('ready') || b.classList.contains('failed'))")
    badges = page.eval_on_selector_all(".djs-overlay-heat .heat-badge", "bs => bs.map(b => b.textContent)")
    assert len(badges) >= len(steps)
    for element, count, _ in steps:
        assert page.locator(f".heat-diagram [data-element-id='{element}']").count() >= 1, element
        assert any(badge.startswith(f"{count} ") for badge in badges), (element, count)
    assert not page.locator(".heat-diagram.failed").count()
    element, count, process = steps[0]
    page.locator(f"#diagram-{process} .heat-diagram [data-element-id='{element}']").first.click()
    page.wait_for_url("**/reports/heatmap/tasks**")
    assert page.locator("a[href^='/patients/']").count() >= 1


def test_heatmap_csv_has_a_row_per_step(page, live):
    _sign_in(page, live)
    page.goto(f"{live}/reports/heatmap?from=2027-01-01&to=2027-03-15")
    steps = page.eval_on_selector_all(".heat-table tbody tr[data-element]", "rows => rows.map(r => "
                                      "[r.dataset.element, r.dataset.count])")
    rows = _download(page, page.locator("a", has_text="Download CSV"))
    assert sorted((row[2], row[3]) for row in rows[1:]) == sorted(map(tuple, steps))


def test_a_care_manager_sees_only_their_patients(page, live):
    _sign_in(page, live, "nina")
    page.goto(f"{live}/reports/ccm?month=2027-03")
    assert "No CCM patients" in page.locator("main").text_content()
    page.goto(f"{live}/reports/")
    assert "Showing your patients" in page.locator("main").text_content()
