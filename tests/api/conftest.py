"""JSON API fixtures: the web app on the test database (SQLite, and PostgreSQL when configured), API clients
with the scopes a test gives them, and a test client that sends their bearer token."""
from __future__ import annotations

import pytest

from engine.service import SYSTEM
from tests.webapp.conftest import (  # noqa: F401 - fixtures shared with the web app's tests
    FIXTURES,
    PASSWORD,
    ROLES,
    Browser,
    app,
    browser,
    patient,
    review,
    service,
    signed_in,
    users,
)

EVERY_SCOPE = ("patients:read", "patients:write", "programs:read", "programs:start", "messages:send", "tasks:read",
               "tasks:write", "instances:read", "fhir:read", "fhir:write", "forms:import", "webhooks:manage")


class Api:
    """A test client calling the API with one client's bearer token (or none)."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def headers(self, extra=None) -> dict:
        found = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**found, **(extra or {})}

    def get(self, url, **kw):
        return self.client.get(url, headers=self.headers(kw.pop("headers", None)), **kw)

    def post(self, url, json=None, **kw):
        return self.client.post(url, json=json, headers=self.headers(kw.pop("headers", None)), **kw)

    def put(self, url, json=None, **kw):
        return self.client.put(url, json=json, headers=self.headers(kw.pop("headers", None)), **kw)

    def delete(self, url, **kw):
        return self.client.delete(url, headers=self.headers(kw.pop("headers", None)), **kw)


@pytest.fixture
def new_client(service, app):  # noqa: F811 - pytest fixtures by name
    """new_client("feed", ["tasks:read"], username=None, **options) -> an Api calling with that client's token."""
    made = iter(range(1, 10_000))

    def make(name=None, scopes=EVERY_SCOPE, username=None, **options) -> Api:
        created = service.add_api_client(name or f"client-{next(made)}", list(scopes), SYSTEM, username=username,
                                         **options)
        return Api(app.test_client(), created.token)

    return make


@pytest.fixture
def api(new_client) -> Api:
    """A service account holding every scope."""
    return new_client("everything")


@pytest.fixture
def api_token(service, review) -> str:  # noqa: F811 - pytest fixtures by name
    """A service account with every scope, on a database with a patient and an open task."""
    return service.add_api_client("fuzzer", list(EVERY_SCOPE), SYSTEM).token


@pytest.fixture
def api_schema(app, api_token):  # noqa: F811 - pytest fixtures by name
    import schemathesis

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app,
                                          headers={"Authorization": f"Bearer {api_token}"})
