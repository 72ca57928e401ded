"""The pathway studio in Debian's Chromium: a lead changes CCM (a nurse task with a new form of three fields), sees
a lint problem pinned on a gateway and fixes it, writes a test case and runs the tests green, publishes; a second
lead approves; a patient started afterwards gets the new task in the nurse queue, one started before keeps the old
path. And every shipped pathway goes through the editor and back without a change that matters."""
from __future__ import annotations

import json
import re

import pytest

from engine.authoring.lint import lint_bundle
from engine.care import accounts
from engine.care.actors import Actor
from engine.deploy.bundle import Bundle, load_bundle
from engine.deploy.parsing import parse_bundle
from engine.service import roles
from engine.studio.testing import run_bundle
from tests.e2e.conftest import PASSWORD
from tests.pathways.answers import CCM_CANDIDATE
from tests.pathways.library import PATHWAYS
from tests.registry import register
from webapp.diagrams.views import NODE_MODULES

BUILD = NODE_MODULES.parent / "webapp" / "static" / "build" / "studio.js"
TASK_NAME = "Nurse welcome call"
FORM = "ccm-nurse_welcome_call"


@pytest.fixture
def studio_bundle():
    if not BUILD.is_file():
        pytest.skip(f"the studio's script is not built ({BUILD} is missing; `npm run build` makes it)")


@pytest.fixture
def team(live):
    _, service = live
    with service.db.transaction() as s:
        for name, role_names in (("lead", [roles.CLINICAL_LEAD]), ("lee", [roles.CLINICAL_LEAD]),
                                 ("nina", ["nurse", roles.CARE_MANAGER])):
            accounts.create_user(s, name, PASSWORD, role_names, display_name=name.capitalize())
    service.deploy(PATHWAYS)
    return service


def sign_in(page, base, username):
    # a request still running for the page before could set the session cookie again after it is cleared:
    # let it end, and leave the page, first
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/inbox.*"))


def open_file(page, base, draft_id, path):
    page.goto(f"{base}/studio/drafts/{draft_id}?file={path}")
    page.wait_for_selector("body[data-editor-ready='1']")


def saved(page):
    page.wait_for_selector("body[data-saved-version]:not([data-saved-version=''])")


def shoot(page, artifacts, name):
    for width in (1280, 768, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        page.screenshot(path=str(artifacts / f"studio-{name}-{width}.png"), full_page=True)
        assert overflow <= 0, f"{name} overflows by {overflow} px at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


ADD_TASK = """() => {
  const m = window.carepathModeler;
  const registry = m.get('elementRegistry'), modeling = m.get('modeling'), factory = m.get('elementFactory');
  const pool = registry.get('Participant_ccm');
  const nurseLane = modeling.addLane(pool, 'bottom');
  const otherLane = registry.filter((e) => e.type === 'bpmn:Lane' && e.id !== nurseLane.id)[0];
  const setUp = registry.get('set_up_program'), identification = registry.get('identification');
  modeling.removeConnection(registry.get('flow_to_identification'));
  const task = modeling.createShape(factory.createShape({ type: 'bpmn:UserTask' }),
    { x: setUp.x + 120, y: nurseLane.y + nurseLane.height / 2 }, nurseLane);
  modeling.updateLabel(task, 'TASK_NAME');
  const gateway = modeling.createShape(factory.createShape({ type: 'bpmn:ExclusiveGateway' }),
    { x: setUp.x + 150, y: setUp.y + setUp.height / 2 }, otherLane);
  modeling.updateLabel(gateway, 'Welcome call first?');
  modeling.connect(setUp, gateway);
  const toTask = modeling.connect(gateway, task);
  const skip = modeling.connect(gateway, identification);
  modeling.connect(task, identification);
  return { nurseLane: nurseLane.id, otherLane: otherLane.id, task: task.id, gateway: gateway.id,
           toTask: toTask.id, skip: skip.id };
}""".replace("TASK_NAME", TASK_NAME)


def select(page, element_id):
    page.evaluate("(id) => { const m = window.carepathModeler; "
                  "m.get('selection').select(m.get('elementRegistry').get(id)); }", element_id)


def fix_old_cases(text: str, ids: dict) -> str:
    """The shipped CCM cases now meet the welcome call first: answer it, and expect it on the path."""
    cases = json.loads(text)
    for name, case in cases.items():
        if name == "welcome_call_comes_first":
            continue
        case["tasks"][f"ccm:{ids['task']}"] = {"data": [{"call_outcome": "reached", "minutes_spent": 10}]}
        at = case["expected_path"].index("set_up_program") + 1
        case["expected_path"][at:at] = [ids["gateway"], ids["task"]]
        case["expected_tasks"]["nurse"] = [ids["task"]] + case["expected_tasks"].get("nurse", [])
        for step in case.get("steps", []):
            if "after_tasks" in step:
                step["after_tasks"] += 1
    return json.dumps(cases, indent=2)


def test_a_lead_changes_ccm_and_it_reaches_new_patients_only(live, team, page, artifacts, studio_bundle):
    base, service = live
    register(service, "MRN-OLD")
    register(service, "MRN-NEW")
    before = service.start("ccm", "MRN-OLD", CCM_CANDIDATE, Actor.person("nina", "nurse", "care_manager"))
    page.on("dialog", lambda dialog: dialog.accept(FORM))

    # 1. a lead opens CCM
    sign_in(page, base, "lead")
    page.goto(f"{base}/studio/")
    shoot(page, artifacts, "workspace")
    page.click("text=Open draft")
    draft_id = int(re.search(r"/studio/drafts/(\d+)", page.url).group(1))
    open_file(page, base, draft_id, "bpmn/ccm.bpmn")
    assert int(page.evaluate("document.body.dataset.openedMs")) < 5000

    # 2. a user task in a nurse lane, with a new form, connected
    ids = page.evaluate(ADD_TASK)
    select(page, ids["nurseLane"])
    page.select_option("#bio-properties-panel-carepath-lane-role", "nurse")
    select(page, ids["otherLane"])
    page.select_option("#bio-properties-panel-carepath-lane-role", "care_manager")
    select(page, ids["task"])
    page.select_option("#bio-properties-panel-carepath-form", "__new__")
    page.wait_for_selector(f"body[data-form-created='forms/{FORM}-schema.json']")
    page.fill("#bio-properties-panel-carepath-due-in", "P1D")
    page.wait_for_timeout(800)
    page.click("#save-now")
    saved(page)

    # 3. the gateway without conditions is pinned; the lead fixes it
    badge = f".lint-badge[data-element='{ids['gateway']}']"
    page.wait_for_selector(badge)
    shoot(page, artifacts, "lint-on-gateway")
    page.click(badge)
    assert page.evaluate("window.carepathModeler.get('selection').get()[0].id") == ids["gateway"]
    select(page, ids["toTask"])
    page.fill("#bio-properties-panel-carepath-condition", "program_code == 'ccm'")
    page.wait_for_timeout(800)  # the properties panel applies typing after a pause
    select(page, ids["skip"])
    page.check("#bio-properties-panel-carepath-default-flow")
    page.click("#save-now")
    saved(page)
    page.click("#tidy")
    page.wait_for_selector("body[data-problems='0']")
    assert page.query_selector(f".lint-badge[data-element='{ids['gateway']}']") is None

    # ... and gives the form its three fields
    open_file(page, base, draft_id, f"forms/{FORM}-schema.json")
    for name in ("call_outcome", "call_notes", "minutes_spent"):
        page.fill("#new-field-name", name)
        page.click("#add-field")
    page.select_option("[aria-label='Type of call_outcome']", "choice")
    page.fill("[aria-label='Choices of call_outcome']", "reached, no_answer")
    page.check("[data-field='call_outcome'] >> text=Required")
    page.select_option("[aria-label='Type of call_notes']", "textarea")
    page.select_option("[aria-label='Type of minutes_spent']", "integer")
    page.fill("[aria-label='Minimum of minutes_spent']", "0")
    page.wait_for_selector("#preview >> text=Call outcome")
    page.click("#save-form")
    page.wait_for_selector("#raw-message[data-kind='ok']")
    shoot(page, artifacts, "form-editor")

    # 4. a test case, written by walking through, and every test green
    open_file(page, base, draft_id, "bpmn/ccm.bpmn")
    page.click("#walk-start")
    page.wait_for_selector(f".walk-task >> text={TASK_NAME}")
    task = page.locator(".walk-task", has_text=TASK_NAME)  # the new form, drawn as the nurse will see it
    task.get_by_label("reached").check()
    task.get_by_label("Minutes spent").fill("five")
    task.get_by_role("button", name="Complete task", exact=True).click()
    page.wait_for_selector(".walk-task >> text=Enter a whole number")  # the form's own message, nothing lost
    task.get_by_label("Minutes spent").fill("5")
    task.get_by_role("button", name="Complete task", exact=True).click()
    page.wait_for_selector(".walk-task >> text=Review candidate")
    page.fill("[aria-label='Case name']", "welcome_call_comes_first")
    page.click("text=Save case")
    page.wait_for_selector("body[data-case-saved='welcome_call_comes_first']")
    open_file(page, base, draft_id, "bpmn/test_ccm.json")
    page.fill("#raw-text", fix_old_cases(page.input_value("#raw-text"), ids))
    page.click("#raw-save")
    page.wait_for_selector("#raw-message[data-kind='ok']")
    open_file(page, base, draft_id, "bpmn/ccm.bpmn")
    page.click("#run-tests")
    page.wait_for_selector("body[data-tests-failed]", timeout=60_000)
    failures = page.inner_text("#test-results")
    assert page.evaluate("document.body.dataset.testsFailed") == "0", failures
    page.click("[data-case='welcome_call_comes_first'] button")  # draws the case's path
    assert page.query_selector(f"[data-element-id='{ids['task']}'].path-step") is not None
    shoot(page, artifacts, "tests-green")

    # 5. the lead publishes
    page.goto(f"{base}/studio/drafts/{draft_id}/review")
    page.wait_for_selector("body[data-diff-ready='1']")
    shoot(page, artifacts, "review")
    page.fill("#note", "A nurse welcome call before identification, with its own form")
    page.click("button:has-text('Publish')")
    page.wait_for_selector("text=Waiting for a second person's approval")
    assert len(service.versions()) == 1

    # 6. a second lead approves, and it is published
    sign_in(page, base, "lee")
    page.goto(f"{base}/studio/drafts/{draft_id}/review")
    page.click("button[value='approved']")
    page.wait_for_selector("text=Published pathways v2")
    shoot(page, artifacts, "history")
    assert page.inner_text("tr[data-version='2']").count("lee") == 1

    # 7. a patient started afterwards gets the new task in the nurse queue; one started before keeps the old path
    after = service.start("ccm", "MRN-NEW", CCM_CANDIDATE, Actor.person("nina", "nurse", "care_manager"))
    sign_in(page, base, "nina")
    page.goto(f"{base}/inbox?tab=role:nurse")
    assert TASK_NAME in page.inner_text("main")
    assert [t.title for t in service.tasks(instance_id=after.id)] == [TASK_NAME]
    assert [t.title for t in service.tasks(instance_id=before.id)] == ["Review candidate"]


ROUND_TRIP = """async () => {
  const { xml } = await window.carepathModeler.saveXML({ format: true });
  return xml;
}"""


def test_every_shipped_pathway_goes_through_the_editor_unchanged(live, team, page, studio_bundle):
    base, service = live
    sign_in(page, base, "lead")
    draft_id = service.open_draft("pathways", Actor.person("lead", roles.CLINICAL_LEAD))
    library = load_bundle(PATHWAYS)
    files = dict(library.files)
    for path in sorted(p for p in library.files if p.endswith(".bpmn")):
        open_file(page, base, draft_id, path)
        files[path] = page.evaluate(ROUND_TRIP).encode("utf-8")
    exported = Bundle("pathways", files)
    before, after = parse_bundle(library), parse_bundle(exported)
    assert {k: (v.name, v.executable, v.called) for k, v in before.processes.items()} == \
        {k: (v.name, v.executable, v.called) for k, v in after.processes.items()}
    assert [str(f) for f in lint_bundle(exported).at_least("warning")] == []
    report = run_bundle(exported)
    assert (report.failed, report.passed) == (0, 20)


def refused_in_the_browser(page, save_button) -> str:
    page.click(save_button)
    page.wait_for_selector("#raw-message[data-kind='error']")
    return page.inner_text("#raw-message")


def test_bad_input_is_named_and_nothing_is_lost(live, team, page, studio_bundle):
    """Malformed XML pasted into the raw editor, a form schema that is not JSON Schema, a decision table that does
    not parse: each is refused naming the file and the line or element; the text stays in its box and the draft
    keeps its last version."""
    base, service = live
    lead = Actor.person("lead", roles.CLINICAL_LEAD)
    sign_in(page, base, "lead")
    draft_id = service.open_draft("pathways", lead)
    stored = {path: service.draft_file(draft_id, path, lead) for path in
              ("bpmn/ccm.bpmn", "forms/engagement-consent-schema.json", "dmn/lace_band.dmn")}

    open_file(page, base, draft_id, "bpmn/ccm.bpmn")
    page.click("#raw-toggle")
    broken = stored["bpmn/ccm.bpmn"][0].decode().replace("</bpmn:scriptTask>", "</bpmn:scriptTusk>", 1)
    page.fill("#raw-text", broken)
    message = refused_in_the_browser(page, "#raw-save")
    assert message.startswith("bpmn/ccm.bpmn was not saved (the draft keeps its last version): line ")
    assert "scriptTusk" in message and page.input_value("#raw-text") == broken

    open_file(page, base, draft_id, "forms/engagement-consent-schema.json")
    page.click("summary:has-text('Raw JSON Schema')")
    not_json_schema = json.dumps({"type": "object", "properties": {"age": {"type": "whole number"}}})
    page.fill("#raw-schema", not_json_schema)
    message = refused_in_the_browser(page, "#save-form")
    assert "forms/engagement-consent-schema.json was not saved" in message and "/properties/age/type" in message
    assert page.input_value("#raw-schema") == not_json_schema

    open_file(page, base, draft_id, "dmn/lace_band.dmn")
    page.click("#raw-toggle")
    page.wait_for_function("document.getElementById('raw-text').value.includes('<output')")
    unparsable = page.input_value("#raw-text").replace("<output ", "<outcome ", 1)
    page.fill("#raw-text", unparsable)
    message = refused_in_the_browser(page, "#raw-save")
    assert message.startswith("dmn/lace_band.dmn was not saved") and "element Rule_lace_band_1" in message
    assert page.input_value("#raw-text") == unparsable

    assert {path: service.draft_file(draft_id, path, lead) for path in stored} == stored


def test_two_leads_saving_the_same_diagram_get_a_conflict_and_keep_their_edit(live, team, page, studio_bundle):
    base, service = live
    lead, lee = Actor.person("lead", roles.CLINICAL_LEAD), Actor.person("lee", roles.CLINICAL_LEAD)
    sign_in(page, base, "lead")
    draft_id = service.open_draft("pathways", lead)
    open_file(page, base, draft_id, "bpmn/ccm.bpmn")
    content, version = service.draft_file(draft_id, "bpmn/ccm.bpmn", lee)
    service.save_draft_file(draft_id, "bpmn/ccm.bpmn", content.replace(b'name="Patient referred for CCM"',
                                                                        b'name="Referred to CCM"', 1), version, lee)
    page.evaluate("() => { const m = window.carepathModeler; "
                  "m.get('modeling').updateLabel(m.get('elementRegistry').get('set_up_program'), 'Set up, my way'); }")
    page.click("#save-now")
    page.wait_for_selector("#conflict:not([hidden])")
    assert "bpmn/ccm.bpmn was saved by lee" in page.inner_text("#conflict")
    assert page.query_selector("#conflict >> text=Download my version") is not None
    assert "Set up, my way" in page.evaluate(ROUND_TRIP)  # the lead's edit is still in the editor
    assert service.draft_file(draft_id, "bpmn/ccm.bpmn", lead) == (
        content.replace(b'name="Patient referred for CCM"', b'name="Referred to CCM"', 1), version + 1)


def test_the_form_editor_orders_fields_and_shows_a_condition_in_the_preview(live, team, page, studio_bundle):
    base, service = live
    lead = Actor.person("lead", roles.CLINICAL_LEAD)
    sign_in(page, base, "lead")
    draft_id = service.open_draft("pathways", lead)
    page.goto(f"{base}/studio/drafts/{draft_id}")
    page.click("summary:has-text('Add a form')")
    page.fill("#new-form-name", "test-smoking")
    page.click("button:has-text('Add form')")
    page.wait_for_selector("body[data-editor-ready='1']")
    for name in ("packs_per_day", "smokes"):
        page.fill("#new-field-name", name)
        page.click("#add-field")
    page.click("[aria-label='Move smokes up']")
    page.select_option("[aria-label='Type of smokes']", "boolean")
    page.select_option("[aria-label='Type of packs_per_day']", "integer")
    page.select_option("[aria-label='Condition field of packs_per_day']", "smokes")
    page.fill("[aria-label='Condition value of packs_per_day']", "true")
    page.wait_for_selector("#preview >> text=Smokes")
    assert page.is_hidden("#preview >> text=Packs per day")  # shown only when smokes is ticked, by forms.js
    page.check("#preview >> [name='smokes']")
    page.wait_for_selector("#preview >> text=Packs per day", state="visible")
    page.click("#save-form")
    page.wait_for_selector("#raw-message[data-kind='ok']")
    schema = json.loads(service.draft_file(draft_id, "forms/test-smoking-schema.json", lead)[0])
    ui = json.loads(service.draft_file(draft_id, "forms/test-smoking-uischema.json", lead)[0])
    assert ui["ui:order"][:2] == ["smokes", "packs_per_day"]
    assert schema["properties"]["smokes"]["type"] == "boolean"
    assert [part["if"]["properties"] for part in schema["allOf"]] == [{"smokes": {"const": True}}]


def test_a_decision_table_edited_in_dmn_js_is_saved_to_the_draft(live, team, page, studio_bundle):
    base, service = live
    lead = Actor.person("lead", roles.CLINICAL_LEAD)
    sign_in(page, base, "lead")
    draft_id = service.open_draft("pathways", lead)
    _, version = service.draft_file(draft_id, "dmn/lace_band.dmn", lead)
    open_file(page, base, draft_id, "dmn/lace_band.dmn")
    cell = page.locator("td[data-element-id='Rule_lace_band_1_out_lace_band'] [contenteditable]")
    cell.click()
    page.keyboard.press("End")
    page.keyboard.press("Backspace")
    page.keyboard.type("est\"")  # "low" -> "lowest"
    page.click("#save-now")
    page.wait_for_selector(f"body[data-saved-version='{version + 1}']")
    content, saved = service.draft_file(draft_id, "dmn/lace_band.dmn", lead)
    assert saved == version + 1 and b'"lowest"' in content
