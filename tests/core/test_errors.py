"""A failing script puts the instance in error, loses nothing, and retry picks up fixed data or a fixed pathway."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from engine.errors import InvalidState
from engine.models import AuditEvent, InstanceStatus, TaskStatus
from tests.conftest import FIXTURES
from tests.registry import register

SCORE = FIXTURES / "bpmn" / "score_script"


@pytest.fixture
def score_bundle(tmp_path):
    target = tmp_path / "score_script"
    shutil.copytree(SCORE, target)
    return target


@pytest.fixture
def failed(pathways, score_bundle):
    pathways.deploy(score_bundle)
    register(pathways, "p1")
    return pathways.start("score_pathway", "p1", {"doses_planned": 0, "doses_taken": 0})


def test_failing_script_puts_instance_in_error_with_element_message_and_line(pathways, failed):
    instance = pathways.instance(failed.id).instance
    assert instance.status == InstanceStatus.ERROR
    assert instance.error["element"] == "compute_score"
    assert "division" in instance.error["message"].lower()
    assert instance.error["line"] == 2


def test_error_is_audited(pathways, failed, database):
    with database.transaction() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "error")).one()
    assert event.element_id == "compute_score"


def test_error_keeps_the_data_from_before_it(pathways, failed):
    assert pathways.instance_data(failed.id)["doses_planned"] == 0


def test_retry_with_fixed_data_moves_the_instance_on(pathways, failed):
    pathways.retry(failed.id, data={"doses_planned": 30, "doses_taken": 27})
    view = pathways.instance(failed.id)
    assert view.instance.status == InstanceStatus.RUNNING and view.instance.error is None
    assert [t.title for t in view.tasks if t.status == TaskStatus.OPEN] == ["Review adherence"]
    assert pathways.instance_data(failed.id)["adherence"] == pytest.approx(0.9)


def test_retry_without_a_fix_fails_again_and_stays_in_error(pathways, failed):
    pathways.retry(failed.id)
    assert pathways.instance(failed.id).instance.status == InstanceStatus.ERROR


def test_retry_of_a_running_instance_is_refused(pathways, failed):
    pathways.retry(failed.id, data={"doses_planned": 30, "doses_taken": 27})
    with pytest.raises(InvalidState, match="only an instance in error"):
        pathways.retry(failed.id)


def test_retry_onto_the_fixed_pathway_version(pathways, failed, score_bundle):
    bpmn = score_bundle / "score.bpmn"
    bpmn.write_text(bpmn.read_text().replace(
        "adherence = doses_taken / doses_planned",
        "adherence = doses_taken / doses_planned if doses_planned else None"))
    fixed = pathways.deploy(score_bundle).deployment
    pathways.retry(failed.id, upgrade=True)
    view = pathways.instance(failed.id)
    assert view.instance.status == InstanceStatus.RUNNING
    assert view.instance.deployment_id == fixed.id
    assert pathways.instance_data(failed.id)["adherence"] is None


def test_upgrade_without_a_newer_version_says_deploy_first(pathways, failed):
    with pytest.raises(InvalidState, match="deploy the fixed pathway first"):
        pathways.retry(failed.id, upgrade=True)
