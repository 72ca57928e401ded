"""Reports fixtures: the web app's (an app on the test database, users for every role, signed-in browsers) and
`reports`, the service with the pathways of tests/reports/world.py deployed and the clock set."""
from __future__ import annotations

import pytest

from tests.reports.world import LITE, TODAY, at
from tests.webapp.conftest import app, browser, service, signed_in, users  # noqa: F401 - fixtures used here


@pytest.fixture
def reports(service, users, frozen_clock):  # noqa: F811 - the fixtures imported above
    """The service with users for every role, the CCM pathway deployed (TCM too, once a test discharges a
    patient), and the clock at 2027-03-15."""
    frozen_clock.set(at("2027-01-04", 9))
    service.deploy(LITE)
    frozen_clock.set(at(TODAY))
    return service
