"""Care teams and access: the service over the test database (SQLite, and PostgreSQL when configured) with a pinned
clock, colleagues for every role, and patients."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.care import accounts
from engine.service import SYSTEM, Actor, CarePathways, PatientInput
from tests.conftest import BACKENDS, _fresh_database

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PASSWORD = "correct horse battery"
PEOPLE = {
    "admin": ["admin"], "lead": ["clinical_lead"], "carl": ["care_manager"], "cora": ["care_manager"],
    "nina": ["nurse", "care_manager"], "ned": ["nurse"], "lena": ["nurse_lead"], "sam": ["social_worker"],
    "pia": ["pharmacist"], "dana": ["dietitian"], "phil": ["physician"], "nobody": [],
}


def actor(username: str) -> Actor:
    return Actor.person(username, *PEOPLE[username])


def pytest_generate_tests(metafunc):
    """Rules that are plain ORM queries run on SQLite; a module whose SQL differs by database (the patient
    search's indexes, My patients' counts) sets BOTH_DATABASES and runs on PostgreSQL too when configured."""
    if "care_backend" in metafunc.fixturenames:
        both = getattr(metafunc.module, "BOTH_DATABASES", False)
        metafunc.parametrize("care_backend", BACKENDS if both else ["sqlite"])


@pytest.fixture
def care_database(care_backend, request, tmp_path):
    db = _fresh_database(care_backend, request, tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def pathways(care_database, frozen_clock) -> CarePathways:
    return CarePathways(care_database)


@pytest.fixture
def care(pathways) -> CarePathways:
    """The service with the colleagues of PEOPLE and two patients: MRN-1 Ada Lovelace, MRN-2 Grace Hopper."""
    with pathways.db.transaction() as s:
        for username, roles in PEOPLE.items():
            accounts.create_user(s, username, PASSWORD, roles, display_name=username.capitalize())
    pathways.add_patient(PatientInput(mrn="MRN-1", given_name="Ada", family_name="Lovelace",
                                      birth_date="1950-12-10", sex="female", conditions=["COPD", "Diabetes"]), SYSTEM)
    pathways.add_patient(PatientInput(mrn="MRN-2", given_name="Grace", family_name="Hopper",
                                      birth_date="1946-12-09", sex="female"), SYSTEM)
    return pathways


@pytest.fixture
def teamed(care) -> CarePathways:
    """MRN-1's team: Carl (lead care manager), Ned (nurse), Pia (pharmacist)."""
    care.join_care_team("MRN-1", "carl", "care_manager", "Enrolled in CCM", actor("carl"), lead=True)
    care.join_care_team("MRN-1", "ned", "nurse", "Home visits", actor("carl"))
    care.join_care_team("MRN-1", "pia", "pharmacist", "Medication review", actor("carl"))
    return care
