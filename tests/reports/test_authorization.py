"""Every role against every route of the reports area: reports are for care managers (their own patients),
leads (their team's) and admins (all); logging time is for the care team. The others get 403, never a 500."""
from __future__ import annotations

import pytest

from tests.reports.world import enrol, log
from tests.webapp.conftest import ROLES

pytestmark = pytest.mark.dates

VIEWERS = {"admin", "lead", "carl", "nina", "lena", "sam", "pia", "dana", "chris"}
LOGGERS = VIEWERS - {"lead"} | {"phil"}  # the care team roles (a physician's time is clinical time too)
SEES_C1 = {"admin", "lead", "carl"}  # carl worked C1's tasks; a clinical lead and an admin see everyone

C1_MINUTES = "/reports/ccm/C1/2027-03"
MATRIX = [
    ("GET", "/reports/", VIEWERS, 200),
    ("GET", "/reports/ccm", VIEWERS, 200),
    ("GET", "/reports/ccm?month=2027-02&format=csv", VIEWERS, 200),
    ("GET", C1_MINUTES, VIEWERS, 200),
    ("GET", "/reports/tcm", VIEWERS, 200),
    ("GET", "/reports/tcm?format=csv", VIEWERS, 200),
    ("GET", "/reports/dashboard", VIEWERS, 200),
    ("GET", "/reports/dashboard?chart=risk&format=csv", VIEWERS, 200),
    ("GET", "/reports/dashboard/detail?chart=risk&key=high&series=patients", VIEWERS, 200),
    ("GET", "/reports/heatmap?version=1", VIEWERS, 200),
    ("GET", "/reports/heatmap?version=1&format=csv", VIEWERS, 200),
    ("GET", "/reports/heatmap/1/ccm.bpmn", VIEWERS, 200),
    ("GET", "/reports/heatmap/tasks?version=1&program=ccm&stage=Engagement&element=record_consent", VIEWERS, 200),
    ("GET", "/reports/patients/C1/time", LOGGERS, 200),
    ("POST", "/reports/patients/C1/time", LOGGERS, 302),
]


@pytest.fixture
def world(reports, frozen_clock):
    enrol(reports, frozen_clock, "C1")
    log(reports, "C1", "2027-03-02", 12)
    return reports


@pytest.mark.parametrize("username", sorted(ROLES))
def test_each_route_answers_only_the_roles_it_is_for(signed_in, world, username):
    """One person through every route (the world is built once per person: the matrix stays fast)."""
    browser = signed_in(username)
    wrong = []
    for method, url, allowed, status in MATRIX:
        if method == "GET":
            response = browser.get(url)
        else:
            response = browser.post(url, {"spent_on": "2027-03-04", "minutes": "7", "activity": "Call",
                                          "username": "carl" if username == "admin" else username})
        expected = status if username in allowed else 403
        if url == C1_MINUTES and username in allowed and username not in SEES_C1:
            expected = 404  # not among their patients: as if it did not exist
        if response.status_code != expected:
            wrong.append(f"{method} {url}: {response.status_code}, expected {expected}")
    assert wrong == []
