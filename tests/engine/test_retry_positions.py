"""Retry after a failure in any script position: the instance goes on from where it failed, to completion.

Fixture: tests/fixtures/bpmn/retry_positions, one small pathway per position, each failing in its first
element and then opening "Follow up" for the nurse:

    fails_in_script      script task `divide`: ratio = weight_kg / height_m (start data)
    fails_in_prescript   preScript of "Review the ratio": the same division (start data)
    fails_in_postscript  postScript of "Record the measurements": the same division (the person's answers)
    fails_in_gateway     gateway `high`: ratio > 30 (nothing sets ratio)
    fails_in_timer       timer `wait`: waits for wait_for (nothing sets it)
    fails_in_decision    business rule task `band`: decision ratio_band reads ratio (nothing sets it)
    fails_in_loop        "Record each reading" three times in a row, each with the postScript above

A postScript the sandbox refuses is in a version deployed before the fixture's (`deploy_refusing`): the
fixture, deployed after it, is the fixed version.
"""
from __future__ import annotations

import pytest
from pathway_helpers import BPMN_FIXTURES, NURSE, all_tasks, deploy, open_task, open_titles
from sqlalchemy import select

from engine.deploy.bundle import Bundle, load_bundle
from engine.deploy.spec_cache import SpecCache
from engine.models import InboxTask, Instance, TaskStatus
from engine.service import CarePathways
from tests.registry import register

FAILING = {"weight_kg": 80, "height_m": 0}
FIX = {"height_m": 2}
FIXED_ANSWERS = {"weight_kg": 80, "height_m": 2}
RECORD = "Record the measurements"
DIVISION = b"ratio = weight_kg / height_m"
REFUSED = b'ratio = getattr(weight_kg, "__class__")'  # the sandbox refuses it when it runs


@pytest.fixture
def positions(pathways):
    deploy(pathways, "retry_positions")
    register(pathways, "P1")
    return pathways


def rows(pathways, instance_id) -> list[tuple]:
    """(title, status, completed by) of every inbox row of the instance, oldest first."""
    return [(r.title, r.status, r.completed_by) for r in all_tasks(pathways, instance_id)]


def status(pathways, instance_id) -> str:
    return pathways.instance(instance_id).instance.status


def do(pathways, instance_id, title, data=None):
    pathways.complete(open_task(pathways, instance_id, title).id, data or {}, NURSE)


def in_error(pathways, process_id, data=None, *, completing: str | None = None) -> int:
    """An instance of `process_id` in error: started with `data`, or with the task `completing` completed with
    the failing answers."""
    instance_id = pathways.start(process_id, "P1", data or {}).id
    if completing:
        do(pathways, instance_id, completing, FAILING)
    assert status(pathways, instance_id) == "error"
    return instance_id


def deploy_refusing(pathways, file: str) -> None:
    """retry_positions with, in `file`, a postScript the sandbox refuses."""
    bundle = load_bundle(BPMN_FIXTURES / "retry_positions")
    files = dict(bundle.files)
    assert DIVISION in files[file]
    files[file] = files[file].replace(DIVISION, REFUSED)
    pathways.deploy(Bundle(bundle.name, files))


# --------------------------------------------------------------------------------------------- one per position
def test_retry_after_a_script_task_failed_runs_it_again_with_the_fixed_data(positions):
    instance_id = in_error(positions, "fails_in_script", FAILING)
    positions.retry(instance_id, data=FIX)
    do(positions, instance_id, "Follow up")
    assert (status(positions, instance_id), positions.instance_data(instance_id)["ratio"]) == ("completed", 40.0)
    assert rows(positions, instance_id) == [("Follow up", TaskStatus.COMPLETED, "nina")]


def test_retry_after_a_prescript_failed_runs_the_prescript_again(positions):
    instance_id = in_error(positions, "fails_in_prescript", FAILING)
    positions.retry(instance_id, data=FIX)
    review = open_task(positions, instance_id, "Review the ratio")
    assert positions.task_context(review.id, NURSE).data["ratio"] == 40.0
    do(positions, instance_id, "Review the ratio")
    do(positions, instance_id, "Follow up")
    assert status(positions, instance_id) == "completed"
    assert rows(positions, instance_id) == [("Review the ratio", TaskStatus.COMPLETED, "nina"),
                                            ("Follow up", TaskStatus.COMPLETED, "nina")]


def test_retry_after_a_postscript_failed_finishes_the_task_with_the_fixed_data(positions):
    instance_id = in_error(positions, "fails_in_postscript", completing=RECORD)
    positions.retry(instance_id, data=FIX)
    do(positions, instance_id, "Follow up")
    assert (status(positions, instance_id), positions.instance_data(instance_id)["ratio"]) == ("completed", 40.0)
    assert rows(positions, instance_id) == [(RECORD, TaskStatus.COMPLETED, "nina"),
                                            ("Follow up", TaskStatus.COMPLETED, "nina")]


def test_retry_on_the_fixed_version_after_a_postscript_the_sandbox_refused_finishes_the_task(pathways):
    register(pathways, "P1")
    deploy_refusing(pathways, "fails_in_postscript.bpmn")
    instance_id = pathways.start("fails_in_postscript", "P1").id
    do(pathways, instance_id, RECORD, FIXED_ANSWERS)
    assert "__class__" in pathways.instance(instance_id).instance.error["message"]
    deploy(pathways, "retry_positions")
    pathways.retry(instance_id, upgrade=True)
    do(pathways, instance_id, "Follow up")
    assert (status(pathways, instance_id), pathways.instance_data(instance_id)["ratio"]) == ("completed", 40.0)
    assert rows(pathways, instance_id) == [(RECORD, TaskStatus.COMPLETED, "nina"),
                                           ("Follow up", TaskStatus.COMPLETED, "nina")]


def test_retry_after_a_gateway_condition_failed_takes_the_branch_the_fixed_data_picks(positions):
    instance_id = in_error(positions, "fails_in_gateway")
    positions.retry(instance_id, data={"ratio": 40})
    do(positions, instance_id, "Escalate")
    assert status(positions, instance_id) == "completed"
    assert rows(positions, instance_id) == [("Escalate", TaskStatus.COMPLETED, "nina")]


def test_retry_after_a_timer_expression_failed_waits_for_the_fixed_duration(positions, frozen_clock):
    instance_id = in_error(positions, "fails_in_timer")
    positions.retry(instance_id, data={"wait_for": "PT1H"})
    assert [t.element_id for t in positions.instance(instance_id).timers] == ["wait"]
    frozen_clock.advance(hours=2)
    positions.run_due_timers()
    do(positions, instance_id, "Follow up")
    assert status(positions, instance_id) == "completed"
    assert rows(positions, instance_id) == [("Follow up", TaskStatus.COMPLETED, "nina")]


def test_retry_after_a_decision_failed_decides_with_the_fixed_data(positions):
    instance_id = in_error(positions, "fails_in_decision")
    positions.retry(instance_id, data={"ratio": 40})
    do(positions, instance_id, "Follow up")
    assert (status(positions, instance_id), positions.instance_data(instance_id)["band"]) == ("completed", "high")
    assert rows(positions, instance_id) == [("Follow up", TaskStatus.COMPLETED, "nina")]


def test_retry_on_the_fixed_version_of_a_loop_whose_postscript_the_sandbox_refused_goes_on_with_the_loop(
        database, frozen_clock):
    """Each step in a service of its own, as separate processes would take them: the fixed version's specs are
    first parsed by the retry that moves the instance onto them, which also finishes the loop's first round."""
    def fresh():
        return CarePathways(database, specs=SpecCache())

    register(fresh(), "P1")
    deploy_refusing(fresh(), "fails_in_loop.bpmn")
    instance_id = fresh().start("fails_in_loop", "P1").id
    do(fresh(), instance_id, "Record each reading", FIXED_ANSWERS)
    assert status(fresh(), instance_id) == "error"
    deploy(fresh(), "retry_positions")
    fresh().retry(instance_id, upgrade=True)
    for title in ("Record each reading", "Record each reading", "Follow up"):
        do(fresh(), instance_id, title, FIXED_ANSWERS)
    assert status(fresh(), instance_id) == "completed"
    assert [title for title, _, _ in rows(fresh(), instance_id)] == ["Record each reading"] * 3 + ["Follow up"]


# --------------------------------------------------------------------------------------------- the inbox rows
def test_task_whose_postscript_failed_shows_as_completed_by_whoever_completed_it(positions):
    instance_id = in_error(positions, "fails_in_postscript", completing=RECORD)
    assert rows(positions, instance_id) == [(RECORD, TaskStatus.COMPLETED, "nina")]


def test_retry_after_a_postscript_failed_does_not_hand_the_task_back(positions):
    instance_id = in_error(positions, "fails_in_postscript", completing=RECORD)
    positions.retry(instance_id, data=FIX)
    assert open_titles(positions, instance_id) == ["Follow up"]


def test_retry_after_a_postscript_failed_without_a_fix_fails_again_leaving_the_row_completed(positions):
    instance_id = in_error(positions, "fails_in_postscript", completing=RECORD)
    positions.retry(instance_id)
    assert status(positions, instance_id) == "error"
    assert rows(positions, instance_id) == [(RECORD, TaskStatus.COMPLETED, "nina")]


def test_retry_of_an_error_stored_before_errors_named_their_task_finishes_the_task_its_postscript_failed(
        positions):
    """An instance that went into error before errors said which task failed and how (its row cancelled, as
    they were then): the message's note says the postScript failed, and the task is finished, not reopened."""
    instance_id = in_error(positions, "fails_in_postscript", completing=RECORD)
    with positions.db.transaction() as session:
        instance = session.get(Instance, instance_id)
        instance.error = {k: v for k, v in instance.error.items() if k not in ("task", "phase")}
        row = session.scalar(select(InboxTask).where(InboxTask.instance_id == instance_id))
        row.status, row.completed_by = TaskStatus.CANCELLED, None
    positions.retry(instance_id, data=FIX)
    assert (status(positions, instance_id), open_titles(positions, instance_id)) == ("running", ["Follow up"])
    assert positions.instance_data(instance_id)["ratio"] == 40.0
