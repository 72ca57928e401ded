"""The authorization matrix of the JSON API and FHIR: each scope against each operation (a client without the
operation's scope gets 403, with it never 403), each role against each operation through the web session (the
same answers as the web app's pages), and a revoked or expired token gets 401 everywhere."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from engine.service import SYSTEM, Actor, CarePlanInput
from tests.api.conftest import EVERY_SCOPE, FIXTURES, ROLES, Api
from tests.registry import register

EVERYONE = set(ROLES) - {"nobody", "olivia"}  # the privacy officer reads the audit trail, not the records
READERS = {"admin", "lead", "carl", "nina", "lena"}  # MRN-1 has no care team: leads, intake roles, admins
CARE_MANAGER_TASK = {"admin", "carl", "nina"}  # the review task is the care manager's
MANAGERS = {"admin", "carl", "nina", "lena"}
PATIENT = {"given_name": "Ada", "family_name": "Lovelace", "birth_date": "1950-12-10", "sex": "female"}
QUESTIONNAIRE = {"resourceType": "Questionnaire", "item": [{"linkId": "q1", "type": "boolean", "text": "Well?"}]}
ENCOUNTER = {"resourceType": "Encounter", "identifier": [{"system": "urn:hospital", "value": "E1"}],
             "status": "finished", "subject": {"reference": "Patient/MRN-1"}, "period": {"end": "2026-09-04"},
             "hospitalization": {"dischargeDisposition": {"coding": [{"code": "home"}]}}}
OBSERVATION = {"resourceType": "Observation", "identifier": [{"system": "urn:lab", "value": "O1"}], "status": "final",
               "subject": {"reference": "Patient/MRN-1"}, "effectiveDateTime": "2026-09-04T10:00:00Z",
               "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4"}]},
               "valueQuantity": {"value": 8.1, "unit": "%"}}
MESSAGE = {"name": "lab_result", "keys": {"patient_id": "MRN-1"}, "payload": {"value": 8.1}}

# (method, url, the scope a client needs, the people whose session may, body)
OPERATIONS = [
    ("GET", "/api/v1/patients", "patients:read", EVERYONE, None),
    ("GET", "/api/v1/patients/MRN-1", "patients:read", READERS, None),
    ("PUT", "/api/v1/patients/MRN-1", "patients:write", MANAGERS, PATIENT),
    ("GET", "/api/v1/programs", "programs:read", EVERYONE, None),
    ("POST", "/api/v1/patients/MRN-1/programs", "programs:start", MANAGERS, {"program": "review_loop"}),
    ("POST", "/api/v1/messages", "messages:send", {"admin"}, MESSAGE),
    ("GET", "/api/v1/tasks", "tasks:read", EVERYONE, None),
    ("GET", "/api/v1/tasks/{task}", "tasks:read", CARE_MANAGER_TASK | {"lead"}, None),  # a lead oversees
    ("POST", "/api/v1/tasks/{task}/claim", "tasks:write", CARE_MANAGER_TASK, None),
    ("POST", "/api/v1/tasks/{task}/release", "tasks:write", CARE_MANAGER_TASK, None),
    ("POST", "/api/v1/tasks/{task}/assign", "tasks:write", CARE_MANAGER_TASK, {"assignee": "nina"}),
    ("POST", "/api/v1/tasks/{task}/complete", "tasks:write", CARE_MANAGER_TASK, {"data": {"decision": "continue"}}),
    ("GET", "/api/v1/instances", "instances:read", EVERYONE, None),
    ("GET", "/api/v1/instances/{instance}", "instances:read", READERS, None),
    ("GET", "/api/v1/webhooks", "webhooks:manage", set(), None),  # webhooks belong to clients, not sessions
    ("POST", "/api/v1/webhooks", "webhooks:manage", set(), {"url": "https://example.org/h", "events": ["task.created"]}),
    ("GET", "/api/v1/webhooks/1", "webhooks:manage", set(), None),
    ("GET", "/api/v1/webhooks/1/deliveries", "webhooks:manage", set(), None),
    ("DELETE", "/api/v1/webhooks/1", "webhooks:manage", set(), None),
    ("POST", "/api/v1/forms/import", "forms:import", {"admin", "lead"}, QUESTIONNAIRE),
    ("GET", "/fhir/R4/Patient", "fhir:read", EVERYONE, None),
    ("GET", "/fhir/R4/Patient/MRN-1", "fhir:read", READERS, None),
    ("GET", "/fhir/R4/Task?patient=MRN-1", "fhir:read", READERS, None),
    ("GET", "/fhir/R4/Task/{task}", "fhir:read", CARE_MANAGER_TASK | {"lead"}, None),
    ("GET", "/fhir/R4/CarePlan?patient=MRN-1", "fhir:read", READERS, None),
    ("GET", "/fhir/R4/Goal?patient=MRN-1", "fhir:read", READERS, None),
    ("GET", "/fhir/R4/CareTeam?patient=MRN-1", "fhir:read", READERS, None),
    ("GET", "/fhir/R4/CareTeam/MRN-1", "fhir:read", READERS, None),
    ("GET", "/fhir/R4/QuestionnaireResponse?patient=MRN-1", "fhir:read", READERS, None),
    ("GET", "/fhir/R4/AuditEvent?patient=MRN-1", "fhir:read", READERS, None),
    ("POST", "/api/v1/webhooks/1/deliveries/1/retry", "webhooks:manage", set(), None),
    ("GET", "/fhir/R4/CarePlan/patient-MRN-70", "fhir:read", READERS, None),
    ("GET", "/fhir/R4/Goal/{goal}", "fhir:read", READERS, None),
    ("GET", "/fhir/R4/QuestionnaireResponse/{answered}", "fhir:read", READERS, None),
    ("GET", "/fhir/R4/AuditEvent/{event}", "fhir:read", READERS, None),
    ("POST", "/fhir/R4/Encounter", "fhir:write", {"admin", "lead", "carl", "nina", "lena"}, ENCOUNTER),
    ("POST", "/fhir/R4/Observation", "fhir:write", {"admin", "lead", "carl", "nina", "lena"}, OBSERVATION),
]


@pytest.fixture
def world(service, patient, users):
    """MRN-1 with an open review task; MRN-70 (no care team either) with a completed one, a goal and history."""
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    carl = Actor.person("carl", "care_manager")
    instance = service.start("review_loop", "MRN-1", None, carl)
    register(service, "MRN-70")
    other = service.start("review_loop", "MRN-70", None, carl)
    answered = service.tasks(instance_id=other.id)[0].id
    service.complete(answered, {"decision": "continue"}, carl)
    walk = CarePlanInput(kind="goal", description="Walk daily", target="5 days a week", target_date="2027-03-01")
    goal = service.add_care_plan_item("MRN-70", walk, SYSTEM, instance_id=other.id)
    event = service.fhir_history("MRN-70", SYSTEM, after_id=None, limit=1)[0].id
    return {"task": service.tasks(instance_id=instance.id)[0].id, "instance": instance.id, "answered": answered,
            "goal": goal.id, "event": event}


@pytest.fixture
def fresh_task(service, world):
    """Another open review task, of another patient (a change by one role must not decide the next one's answer)."""
    numbers = iter(range(2, 1000))

    def make() -> dict:
        patient_id = f"MRN-{next(numbers)}"
        register(service, patient_id)
        instance = service.start("review_loop", patient_id, None, Actor.person("carl", "care_manager"))
        return {"task": service.tasks(instance_id=instance.id)[0].id, "instance": instance.id}

    return make


def _call(api_or_client, method: str, url: str, body, headers=None):
    if isinstance(api_or_client, Api):
        return {"GET": api_or_client.get, "POST": api_or_client.post, "PUT": api_or_client.put,
                "DELETE": api_or_client.delete}[method](url, **({"json": body} if method in ("POST", "PUT") else {}))
    return api_or_client.open(url, method=method, json=body, headers=headers)


UNGUARDED = {"/api/v1/me", "/api/v1/openapi.json", "/api/v1/docs", "/api/v1/", "/api/v1/<path:rest>", "/fhir/R4/",
             "/fhir/R4/<path:rest>", "/fhir/R4/metadata"}  # need no scope (or answer that nothing is there)


def test_the_matrix_covers_every_operation(app):
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith(("/api/v1", "/fhir/R4")) and rule.rule not in UNGUARDED
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(method, url.split("?")[0]) for method, url, *_ in OPERATIONS}
    named = {(method, re.sub(r"<(?:id:)?([a-z_]+)>", "*", rule)) for method, rule in routes}
    concrete = {(method, re.sub(r"/(\{[a-z]+\}|\d+|MRN-\d+|patient-MRN-\d+)(?=/|$)", "/*", url))
                for method, url in listed}
    assert named == concrete


def test_only_the_operations_scope_opens_it(new_client, world):
    """Every operation against a client holding each scope alone: 403 but for the operation's own scope."""
    clients = {scope: new_client(f"only-{scope.replace(':', '-')}", [scope]) for scope in EVERY_SCOPE}
    wrong = []
    for method, url, scope, _people, body in OPERATIONS:
        found = {s: _call(api, method, url.format(**world), body).status_code for s, api in clients.items()}
        if {code for s, code in found.items() if s != scope} != {403} or found[scope] in (401, 403, 500):
            wrong.append((method, url, scope, found))
    assert wrong == []


@pytest.mark.parametrize("username", sorted(ROLES))
def test_a_session_gets_the_answers_the_web_app_gives_its_roles(signed_in, world, fresh_task, username):
    """Every operation through one role's web session: refused (403) exactly where the web app refuses it."""
    browser = signed_in(username)
    browser.get("/inbox")
    wrong = []
    for method, url, _scope, people, body in OPERATIONS:
        changes_a_task = method != "GET" and "{task}" in url
        target = url.format(**(fresh_task() if changes_a_task and username in people else world))
        status = _call(browser.client, method, target, body, {"X-CSRFToken": browser.token}).status_code
        if (status != 403) != (username in people) or status >= 500:
            wrong.append((method, url, status))
    assert wrong == []


def test_a_revoked_or_expired_token_gets_401_everywhere(new_client, service, world, frozen_clock):
    revoked, expired = new_client("revoked"), new_client("expired", days=1)
    service.revoke_api_client("revoked", SYSTEM)
    frozen_clock.advance(timedelta(days=2))
    found = {(method, url): (_call(revoked, method, url.format(**world), body).status_code,
                             _call(expired, method, url.format(**world), body).status_code)
             for method, url, _scope, _people, body in OPERATIONS}
    assert {codes for codes in found.values()} == {(401, 401)}, found


def test_a_client_for_a_person_needs_the_scope_and_the_persons_role(new_client, world):
    sam = new_client("sams-tool", ["tasks:write"], username="sam")  # a social worker: not the task's role
    carl = new_client("carls-tool", ["tasks:read"], username="carl")  # the task's role, not the scope
    assert (sam.post(f"/api/v1/tasks/{world['task']}/claim").status_code,
            carl.post(f"/api/v1/tasks/{world['task']}/claim").status_code) == (403, 403)


def test_a_session_request_that_changes_something_needs_the_csrf_token(signed_in, world):
    browser = signed_in("carl")
    response = browser.client.post(f"/api/v1/tasks/{world['task']}/claim")
    assert (response.status_code, response.get_json()["type"]) == (400, "urn:carepath:problem:csrf")


def test_me_needs_no_scope(new_client):
    assert new_client("nothing-much", ["forms:import"]).get("/api/v1/me").status_code == 200
