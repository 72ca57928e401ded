"""Deploying bundles: versions, content hashes, no-op redeploys, refusals that store nothing."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from engine.errors import BundleRefused
from engine.models import AuditEvent, Deployment, DeploymentFile
from tests.conftest import FIXTURES
from tests.registry import register

REVIEW = FIXTURES / "bpmn" / "review_loop"


@pytest.fixture
def review_copy(tmp_path):
    target = tmp_path / "review_loop"
    shutil.copytree(REVIEW, target)
    return target


def test_first_deploy_creates_version_one(pathways):
    result = pathways.deploy(REVIEW)
    assert result.created and result.deployment.version == 1
    assert len(result.deployment.content_hash) == 64


def test_same_content_again_is_a_no_op_that_says_so(pathways):
    pathways.deploy(REVIEW)
    again = pathways.deploy(REVIEW)
    assert not again.created
    assert "unchanged" in again.message
    assert len(pathways.versions()) == 1


def test_changed_content_is_the_next_version(pathways, review_copy):
    pathways.deploy(review_copy)
    bpmn = review_copy / "review_loop.bpmn"
    bpmn.write_text(bpmn.read_text().replace("Monthly review loop", "Monthly review (v2)"))
    result = pathways.deploy(review_copy)
    assert result.created and result.deployment.version == 2


def test_running_instance_stays_on_its_version_and_new_starts_take_the_newest(pathways, review_copy):
    pathways.deploy(review_copy)
    register(pathways, "p1", "p2")
    old = pathways.start("review_loop", "p1")
    bpmn = review_copy / "review_loop.bpmn"
    bpmn.write_text(bpmn.read_text().replace("Monthly review loop", "Monthly review (v2)"))
    v2 = pathways.deploy(review_copy).deployment
    new = pathways.start("review_loop", "p2")
    assert old.deployment_id != v2.id
    assert new.deployment_id == v2.id
    assert new.program == "Monthly review (v2)"


def test_refused_bundle_stores_nothing(pathways, review_copy, database):
    (review_copy / "review_loop.bpmn").write_text("<bpmn:definitions")
    with pytest.raises(BundleRefused) as refused:
        pathways.deploy(review_copy)
    assert any(p.file.endswith("review_loop.bpmn") for p in refused.value.problems)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Deployment)) == 0
        assert session.scalar(select(func.count()).select_from(DeploymentFile)) == 0


def test_deploy_is_audited(pathways, database):
    pathways.deploy(REVIEW)
    with database.transaction() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "deployed")).one()
    assert event.details["version"] == 1


def test_parsed_specs_are_cached_not_reparsed_per_request(pathways):
    pathways.deploy(REVIEW)
    register(pathways, "p1")
    instance = pathways.start("review_loop", "p1")
    task = pathways.tasks(instance_id=instance.id)[0]
    pathways.complete(task.id, {"decision": "continue"}, pathways_actor())
    assert pathways.runtime.specs.parses == 0


def test_a_new_process_reparses_each_deployment_once(database, frozen_clock):
    from engine.service import CarePathways

    CarePathways(database).deploy(REVIEW)
    fresh = CarePathways(database)  # a new process: empty cache
    register(fresh, "p1", "p2", "p3")
    for patient in ("p1", "p2", "p3"):
        fresh.start("review_loop", patient)
    assert fresh.runtime.specs.parses == 1


def pathways_actor():
    from engine.care.actors import Actor

    return Actor.person("carl", "care_manager")


def test_each_version_validates_submissions_against_its_own_forms(pathways, review_copy, care_manager):
    """The forms of a version are found by the parsed schema itself, not by file name: a running instance keeps its
    version's form after a new version changed that file, and the new version's instances get the new form."""
    from engine.care.task_forms import FormInvalid

    pathways.deploy(review_copy)
    register(pathways, "p1", "p2")
    old = pathways.start("review_loop", "p1")
    schema = review_copy / "review-schema.json"
    schema.write_text(schema.read_text().replace('"required": ["decision"]', '"required": ["decision", "progress_note"]'))
    pathways.deploy(review_copy)
    new = pathways.start("review_loop", "p2")
    (old_task,), (new_task,) = pathways.tasks(instance_id=old.id), pathways.tasks(instance_id=new.id)
    with pytest.raises(FormInvalid) as refused:
        pathways.complete(new_task.id, {"decision": "continue"}, care_manager)
    assert "progress_note" in refused.value.errors
    pathways.complete(old_task.id, {"decision": "continue"}, care_manager)  # the first version's form
    with pytest.raises(FormInvalid):
        pathways.complete(new_task.id, {"decision": "continue"}, care_manager)
    pathways.complete(new_task.id, {"decision": "continue", "progress_note": "on track"}, care_manager)
