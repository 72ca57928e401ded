"""Every studio route against every role: clinical leads edit, test and publish; admins look and approve (their
edits are refused by the engine); everyone else gets 403, never a 500."""
from __future__ import annotations

import pytest

from tests.pathways.library import PATHWAYS
from tests.webapp.conftest import ROLES

LEADS = {"lead"}
LOOKERS = {"lead", "admin"}

# (method, url, who may) - allowed answers anything but 403 and 5xx; the rest answer 403
MATRIX = [
    ("GET", "/studio/", LOOKERS),
    ("GET", "/studio/bundles/pathways/history", LOOKERS),
    ("GET", "/studio/bundles/pathways/versions/1/files/bpmn/ccm.bpmn", LOOKERS),
    ("GET", "/studio/drafts/{draft}", LOOKERS),
    ("GET", "/studio/drafts/{draft}/review", LOOKERS),
    ("GET", "/studio/drafts/{draft}/content/bpmn/ccm.bpmn", LOOKERS),
    ("GET", "/studio/drafts/{draft}/raw/bpmn/ccm.bpmn", LOOKERS),
    ("GET", "/studio/drafts/{draft}/lint", LOOKERS),
    ("POST", "/studio/drafts/{draft}/preview", LOOKERS),
    ("POST", "/studio/drafts/{draft}/decide", LOOKERS),
    ("POST", "/studio/bundles/pathways/drafts", LEADS),
    ("POST", "/studio/bundles/pathways/programs", LEADS),
    ("POST", "/studio/bundles/pathways/versions/1/rollback", LEADS),
    ("POST", "/studio/drafts/{draft}/files", LEADS),
    ("POST", "/studio/drafts/{draft}/files/remove", LEADS),
    ("POST", "/studio/drafts/{draft}/questionnaire", LEADS),
    ("POST", "/studio/drafts/{draft}/content/bpmn/ccm.bpmn", LEADS),
    ("POST", "/studio/drafts/{draft}/tidy/bpmn/ccm.bpmn", LEADS),
    ("POST", "/studio/drafts/{draft}/tests", LEADS),
    ("POST", "/studio/drafts/{draft}/walk", LEADS),
    ("POST", "/studio/drafts/{draft}/cases", LEADS),
    ("POST", "/studio/drafts/{draft}/forms", LEADS),
    ("POST", "/studio/drafts/{draft}/publish", LEADS),
    ("POST", "/studio/drafts/{draft}/publish-approved", LEADS),
    ("POST", "/studio/drafts/{draft}/discard", LEADS),  # last: the draft is closed after it
]


@pytest.fixture
def world(service, users):
    from tests.studio.conftest import LEAD

    service.deploy(PATHWAYS)
    return {"draft": service.open_draft("pathways", LEAD)}


@pytest.mark.parametrize("username", sorted(ROLES))
def test_each_studio_route_answers_only_the_roles_it_is_for(signed_in, world, username):
    browser = signed_in(username)
    wrong = []
    for method, template, allowed in MATRIX:
        url = template.format(**world)
        response = browser.get(url) if method == "GET" else browser.post(url, {})
        ok = response.status_code < 500 and response.status_code != 403 if username in allowed \
            else response.status_code == 403
        if not ok:
            wrong.append(f"{method} {url}: {response.status_code}")
    assert wrong == []


def test_the_studio_is_in_the_header_for_clinical_leads_only(signed_in, world):
    assert ('href="/studio/"' in signed_in("lead").get("/inbox").get_data(as_text=True),
            'href="/studio/"' in signed_in("nina").get("/inbox").get_data(as_text=True)) == (True, False)


def test_the_matrix_covers_every_studio_route(app, world):
    """A new studio route must join the matrix above: each (method, rule) of the blueprint is exercised."""
    adapter = app.url_map.bind("localhost")
    covered = {(method, adapter.match(template.format(**world), method=method)[0]) for method, template, _ in MATRIX}
    routes = {(method, rule.endpoint) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("studio.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - covered == set()


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(app, world):
    client = app.test_client()
    answers = {(method, (client.get if method == "GET" else client.post)(template.format(**world)).status_code)
               for method, template, _ in MATRIX}
    assert {status for _, status in answers} <= {302, 400, 401}, answers

