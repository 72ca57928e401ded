"""Every role against every route and action: allowed ones answer, the others get 403 (never a 500)."""
from __future__ import annotations

import pytest

from engine.care.actors import Actor
from tests.webapp.conftest import FIXTURES, ROLES

EVERYONE = set(ROLES) - {"nobody"}
CARE_MANAGER_TASK = {"admin", "carl", "nina"}  # hold care_manager (admin may do everything)
MANAGERS = {"admin", "carl", "nina", "lena"}  # care_manager, nurse_lead, admin

# (method, url template, who may, status when allowed)
MATRIX = [
    ("GET", "/inbox", EVERYONE, 200),
    ("GET", "/patients/", EVERYONE, 200),
    ("GET", "/patients/MRN-1", EVERYONE, 200),
    ("GET", "/patients/new", MANAGERS, 200),
    ("POST", "/patients/new", MANAGERS, 400),  # allowed, then refused for the empty fields
    ("GET", "/patients/import", MANAGERS, 200),
    ("POST", "/patients/import", MANAGERS, 400),  # allowed, no file
    ("POST", "/patients/MRN-1/programs", MANAGERS, 302),
    ("GET", "/tasks/{task}", CARE_MANAGER_TASK, 200),
    ("POST", "/tasks/{task}/claim", CARE_MANAGER_TASK, 302),
    ("POST", "/tasks/{task}/release", CARE_MANAGER_TASK, 302),
    ("POST", "/tasks/{task}/assign", CARE_MANAGER_TASK, 302),
    ("POST", "/tasks/{task}/follow-up", CARE_MANAGER_TASK, 302),
    ("GET", "/instances/{instance}/diagram/review_loop.bpmn", EVERYONE, 200),
]


@pytest.fixture
def world(service, patient, users):
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    instance = service.start("review_loop", "MRN-1", None, Actor.person("carl", "care_manager"))
    return {"task": service.tasks(instance_id=instance.id)[0].id, "instance": instance.id}


@pytest.mark.parametrize("username", sorted(ROLES))
@pytest.mark.parametrize("method,url,allowed,status", MATRIX, ids=[f"{m} {u}" for m, u, _, _ in MATRIX])
def test_route_answers_only_the_roles_it_is_for(signed_in, world, username, method, url, allowed, status):
    browser = signed_in(username)
    url = url.format(**world)
    data = {"program": "review_loop"} if url.endswith("/programs") else {"assignee": "nina"}
    response = browser.get(url) if method == "GET" else browser.post(url, data)
    expected = status if username in allowed else 403
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
