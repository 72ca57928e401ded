"""Tasks and instances through the API: the inbox's filters with cursor paging, a task with its form, claim,
release, assign, complete (refusals per field, as problem documents), instances with their steps and history."""
from __future__ import annotations

import pytest

from engine.service import Actor
from tests.api.conftest import FIXTURES
from tests.registry import register

CARL = Actor.person("carl", "care_manager")


@pytest.fixture
def reviews(service, users):
    """Open monthly reviews (care_manager) of five patients, P1 to P5."""
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    ids = [f"P{n}" for n in range(1, 6)]
    register(service, *ids)
    return [service.tasks(instance_id=service.start("review_loop", p, None, CARL).id)[0].id for p in ids]


@pytest.fixture
def carl_api(new_client, users):
    return new_client("carls-tool", ["tasks:read", "tasks:write", "instances:read"], username="carl")


def test_tasks_page_by_cursor_until_the_last(api, reviews):
    seen, cursor = [], None
    while True:
        page = api.get("/api/v1/tasks", query_string={"limit": 2, "sort": "created", **({"cursor": cursor}
                                                                                       if cursor else {})}).get_json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == reviews


def test_a_cursor_with_other_filters_is_refused(api, reviews):
    cursor = api.get("/api/v1/tasks", query_string={"limit": 2}).get_json()["next_cursor"]
    response = api.get("/api/v1/tasks", query_string={"limit": 2, "patient_id": "P1", "cursor": cursor})
    assert response.status_code == 400 and "other filters" in response.get_json()["detail"]


def test_tasks_filter_by_patient(api, reviews):
    assert [t["patient_id"] for t in api.get("/api/v1/tasks?patient_id=P3").get_json()["items"]] == ["P3"]


def test_a_person_reads_their_inbox_tab(carl_api, reviews, service):
    service.claim(reviews[0], CARL)
    assert [t["id"] for t in carl_api.get("/api/v1/tasks?tab=mine").get_json()["items"]] == [reviews[0]]


def test_a_service_account_has_no_inbox_tab(api, reviews):
    assert api.get("/api/v1/tasks?tab=mine").status_code == 400


def test_a_task_comes_with_its_form_and_data(api, reviews):
    body = api.get(f"/api/v1/tasks/{reviews[0]}").get_json()
    assert (body["form"]["name"], "decision" in body["form"]["schema"]["properties"], body["form"]["data"]["patient_id"]) \
        == ("review-schema.json", True, "P1")


def test_claim_then_release(carl_api, reviews):
    claimed = carl_api.post(f"/api/v1/tasks/{reviews[0]}/claim").get_json()
    released = carl_api.post(f"/api/v1/tasks/{reviews[0]}/release").get_json()
    assert (claimed["status"], claimed["assignee"], released["status"]) == ("claimed", "carl", "open")


def test_a_task_claimed_by_someone_else_is_refused_as_the_web_refuses_it(carl_api, new_client, reviews):
    nina = new_client("ninas-tool", ["tasks:write"], username="nina")
    nina.post(f"/api/v1/tasks/{reviews[0]}/claim")
    response = carl_api.post(f"/api/v1/tasks/{reviews[0]}/claim")
    assert (response.status_code, "claimed by nina" in response.get_json()["detail"]) == (403, True)


def test_assign_to_a_colleague_with_the_role(carl_api, reviews):
    assert carl_api.post(f"/api/v1/tasks/{reviews[0]}/assign", json={"assignee": "nina"}).get_json()["assignee"] == "nina"


def test_assign_to_someone_without_the_role_is_400(carl_api, reviews):
    assert carl_api.post(f"/api/v1/tasks/{reviews[0]}/assign", json={"assignee": "sam"}).status_code == 400


def test_complete_returns_the_task_and_the_next_one(carl_api, reviews):
    body = carl_api.post(f"/api/v1/tasks/{reviews[0]}/complete", json={"data": {"decision": "continue"}}).get_json()
    assert (body["task"]["status"], body["task"]["completed_by"], body["next_task"]["title"]) == (
        "completed", "carl", "Monthly review")


def test_completing_twice_is_409(carl_api, reviews):
    carl_api.post(f"/api/v1/tasks/{reviews[0]}/complete", json={"data": {"decision": "continue"}})
    response = carl_api.post(f"/api/v1/tasks/{reviews[0]}/complete", json={"data": {"decision": "continue"}})
    assert (response.status_code, "already completed" in response.get_json()["detail"]) == (409, True)


def test_a_refused_form_names_each_field_in_words_for_people(carl_api, reviews):
    response = carl_api.post(f"/api/v1/tasks/{reviews[0]}/complete", json={"data": {"decision": "maybe"}})
    body = response.get_json()
    assert (response.status_code, response.mimetype, body["type"]) == (
        400, "application/problem+json", "urn:carepath:problem:form-invalid")
    assert [(e["pointer"], e["detail"]) for e in body["errors"]] == [("#/decision", "Choose from the options given")]


def test_an_unknown_body_field_is_refused_by_name(carl_api, reviews):
    response = carl_api.post(f"/api/v1/tasks/{reviews[0]}/complete", json={"data": {}, "minuts": 5})
    assert [(e["pointer"], e["detail"]) for e in response.get_json()["errors"]] == [("#/minuts", "Unknown field.")]


def test_a_task_that_does_not_exist_is_404(api):
    assert api.get("/api/v1/tasks/999").status_code == 404


def test_an_id_no_row_can_have_is_404_as_a_problem(api):
    response = api.get("/api/v1/tasks/99999999999")
    assert (response.status_code, response.mimetype) == (404, "application/problem+json")


def test_an_instance_shows_its_steps_and_history(api, reviews):
    task = api.get(f"/api/v1/tasks/{reviews[0]}").get_json()
    body = api.get(f"/api/v1/instances/{task['instance_id']}").get_json()
    assert (body["status"], [t["title"] for t in body["tasks"]], body["history"][0]["action"]) == (
        "running", ["Monthly review"], "started")


def test_instances_page_newest_first(api, reviews):
    first = api.get("/api/v1/instances?limit=3").get_json()
    second = api.get("/api/v1/instances", query_string={"limit": 3, "cursor": first["next_cursor"]}).get_json()
    assert [i["patient_id"] for i in first["items"] + second["items"]] == ["P5", "P4", "P3", "P2", "P1"]
    assert second["next_cursor"] is None


def test_a_method_a_path_does_not_take_is_405_naming_the_ones_it_does(api):
    response = api.delete("/api/v1/tasks")
    assert (response.status_code, response.headers["Allow"], response.mimetype) == (
        405, "GET", "application/problem+json")


def test_a_path_with_no_operation_is_404_as_a_problem(api):
    response = api.get("/api/v1/nothing/here")
    assert (response.status_code, response.get_json()["type"]) == (404, "urn:carepath:problem:not-found")


def test_a_body_that_is_not_json_is_400(api, reviews):
    response = api.client.post(f"/api/v1/tasks/{reviews[0]}/complete", data="{not json",
                               headers={**api.headers(), "Content-Type": "application/json"})
    assert (response.status_code, response.mimetype) == (400, "application/problem+json")
