"""Web app fixtures: an app on the test database (SQLite, and PostgreSQL when configured), users for every
role, a signed-in test client that carries the CSRF token like a browser would."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.care import accounts, patients
from engine.care.actors import Actor
from engine.care.patients import PatientInput
from engine.service import CarePathways
from webapp import create_app

PASSWORD = "correct horse battery"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ROLES = {
    "admin": ["admin"], "lead": ["clinical_lead"], "carl": ["care_manager"], "nina": ["nurse", "care_manager"],
    "lena": ["nurse_lead"], "sam": ["social_worker"], "pia": ["pharmacist"], "dana": ["dietitian"],
    "chris": ["chw"], "phil": ["physician"], "olivia": ["privacy_officer"], "nobody": [],
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def service(database):
    return CarePathways(database)


@pytest.fixture
def app(service, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREPATH_HOME", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": "unused://", "CAREPATH_SERVICE": service, "SECRET_KEY": "test-secret",
                      "TESTING": True, "SESSION_COOKIE_SECURE": False, "IMPORT_INLINE": True,
                      "SIGN_IN_RATE_LIMIT": "1000 per minute"})
    return app


@pytest.fixture
def users(service):
    with service.db.transaction() as s:
        for username, roles in ROLES.items():
            accounts.create_user(s, username, PASSWORD, roles, display_name=username.capitalize(),
                                 email=f"{username}@example.org")
    return ROLES


class Browser:
    """A test client that signs in through the login page and sends the page's CSRF token with each post."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def get(self, url, **kw):
        response = self.client.get(url, **kw)
        match = CSRF.search(response.get_data(as_text=True))
        if match:
            self.token = match.group(1)
        return response

    def post(self, url, data=None, csrf=True, **kw):
        data = dict(data or {})
        if csrf:
            if self.token is None:
                self.get("/login")
            data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kw)

    def sign_in(self, username, password=PASSWORD):
        self.get("/login")
        response = self.post("/login", {"username": username, "password": password})
        self.get("/inbox")
        return response


@pytest.fixture
def browser(app):
    return Browser(app.test_client())


@pytest.fixture
def signed_in(app, users):
    """signed_in('carl') -> a Browser signed in as carl."""

    def sign(username):
        b = Browser(app.test_client())
        response = b.sign_in(username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return b

    return sign


@pytest.fixture
def patient(service):
    with service.db.transaction() as s:
        return patients.add_patient(s, PatientInput(mrn="MRN-1", given_name="Ada", family_name="Lovelace",
                                                    birth_date="1950-12-10", sex="female",
                                                    conditions=["COPD", "Heart failure"]), by="test").id


@pytest.fixture
def review(service, patient, users):
    """An open 'Monthly review' (care_manager) of patient MRN-1; the form needs a decision."""
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    instance = service.start("review_loop", "MRN-1", None, Actor.person("carl", "care_manager"))
    return service.tasks(instance_id=instance.id)[0]
