"""The patient page draws each program on its pathway diagram with bpmn-js, in a real browser: the current step
highlighted, the completed steps marked, the stage the patient is in open and the others drawn when opened."""
from __future__ import annotations

import pytest

from engine.care import accounts, patients
from engine.care.actors import Actor
from engine.care.patients import PatientInput
from tests.e2e.test_phq9_in_the_browser import sign_in
from tests.pathways.answers import CCM_CANDIDATE, Team, enrol
from tests.pathways.library import deploy_library

CURRENT, DONE = "step-current", "step-done"


@pytest.fixture
def in_engagement(live, bpmn_js):
    """A CCM patient whose candidate review is done: the program now waits in the engagement stage."""
    _, service = live
    with service.db.transaction() as s:
        accounts.create_user(s, "carl", "correct horse battery", ["care_manager"], display_name="Carl Care")
        patients.add_patient(s, PatientInput(mrn="MRN-7", given_name="Grace", family_name="Hopper",
                                             birth_date="1946-12-09", sex="female"), by="e2e")
    deploy_library(service)
    instance_id = service.start("ccm", "MRN-7", CCM_CANDIDATE, Actor.person("carl", "care_manager")).id
    enrol(Team(service), instance_id)
    return instance_id


def marker_of(page, figure, element_id: str) -> str:
    """The step marker bpmn-js drew on an element of one diagram: current, done or none."""
    element = figure.locator(f".djs-element[data-element-id='{element_id}']").first
    element.wait_for(state="attached")
    classes = element.get_attribute("class") or ""
    return CURRENT if CURRENT in classes else DONE if DONE in classes else ""


def test_the_program_diagram_marks_the_current_stage_and_the_done_one(live, page, in_engagement, artifacts):
    base, _ = live
    sign_in(page, base, "carl")
    page.goto(f"{base}/patients/MRN-7")
    program = page.locator(".diagram-figure").first
    program.locator(".diagram.ready").wait_for()
    page.screenshot(path=str(artifacts / "patient-diagram.png"), full_page=True)
    assert marker_of(page, program, "engagement") == CURRENT
    assert marker_of(page, program, "identification") == DONE
    assert "now at: Engagement" in program.locator("figcaption").inner_text()


def test_the_stage_the_patient_is_in_is_open_with_its_waiting_task_highlighted(live, page, in_engagement):
    base, _ = live
    sign_in(page, base, "carl")
    page.goto(f"{base}/patients/MRN-7")
    stage = page.locator("details.stage-diagram", has_text="Engagement")
    assert stage.get_attribute("open") is not None
    stage.locator(".diagram.ready").wait_for()
    assert marker_of(page, stage, "outreach_attempt") == CURRENT


def test_a_finished_stage_is_folded_and_drawn_with_its_done_steps_when_opened(live, page, in_engagement):
    base, _ = live
    sign_in(page, base, "carl")
    page.goto(f"{base}/patients/MRN-7")
    stage = page.locator("details.stage-diagram", has_text="Identification")
    assert stage.get_attribute("open") is None and "done" in stage.locator("summary").inner_text()
    stage.locator("summary").click()
    stage.locator(".diagram.ready").wait_for()
    assert marker_of(page, stage, "review_candidate") == DONE
