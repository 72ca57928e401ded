"""Care teams and a week of real use, in a real browser (issue 17): a team set at a program's start and the task
routed to its member, a discharge that starts TCM for the team's nurse, a record opened by breaking the glass and
seen on the report, a saved filter, a delegation round trip, and the inbox, task page, patient page and phone
fixes. The engine's clock is pinned: nothing here depends on the day it runs."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from engine.care import accounts
from engine.service import SYSTEM, Actor, PatientInput
from engine.time import clock
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_phq9_in_the_browser import sign_in

FIXTURES = "tests/fixtures/bpmn"
MOMENT = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)  # a Monday afternoon
PEOPLE = {"carl": (["care_manager"], "Carl Care"), "ned": (["nurse"], "Ned Nurse"),
          "nina": (["nurse", "care_manager"], "Nina Nurse"), "pia": (["pharmacist"], "Pia Pharm"),
          "dana": (["dietitian"], "Dana Diet"), "olivia": (["privacy_officer"], "Olivia Privacy")}
CARL = Actor.person("carl", "care_manager")


@pytest.fixture
def clinic(live):
    """Colleagues, Heather Lang (MRN 2040101, no team yet) and Ada Lovelace (MRN-1: Carl leads her team, Ned is
    her nurse), and the test pathways."""
    base, service = live
    with clock.use_clock(clock.FrozenClock(MOMENT)):
        with service.db.transaction() as s:
            for username, (roles, name) in PEOPLE.items():
                accounts.create_user(s, username, PASSWORD, roles, display_name=name)
        service.add_patient(PatientInput(mrn="2040101", given_name="Heather", family_name="Lang",
                                         birth_date="1952-04-02", sex="female", conditions=["COPD", "Asthma"]), SYSTEM)
        service.add_patient(PatientInput(mrn="MRN-1", given_name="Ada", family_name="Lovelace",
                                         birth_date="1950-12-10", sex="female"), SYSTEM)
        service.join_care_team("MRN-1", "carl", "care_manager", "Enrolled", CARL, lead=True)
        service.join_care_team("MRN-1", "ned", "nurse", "Home visits", CARL)
        for name in ("review_loop", "parallel_care", "tcm_on_discharge"):
            service.deploy(f"{FIXTURES}/{name}")
        yield base, service


@pytest.fixture(autouse=True)
def pinned():
    with clock.use_clock(clock.FrozenClock(MOMENT)) as frozen:
        yield frozen


def no_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_team_set_at_program_start_gets_its_first_task(clinic, page, artifacts):
    base, service = clinic
    sign_in(page, base, "carl")
    page.goto(f"{base}/patients/2040101")
    form = page.locator("form.start-program")
    form.get_by_label("Program").select_option(label="Care plan set-up")
    form.get_by_label("Pharmacist").select_option(label="Pia Pharm")
    form.get_by_role("button", name="Start").click()
    page.screenshot(path=str(artifacts / "care-team-at-start.png"), full_page=True)
    assert "Medication reconciliation" in page.locator("#h-tasks + table").inner_text()
    team = page.locator("section[aria-labelledby=h-team]").inner_text()
    assert "Lead care manager" in team and "Pia Pharm" in team
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "pia")
    assert "Medication reconciliation" in page.locator("table.inbox").inner_text()  # My tasks, routed


def test_a_discharge_recorded_on_the_page_starts_tcm_for_the_teams_nurse(clinic, page, artifacts):
    base, service = clinic
    sign_in(page, base, "carl")
    page.goto(f"{base}/patients/MRN-1")
    page.get_by_role("link", name="Record a hospital discharge").click()
    page.get_by_label("Hospital or facility").fill("General Hospital")
    page.get_by_label("Discharge medications").fill("Furosemide 40 mg")
    page.get_by_role("button", name="Record the discharge").click()
    assert "Transitional Care Management started" in page.locator(".flashes").inner_text()
    page.screenshot(path=str(artifacts / "discharge-recorded.png"), full_page=True)
    assert "TCM after discharge" in page.locator("#h-programs").locator("..").inner_text()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "ned")
    assert "Discharge call" in page.locator("table.inbox").inner_text()


def test_a_non_member_breaks_the_glass_and_the_privacy_officer_sees_it(clinic, page, artifacts):
    """On a phone: the refusal, the opened record and the report fit 390 px."""
    base, service = clinic
    service.start("review_loop", "MRN-1", None, CARL)  # the page reads the program's data too: still one read
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page, base, "dana")
    page.goto(f"{base}/patients/MRN-1")
    assert "outside your care team" in page.locator("h1").inner_text() and no_overflow(page) <= 0
    page.get_by_label("Why do you need this record?").fill("Nutrition consult asked by Dr. Ray today")
    page.get_by_label("For how long").select_option("1h")
    page.get_by_role("button", name="Break the glass and open the record").click()
    assert page.locator("h1").inner_text() == "Ada Lovelace"
    assert "breaking the glass" in page.locator(".flash-warn").inner_text()
    assert page.locator(".flash").count() == 1 and no_overflow(page) <= 0  # one notice, not the same twice
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "olivia")
    page.goto(f"{base}/patients/access-report")
    page.screenshot(path=str(artifacts / "break-the-glass-report-390.png"), full_page=True)
    row = page.get_by_role("row").filter(has_text="Nutrition consult asked by Dr. Ray today")
    assert "dana" in row.inner_text() and "Ada Lovelace" in row.inner_text()
    assert row.locator("[data-label=Reads]").inner_text() == "1" and no_overflow(page) <= 0


def test_a_saved_filter_found_by_the_name_as_listed_becomes_a_tab(clinic, page, artifacts):
    base, service = clinic
    service.start("review_loop", "2040101", None, CARL)
    sign_in(page, base, "carl")
    page.locator(".tabs").get_by_role("link", name=re.compile("Care manager queue")).click()
    page.get_by_label("Patient name or MRN").fill("Lang, Heather")
    page.get_by_label("Program").select_option("Monthly review loop")
    page.get_by_role("button", name="Filter").click()
    assert "Lang" in page.locator("table.inbox").inner_text()
    page.get_by_text("Save this filter as a tab").click()
    page.get_by_label("Name", exact=True).fill("Heather's reviews")
    page.get_by_role("button", name="Save filter").click()
    tab = page.locator(".tabs").get_by_role("link", name="Heather's reviews")
    assert tab.get_attribute("aria-current") == "page"
    page.goto(f"{base}/inbox")
    tab.click()
    page.screenshot(path=str(artifacts / "saved-filter.png"), full_page=True)
    assert "Monthly review" in page.locator("table.inbox").inner_text()


def test_a_delegation_round_trip(clinic, page, artifacts):
    base, service = clinic
    task = service.tasks(instance_id=service.start("review_loop", "MRN-1", None, CARL).id)[0]  # Carl's: routed
    sign_in(page, base, "carl")
    page.goto(f"{base}/tasks/{task.id}")
    page.get_by_text("Ask a colleague for input").click()
    page.get_by_label("Colleague").select_option("pia")
    page.get_by_label("What do you need from them?").fill("Is the statin dose right for her?")
    page.get_by_role("button", name="Ask for input").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "pia")
    page.get_by_role("link", name="Monthly review").click()
    assert "asks for your input" in page.locator(".task-actions").inner_text()
    page.get_by_label("Your note").fill("Dose is right; recheck lipids in 3 months")
    page.get_by_role("button", name="Hand back with this note").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "carl")
    page.goto(f"{base}/tasks/{task.id}")
    assert "Dose is right" in page.locator("ol.comments").inner_text()
    page.get_by_label("Discharge", exact=True).check()
    page.get_by_role("button", name="Submit").click()
    page.screenshot(path=str(artifacts / "delegation-done.png"), full_page=True)
    assert service.task(task.id).status == "completed"


def test_new_work_is_announced_without_a_reload(clinic, page):
    base, service = clinic
    page.clock.install()
    sign_in(page, base, "carl")
    page.wait_for_url(re.compile(r".*/inbox.*"))  # the inbox has counted before the work arrives
    page.wait_for_load_state("load")
    assert page.locator(".tabs a[data-tab=mine] .count").inner_text() == "0"
    service.start("review_loop", "MRN-1", None, CARL)  # routed to Carl: My tasks
    page.clock.fast_forward("00:31")
    notice = page.locator("#new-work")
    notice.wait_for(state="visible")
    assert notice.inner_text().startswith("1 new task")
    assert page.locator(".tabs a[data-tab=mine] .count").inner_text() == "1"


def test_the_task_page_fixes(clinic, page, artifacts):
    base, service = clinic
    first = service.tasks(instance_id=service.start("review_loop", "2040101", None, CARL).id)[0]
    service.complete(first.id, {"decision": "continue"}, CARL)
    second = service.tasks(instance_id=first.instance_id, status=("open",))[0]
    sign_in(page, base, "carl")
    page.goto(f"{base}/tasks/{first.id}")  # completed: who and when, the answers, no "overdue"
    body = page.locator("main").inner_text()
    assert "Completed by Carl Care" in body and "overdue" not in body and "Continue" in body
    page.goto(f"{base}/tasks/{second.id}")
    options = page.locator("#assignee option").all_inner_texts()
    assert "Nina Nurse" in options and not any("Admin" in o for o in options)
    page.get_by_label("Continue", exact=True).check()
    service.claim(second.id, Actor.person("nina", "nurse", "care_manager"))  # a colleague takes it meanwhile
    page.get_by_role("button", name="Save draft").click()
    alert = page.get_by_role("alert").inner_text()
    page.screenshot(path=str(artifacts / "draft-after-claim.png"), full_page=True)
    assert "Nina Nurse took this task" in alert and "kept as your draft" in alert
    assert page.locator(".flash-success").count() == 0
    assert "Continue" in page.locator("form.task-form").inner_text()  # what was typed, kept, read only now


def test_the_patient_page_fixes(clinic, page, bpmn_js, artifacts):
    base, service = clinic
    service.start("review_loop", "MRN-1", None, CARL)
    sign_in(page, base, "carl")
    page.goto(f"{base}/patients/MRN-1")
    scores = page.locator("section[aria-labelledby=h-risk]").inner_text()
    assert "None" not in scores and "not assessed" in scores
    assert "where the patient is now" in page.locator(".legend").first.inner_text()
    history = page.locator("ol.timeline").inner_text()
    assert "“Monthly review” went to Carl Care" in history and "(review)" not in history
    page.fill("#comment-body", "@ned please visit on Thursday")
    page.get_by_role("button", name="Comment").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "ned")
    assert page.locator(".notices-link .count").inner_text() == "1"


def test_add_patient_focuses_a_summary_that_names_each_field(clinic, page):
    base, _ = clinic
    sign_in(page, base, "carl")
    page.goto(f"{base}/patients/new")
    page.get_by_label("Phone").fill("call me")
    page.get_by_role("button", name="Add patient").click()
    summary = page.locator(".error-summary")
    assert summary.evaluate("el => el === document.activeElement")
    lines = summary.locator("li").all_inner_texts()
    assert any(line.startswith("Phone: Enter a phone number") for line in lines)
    assert any(line.startswith("MRN: ") for line in lines)


def test_times_show_in_the_persons_own_time_zone(clinic, page):
    base, service = clinic
    task = service.tasks(instance_id=service.start("review_loop", "MRN-1", None, CARL).id)[0]
    service.complete(task.id, {"decision": "continue"}, CARL)
    sign_in(page, base, "carl")
    page.goto(f"{base}/settings")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_role("button", name="Save").click()
    page.goto(f"{base}/tasks/{task.id}")
    assert "2026-03-02 08:00 CST" in page.locator(".flash-success").inner_text()


@pytest.mark.parametrize("width", [390, 768])
def test_every_page_fits_a_phone_and_a_tablet(clinic, page, bpmn_js, artifacts, width):
    base, service = clinic
    task = service.tasks(instance_id=service.start("review_loop", "MRN-1", None, CARL).id)[0]
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base, "carl")
    wide = {}
    for name, path in (("inbox", "/inbox"), ("patients", "/patients/?list=all"), ("my-patients", "/patients/"),
                       ("patient", "/patients/MRN-1"), ("task", f"/tasks/{task.id}"), ("new", "/patients/new"),
                       ("discharge", "/patients/MRN-1/discharge"), ("notices", "/notices"),
                       ("settings", "/settings")):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
        if no_overflow(page) > 0:
            wide[name] = no_overflow(page)
    assert wide == {}
