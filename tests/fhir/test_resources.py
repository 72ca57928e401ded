"""Every FHIR resource carepath serves validates against FHIR R4 (fhir.resources, its R4B models), read by id
and in search Bundles; and each says what it should: a Task's status, owner, performerType, due date and
priority, a care plan's goals and activities, a completed form's answers."""
from __future__ import annotations

import pytest

from tests.fhir.conftest import valid

SEARCHES = ["Patient", "Patient?name=lovelace", "Patient?identifier=urn:carepath:mrn|MRN-1", "Patient?_id=MRN-1",
            "Task?patient=MRN-1", "Task?patient=Patient/MRN-1&status=completed", "CarePlan?patient=MRN-1",
            "Goal?patient=MRN-1", "CareTeam?patient=MRN-1", "QuestionnaireResponse?patient=MRN-1",
            "AuditEvent?patient=MRN-1"]


@pytest.mark.parametrize("search", SEARCHES)
def test_every_search_answers_a_valid_bundle(api, record, search):
    response = api.get(f"/fhir/R4/{search}")
    bundle = valid(response.get_json())
    assert (response.status_code, response.mimetype, bundle["type"], len(bundle["entry"]) > 0) == (
        200, "application/fhir+json", "searchset", True)


def test_every_resource_read_by_id_is_valid(api, record, service):
    urls = [f"Patient/{record['patient']}", f"Task/{record['completed']}", f"Task/{record['claimed']}",
            f"CarePlan/program-{record['instance']}", f"CareTeam/{record['patient']}",
            f"QuestionnaireResponse/{record['completed']}"]
    goal = api.get("/fhir/R4/Goal?patient=MRN-1").get_json()["entry"][0]["resource"]["id"]
    event = api.get("/fhir/R4/AuditEvent?patient=MRN-1").get_json()["entry"][0]["resource"]["id"]
    for url in urls + [f"Goal/{goal}", f"AuditEvent/{event}"]:
        response = api.get(f"/fhir/R4/{url}")
        assert response.status_code == 200, (url, response.get_json())
        assert valid(response.get_json())["resourceType"] == url.split("/")[0]


def test_the_capability_statement_is_valid_and_public(app):
    response = app.test_client().get("/fhir/R4/metadata")
    statement = valid(response.get_json())
    assert (response.status_code, statement["fhirVersion"]) == (200, "4.0.1")
    assert {r["type"] for r in statement["rest"][0]["resource"]} >= {
        "Patient", "CarePlan", "Goal", "CareTeam", "Task", "QuestionnaireResponse", "AuditEvent", "Encounter",
        "Observation"}


def test_errors_are_valid_operation_outcomes(api, record):
    for url in ("/fhir/R4/Patient/NOPE", "/fhir/R4/Task?patient=", "/fhir/R4/Nothing", "/fhir/R4/Task/99999999999"):
        response = api.get(url)
        outcome = valid(response.get_json())
        assert (response.status_code >= 400, outcome["resourceType"], response.mimetype) == (
            True, "OperationOutcome", "application/fhir+json"), url


def test_a_claimed_task_maps_status_owner_role_due_and_priority(api, record):
    task = valid(api.get(f"/fhir/R4/Task/{record['claimed']}").get_json())
    assert (task["status"], task["owner"]["identifier"]["value"], task["performerType"][0]["coding"][0]["code"],
            task["priority"]) == ("in-progress", "carl", "care_manager", "urgent")  # high -> urgent
    assert task["restriction"]["period"]["end"].endswith("Z")


def test_a_completed_task_points_at_its_answers(api, record):
    task = valid(api.get(f"/fhir/R4/Task/{record['completed']}").get_json())
    assert (task["status"], task["output"][0]["valueReference"]["reference"]) == (
        "completed", f"QuestionnaireResponse/{record['completed']}")


def test_a_completed_form_answers_item_by_item_with_the_forms_titles(api, record):
    answers = valid(api.get(f"/fhir/R4/QuestionnaireResponse/{record['completed']}").get_json())
    items = {i["linkId"]: i for i in answers["item"]}
    assert items["decision"]["answer"][0]["valueCoding"]["code"] == "continue"
    assert items["progress_note"]["answer"] == [{"valueString": "Walking daily"}]
    assert answers["status"] == "completed" and answers["author"]["identifier"]["value"] == "carl"


def test_a_care_plan_holds_its_goals_activities_barriers_and_team(api, record):
    plan = valid(api.get(f"/fhir/R4/CarePlan/program-{record['instance']}").get_json())
    assert (len(plan["goal"]), plan["activity"][0]["detail"]["description"], plan["note"][0]["text"],
            plan["careTeam"][0]["reference"]) == (1, "Weekly call", "Barrier (active): No transport to the clinic",
                                                  "CareTeam/MRN-1")


def test_a_goal_has_its_target_and_due_date(api, record):
    goal = valid(api.get("/fhir/R4/Goal?patient=MRN-1").get_json()["entry"][0]["resource"])
    assert (goal["lifecycleStatus"], goal["target"][0]["detailString"], goal["target"][0]["dueDate"]) == (
        "active", "5 days a week", "2027-03-01")


def test_the_care_team_lists_its_lead(api, record):
    team = valid(api.get("/fhir/R4/CareTeam/MRN-1").get_json())
    assert team["participant"][0]["member"]["display"] == "Carl"


def test_the_history_leaves_reads_out(api, record):
    events = [e["resource"] for e in api.get("/fhir/R4/AuditEvent?patient=MRN-1&_count=100").get_json()["entry"]]
    codes = {e["subtype"][0]["code"] for e in events}
    assert "viewed" not in codes and codes >= {"started", "completed", "care_team_joined"}


def test_a_change_made_through_the_api_names_its_client_as_an_agent(api, record):
    api.put("/api/v1/patients/MRN-1", json={"given_name": "Ada", "family_name": "Lovelace",
                                            "birth_date": "1950-12-10", "sex": "female", "phone": "555-123-4567",
                                            "conditions": ["COPD", "Heart failure"]})
    events = [e["resource"] for e in api.get("/fhir/R4/AuditEvent?patient=MRN-1&_count=100").get_json()["entry"]]
    updated = next(e for e in events if e["subtype"][0]["code"] == "patient_updated")
    assert [a["who"]["display"] for a in updated["agent"]][0] == "client:everything"
    assert updated["agent"][1]["who"]["display"].startswith("api-client:")


def test_searches_page_by_cursor(api, record):
    first = api.get("/fhir/R4/AuditEvent?patient=MRN-1&_count=2").get_json()
    next_url = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = api.get(next_url.replace("http://localhost", "")).get_json()
    ids = [e["resource"]["id"] for e in first["entry"] + second["entry"]]
    assert len(ids) == 4 and len(set(ids)) == 4


def test_reading_a_resource_is_audited(api, record, service):
    from sqlalchemy import select

    from engine.models import AuditEvent

    api.get("/fhir/R4/CarePlan?patient=MRN-1")
    with service.db.transaction() as session:
        viewed = session.scalars(select(AuditEvent).where(AuditEvent.action == "viewed",
                                                          AuditEvent.actor == "client:everything")).all()
    assert [e.details["what"] for e in viewed] == ["care plan"]


def test_a_person_outside_the_care_team_is_refused(new_client, record):
    sam = new_client("sams-tool", ["fhir:read"], username="sam")
    response = sam.get("/fhir/R4/CarePlan?patient=MRN-1")
    assert (response.status_code, valid(response.get_json())["issue"][0]["code"]) == (403, "forbidden")
