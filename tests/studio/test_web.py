"""The studio's pages and the editor's JSON routes, as a browser uses them."""
from __future__ import annotations

import io
import json

import pytest

from tests.pathways.library import PATHWAYS
from tests.studio.conftest import LEAD


@pytest.fixture
def lead(signed_in, service, users):
    service.deploy(PATHWAYS)
    browser = signed_in("lead")
    browser.draft = service.open_draft("pathways", LEAD)
    return browser


def save(browser, path, content, version, csrf=True):
    headers = {"X-CSRFToken": browser.token} if csrf else {}
    return browser.client.post(f"/studio/drafts/{browser.draft}/content/{path}", json={
        "content": content, "base_version": version}, headers=headers)


def current(browser, path):
    return browser.client.get(f"/studio/drafts/{browser.draft}/content/{path}").get_json()


def test_the_workspace_lists_the_bundle_and_its_draft(lead):
    page = lead.get("/studio/").get_data(as_text=True)
    assert ("pathways" in page, f"Draft {lead.draft}: Changes to pathways" in page) == (True, True)


def test_the_editor_page_carries_its_context_for_the_script(lead):
    page = lead.get(f"/studio/drafts/{lead.draft}?file=bpmn/ccm.bpmn").get_data(as_text=True)
    context = json.loads(page.split('<script type="application/json" id="studio-context">')[1].split("</script>")[0])
    assert (context["file"], "identification" in [p["value"] for p in context["processes"]],
            {"value": "lace_band", "label": "lace_band"} in context["decisions"]) == (
        {"path": "bpmn/ccm.bpmn", "version": 1, "kind": "bpmn"}, True, True)


def test_a_save_answers_the_new_version_and_the_lint_findings(lead):
    file = current(lead, "bpmn/ccm.bpmn")
    response = save(lead, "bpmn/ccm.bpmn", file["content"].replace("for CCM", "to CCM", 1), 1)
    body = response.get_json()
    assert (response.status_code, body["version"], [f for f in body["findings"] if f["severity"] == "error"]) == (
        200, 2, [])


def test_a_stale_save_is_a_409_naming_who_saved(lead):
    file = current(lead, "bpmn/ccm.bpmn")
    save(lead, "bpmn/ccm.bpmn", file["content"].replace("for CCM", "to CCM", 1), 1)
    response = save(lead, "bpmn/ccm.bpmn", file["content"].replace("for CCM", "into CCM", 1), 1)
    assert (response.status_code, "was saved by lead" in response.get_json()["error"]) == (409, True)


def test_malformed_xml_is_a_400_naming_the_file_and_the_draft_keeps_its_version(lead):
    response = save(lead, "bpmn/ccm.bpmn", "<bpmn:definitions>", 1)
    assert (response.status_code, response.get_json()["error"].startswith("bpmn/ccm.bpmn was not saved")) == (400, True)
    assert current(lead, "bpmn/ccm.bpmn")["version"] == 1


def test_a_save_without_the_csrf_token_is_refused(lead):
    file = current(lead, "bpmn/ccm.bpmn")
    assert save(lead, "bpmn/ccm.bpmn", file["content"], 1, csrf=False).status_code == 400


def test_the_preview_is_drawn_by_forms_and_checks_answers(lead):
    schema = {"type": "object", "required": ["age"], "properties": {"age": {"type": "integer", "title": "Age",
                                                                            "minimum": 0}}}
    drawn = lead.client.post(f"/studio/drafts/{lead.draft}/preview", json={"schema": schema, "ui_schema": {}},
                             headers={"X-CSRFToken": lead.token}).get_json()
    checked = lead.client.post(f"/studio/drafts/{lead.draft}/preview", headers={"X-CSRFToken": lead.token},
                               json={"schema": schema, "ui_schema": {}, "post": [["age", "-3"], ["action", "submit"]]})
    assert ("Age" in drawn["html"], checked.get_json()["message"]) == (True, "1 answer(s) the form refuses.")


def test_a_preview_of_a_schema_forms_cannot_draw_says_why(lead):
    response = lead.client.post(f"/studio/drafts/{lead.draft}/preview", headers={"X-CSRFToken": lead.token},
                                json={"schema": {"type": "object", "properties": {"x": {"type": "nonsense"}}},
                                      "ui_schema": {}})
    assert response.status_code == 200 and response.get_json()["message"].startswith("The form cannot be drawn")


def test_a_walk_answers_the_open_tasks_with_suggested_answers(lead):
    response = lead.client.post(f"/studio/drafts/{lead.draft}/walk", headers={"X-CSRFToken": lead.token},
                                json={"file": "bpmn/ccm.bpmn", "case": {"tasks": {}, "steps": []}})
    task = response.get_json()["open_tasks"][0]
    assert (task["key"], "candidate_decision" in task["suggested"]) == ("identification:review_candidate", True)


def walk(browser, case, answer=None):
    return browser.client.post(f"/studio/drafts/{browser.draft}/walk", headers={"X-CSRFToken": browser.token},
                               json={"file": "bpmn/engagement.bpmn", "case": case, "answer": answer})


def test_a_walk_draws_the_task_form_and_reads_it_as_a_task_page_does(lead):
    task = walk(lead, {"start_data": {"program_code": "ccm"}}).get_json()["open_tasks"][0]
    assert task["key"] == "engagement:outreach_attempt" and 'name="outreach_method"' in task["html"]
    filled = [["outreach_method", "phone"], ["outreach_outcome", "reached"], ["spoke_with", "patient"]]
    answer = {"key": task["key"], "schema": task["schema"], "ui_schema": task["ui_schema"], "data": task["data"]}
    refused = walk(lead, {"start_data": {"program_code": "ccm"}}, {**answer, "post": filled + [["minutes_spent", "ten"]]})
    assert (refused.status_code, refused.get_json()["error"]) == (
        400, "1 answer(s) the form refuses: minutes_spent: Enter a whole number between 0 and 480")
    assert 'value="ten"' in refused.get_json()["html"]  # what was typed is shown again with its message
    outcome = walk(lead, {"start_data": {"program_code": "ccm"}}, {**answer, "post": filled + [["minutes_spent", "10"]]})
    body = outcome.get_json()
    assert body["case"]["tasks"]["engagement:outreach_attempt"]["data"][0]["minutes_spent"] == 10
    assert [t["key"] for t in body["open_tasks"]] == ["engagement:record_consent"]


def test_a_walk_answer_without_its_task_is_refused(lead):
    response = walk(lead, {}, {"post": []})
    assert (response.status_code, response.get_json()["error"]) == (
        400, "answer must name the task (key) and hold the form's fields (post)")


def test_a_recorded_case_is_saved_beside_the_diagram(lead):
    case = {"tasks": {}, "expected_status": "waiting", "expected_tasks": {"care_manager": ["review_candidate"]}}
    response = lead.client.post(f"/studio/drafts/{lead.draft}/cases", headers={"X-CSRFToken": lead.token},
                                json={"file": "bpmn/ccm.bpmn", "name": "waits_for_the_review", "case": case})
    stored = json.loads(current(lead, "bpmn/test_ccm.json")["content"])
    assert (response.status_code, "waits_for_the_review" in stored, "enrolled_reviewed_and_discharged" in stored) == (
        200, True, True)


def test_a_questionnaire_becomes_a_form_of_the_draft(lead):
    questionnaire = {"resourceType": "Questionnaire", "name": "Falls risk", "status": "active",
                     "item": [{"linkId": "fell", "text": "Fell in the last year?", "type": "boolean"},
                              {"linkId": "photo", "text": "Photo", "type": "attachment"}]}
    response = lead.post(f"/studio/drafts/{lead.draft}/questionnaire", {
        "name": "falls", "file": (io.BytesIO(json.dumps(questionnaire).encode()), "falls.json")},
        content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert ("Imported the questionnaire as forms/falls-schema.json" in page, "Not mapped: photo" in page) == (True, True)


def test_a_file_that_is_not_a_questionnaire_is_refused(lead):
    response = lead.post(f"/studio/drafts/{lead.draft}/questionnaire", {
        "name": "x", "file": (io.BytesIO(b'{"resourceType": "Patient"}'), "p.json")}, content_type="multipart/form-data")
    assert response.status_code == 400


def test_the_history_page_shows_each_version(lead):
    page = lead.get("/studio/bundles/pathways/history").get_data(as_text=True)
    assert "deployed from the command line" in page


def test_the_review_page_offers_the_decision_to_a_second_lead_only(lead, signed_in, service):
    from engine.care import accounts
    from tests.studio.conftest import ready_to_publish
    from tests.webapp.conftest import PASSWORD

    with service.db.transaction() as session:
        accounts.create_user(session, "lee", PASSWORD, ["clinical_lead"], display_name="Lee")
    ready_to_publish(service, lead.draft)
    lead.post(f"/studio/drafts/{lead.draft}/publish", {"note": "A clearer name for the referral"})
    url = f"/studio/drafts/{lead.draft}/review"
    author, second = lead.get(url).get_data(as_text=True), signed_in("lee").get(url).get_data(as_text=True)
    assert ('value="approved"' in author, "Waiting for a clinical lead or an admin who did not edit" in author) == (
        False, True)
    assert ('value="approved"' in second, f'action="/studio/drafts/{lead.draft}/publish"' in second) == (True, False)

