"""Every role against every route and action of the inbox, task and patient areas: allowed ones answer, the others
get 403 (never a 500). Patient records follow the care team: MRN-1 has no team yet (open to those who enrol
patients), MRN-2's team is Carl (lead care manager) and Pia (pharmacist). A lead opens the tasks of the roles
they lead, read only."""
from __future__ import annotations

import pytest

from engine.care.actors import Actor
from engine.service import CarePlanInput, PatientInput
from tests.webapp.conftest import FIXTURES, ROLES

EVERYONE = set(ROLES) - {"nobody", "olivia"}  # a privacy officer reads the audit trail, not patients or tasks
CARE_MANAGER_TASK = {"admin", "carl", "nina"}  # hold care_manager (admin may do everything)
MANAGERS = {"admin", "carl", "nina", "lena"}  # care_manager, nurse_lead, admin
KEEPERS = {"admin", "lead", "carl", "nina", "lena"}  # record a discharge, keep the care plan
TEAM_EDITORS = {"admin", "lead", "carl", "nina", "lena"}
NO_TEAM = {"admin", "lead", "carl", "nina", "lena"}  # MRN-1: admins, leads, and those who enrol patients
ON_TEAM = {"admin", "lead", "carl", "pia"}  # MRN-2: admins, the clinical lead, its members
REPORT = {"admin", "olivia"}
CARL = Actor.person("carl", "care_manager")

# (method, url template, who may, status when allowed, form data); state-changing ones last
MATRIX = [
    ("GET", "/inbox", EVERYONE, 200, None),
    ("GET", "/inbox?tab=follow_up", EVERYONE, 200, None),
    ("GET", "/inbox/pulse.json", EVERYONE, 200, None),
    ("GET", "/notices", EVERYONE, 200, None),
    ("GET", "/settings", EVERYONE, 200, None),
    ("GET", "/patients/", EVERYONE, 200, None),
    ("GET", "/patients/?list=mine", EVERYONE, 200, None),
    ("GET", "/patients/?list=all&q=Love", EVERYONE, 200, None),
    ("GET", "/patients/MRN-1", NO_TEAM, 200, None),
    ("GET", "/patients/MRN-2", ON_TEAM, 200, None),
    ("GET", "/patients/new", MANAGERS, 200, None),
    ("GET", "/patients/import", MANAGERS, 200, None),
    ("GET", "/patients/MRN-1/edit", MANAGERS & NO_TEAM, 200, None),
    ("GET", "/patients/MRN-2/edit", MANAGERS & ON_TEAM, 200, None),
    ("GET", "/patients/MRN-1/discharge", KEEPERS & NO_TEAM, 200, None),
    ("GET", "/patients/MRN-2/discharge", KEEPERS & ON_TEAM, 200, None),
    ("GET", "/patients/access-report", REPORT, 200, None),
    ("GET", "/tasks/{task}", CARE_MANAGER_TASK | {"lead"}, 200, None),
    ("GET", "/tasks/{team_task}", {"admin", "carl", "lead"}, 200, None),
    ("GET", "/instances/{instance}/diagram/review_loop.bpmn", EVERYONE, 200, None),
    ("POST", "/notices/read", EVERYONE, 302, {}),
    ("POST", "/settings", EVERYONE, 302, {"time_zone": "America/Chicago"}),
    ("POST", "/inbox/filters", EVERYONE, 302, {"name": "Lovelace", "q": "Love"}),
    ("POST", "/patients/new", MANAGERS, 400, {}),  # allowed, then refused for the empty fields
    ("POST", "/patients/import", MANAGERS, 400, {}),  # allowed, no file
    ("POST", "/patients/MRN-1/edit", MANAGERS & NO_TEAM, 400, {}),
    ("POST", "/patients/MRN-1/discharge", KEEPERS & NO_TEAM, 400, {"discharge_date": "not a date"}),
    ("POST", "/patients/MRN-1/care-plan", KEEPERS & NO_TEAM, 302,
     {"kind": "barrier", "description": "No transport to the clinic"}),
    ("POST", "/patients/MRN-1/care-plan/{item}", KEEPERS & NO_TEAM, 302, {"status": "resolved", "note": "bus pass"}),
    ("POST", "/patients/MRN-1/comments", NO_TEAM, 302, {"body": "Called, no answer"}),
    ("POST", "/patients/MRN-2/comments", ON_TEAM, 302, {"body": "Called, no answer"}),
    ("POST", "/patients/MRN-2/access", EVERYONE, 400, {"reason": "", "duration": "1h"}),  # allowed, no reason
    ("POST", "/patients/MRN-2/team", TEAM_EDITORS & ON_TEAM, 302,
     {"role": "social_worker", "username": "sam", "reason": "Housing"}),
    ("POST", "/patients/MRN-2/team/{member}/end", TEAM_EDITORS & ON_TEAM, 302, {"reason": "Review done"}),
    ("POST", "/tasks/{task}/comments", NO_TEAM, 302, {"body": "See the note"}),
    ("POST", "/tasks/{task}/claim", CARE_MANAGER_TASK, 302, {}),
    ("POST", "/tasks/{task}/follow-up", CARE_MANAGER_TASK, 302, {"follow_up": "2030-01-02"}),
    ("POST", "/tasks/{task}/delegate", CARE_MANAGER_TASK, 302, {"colleague": "", "note": ""}),  # refused: a flash
    ("POST", "/tasks/{task}/resolve", EVERYONE, 302, {"note": "done"}),  # refused by the engine: a flash
    ("POST", "/tasks/{task}/take-back", EVERYONE, 302, {}),  # refused by the engine: a flash
    ("POST", "/tasks/{task}/release", CARE_MANAGER_TASK, 302, {}),
    ("POST", "/tasks/{task}/assign", CARE_MANAGER_TASK, 302, {"assignee": "nina"}),
    ("POST", "/patients/MRN-1/programs", MANAGERS & NO_TEAM, 302, {"program": "review_loop"}),
    ("POST", "/patients/MRN-1/programs/{instance}/end", MANAGERS & NO_TEAM, 302, {"reason": "moved"}),
]


@pytest.fixture
def world(service, patient, users):
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    instance = service.start("review_loop", "MRN-1", None, CARL)
    service.add_patient(PatientInput(mrn="MRN-2", given_name="Grace", family_name="Hopper",
                                     birth_date="1946-12-09"), CARL)
    lead = service.join_care_team("MRN-2", "carl", "care_manager", "Enrolled", CARL, lead=True)
    pia = service.join_care_team("MRN-2", "pia", "pharmacist", "Medication review", CARL)
    team_instance = service.start("review_loop", "MRN-2", None, CARL)
    item = service.add_care_plan_item("MRN-1", CarePlanInput(kind="barrier", description="Stairs"), CARL)
    assert lead.id
    return {"task": service.tasks(instance_id=instance.id)[0].id, "instance": instance.id,
            "team_task": service.tasks(instance_id=team_instance.id)[0].id, "member": pia.id, "item": item.id}


@pytest.mark.parametrize("username", sorted(ROLES))
def test_every_route_answers_only_the_roles_and_care_teams_it_is_for(signed_in, world, username):
    browser = signed_in(username)
    wrong = []
    for method, url, allowed, status, data in MATRIX:
        path = url.format(**world)
        response = browser.get(path) if method == "GET" else browser.post(path, data)
        expected = status if username in allowed else 403
        if response.status_code != expected:
            wrong.append(f"{method} {url}: {response.status_code}, expected {expected}")
    assert wrong == []
