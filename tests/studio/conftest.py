"""Studio fixtures: the shipped library deployed, clinical leads and an admin, a draft of the library."""
from __future__ import annotations

import json

import pytest

from engine.care.actors import Actor
from engine.config import StudioSettings
from engine.deploy.bundle import load_bundle
from engine.deploy.parsing import parse_bundle
from tests.pathways.library import PATHWAYS

LEAD = Actor.person("lead", "clinical_lead")
SECOND_LEAD = Actor.person("lee", "clinical_lead")
ADMIN = Actor.person("admin", "admin")
NURSE = Actor.person("nina", "nurse", "care_manager")


@pytest.fixture(scope="session")
def library_bundle():
    return load_bundle(PATHWAYS)


@pytest.fixture(scope="session")
def library_parsed(library_bundle):
    return parse_bundle(library_bundle)


@pytest.fixture
def studio(pathways):
    """The service with the library deployed (version 1) and two-person review on."""
    pathways.studio_settings = StudioSettings(two_person_review=True)
    pathways.deploy(PATHWAYS)
    return pathways


@pytest.fixture
def draft(studio):
    return studio.open_draft("pathways", LEAD)


def file_of(studio, draft_id: int, path: str) -> tuple[bytes, int]:
    return studio.draft_file(draft_id, path, LEAD)


def edit(studio, draft_id: int, path: str, old: bytes, new: bytes, actor=LEAD):
    content, version = file_of(studio, draft_id, path)
    assert old in content, f"{old!r} is not in {path}"
    return studio.save_draft_file(draft_id, path, content.replace(old, new, 1), version, actor)


def ready_to_publish(studio, draft_id: int) -> None:
    """A small clean change and a green test run."""
    edit(studio, draft_id, "bpmn/ccm.bpmn", b'name="Patient referred for CCM"', b'name="Patient referred to CCM"')
    run = studio.run_draft_tests(draft_id, LEAD)
    assert run.failed == 0, json.dumps([r for r in run.results if not r.get("passed")])[:2000]


# the web app's fixtures, for the studio's routes
from tests.webapp.conftest import app, browser, service, signed_in, users  # noqa: E402, F401
