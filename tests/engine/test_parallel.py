"""Parallel work: medication reconciliation (pharmacist) and a social needs referral (social worker) at once.

Fixture: tests/fixtures/bpmn/parallel_care. A parallel split, the two branch tasks, a parallel join, then
"Confirm plan" (care manager).
"""
from __future__ import annotations

import pytest
from pathway_helpers import CARE_MANAGER, PHARMACIST, SOCIAL_WORKER, deploy, open_task, open_titles

from engine.errors import Forbidden
from tests.registry import register


@pytest.fixture
def plan(pathways):
    deploy(pathways, "parallel_care")
    register(pathways, "p7")
    return pathways.start("care_plan_setup", "p7")


def reconcile(pathways, instance_id):
    task = open_task(pathways, instance_id, "Medication reconciliation")
    pathways.complete(task.id, {"medications_reviewed": 9, "discrepancies": 2}, PHARMACIST)


def refer(pathways, instance_id):
    task = open_task(pathways, instance_id, "Social needs referral")
    pathways.complete(task.id, {"need": "transport", "referred_to": "county rides"}, SOCIAL_WORKER)


def test_both_branch_tasks_are_open_at_once(pathways, plan):
    assert sorted(open_titles(pathways, plan.id)) == ["Medication reconciliation", "Social needs referral"]


def test_each_branch_task_belongs_to_its_lane_role(pathways, plan):
    assert open_task(pathways, plan.id, "Medication reconciliation").role == "pharmacist"
    assert open_task(pathways, plan.id, "Social needs referral").role == "social_worker"


def test_role_queue_shows_only_its_branch(pathways, plan):
    assert [t.title for t in pathways.tasks(roles=["pharmacist"])] == ["Medication reconciliation"]


def test_branch_task_refuses_another_role(pathways, plan):
    task = open_task(pathways, plan.id, "Medication reconciliation")
    with pytest.raises(Forbidden):
        pathways.complete(task.id, {"medications_reviewed": 1}, SOCIAL_WORKER)


def test_join_waits_for_the_other_branch(pathways, plan):
    reconcile(pathways, plan.id)
    assert open_titles(pathways, plan.id) == ["Social needs referral"]


def test_join_waits_whichever_branch_finishes_first(pathways, plan):
    refer(pathways, plan.id)
    assert open_titles(pathways, plan.id) == ["Medication reconciliation"]


def test_confirm_opens_for_the_care_manager_when_both_are_done(pathways, plan):
    reconcile(pathways, plan.id)
    refer(pathways, plan.id)
    assert open_task(pathways, plan.id, "Confirm plan").role == "care_manager"


def test_both_branches_data_reaches_the_confirmation(pathways, plan):
    reconcile(pathways, plan.id)
    refer(pathways, plan.id)
    pathways.complete(open_task(pathways, plan.id, "Confirm plan").id, {"confirmed": True}, CARE_MANAGER)
    data = pathways.instance_data(plan.id)
    assert (data["discrepancies"], data["need"], data["confirmed"]) == (2, "transport", True)
    assert pathways.instance(plan.id).instance.status == "completed"
