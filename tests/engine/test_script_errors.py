"""A failing script puts the instance in error without losing work; retry with fixed data moves it on.

Fixture: tests/fixtures/bpmn/script_error. "Record measurements" (nurse), then the script task
`compute_bmi` (line 2: `bmi = round(weight_kg / (height_m ** 2), 1)`), then "Review BMI".
"""
from __future__ import annotations

import pytest
from pathway_helpers import NURSE, all_tasks, audit_actions, deploy, open_task, open_titles

from engine.errors import InvalidState
from engine.models import TaskStatus
from tests.registry import register


@pytest.fixture
def bmi(pathways):
    deploy(pathways, "script_error")
    register(pathways, "p6")
    return pathways.start("bmi_check", "p6")


def measure(pathways, instance_id, **data):
    pathways.complete(open_task(pathways, instance_id, "Record measurements").id, data, NURSE)


def test_zero_height_puts_the_instance_in_error(pathways, bmi):
    measure(pathways, bmi.id, weight_kg=80, height_m=0)
    instance = pathways.instance(bmi.id).instance
    assert instance.status == "error"
    assert instance.error["element"] == "compute_bmi"
    assert instance.error["line"] == 2
    assert "division by zero" in instance.error["message"]


def test_error_names_the_failing_line(pathways, bmi):
    measure(pathways, bmi.id, weight_kg=80, height_m=0)
    error = pathways.instance(bmi.id).instance.error
    assert error["error_line"].strip() == "bmi = round(weight_kg / (height_m ** 2), 1)"
    assert error["name"] == "Compute BMI"


def test_missing_height_puts_the_instance_in_error_naming_the_variable(pathways, bmi):
    measure(pathways, bmi.id, weight_kg=80)
    instance = pathways.instance(bmi.id).instance
    assert instance.status == "error"
    assert instance.error["element"] == "compute_bmi"
    assert "height_m" in instance.error["message"]


def test_script_error_is_audited(pathways, bmi):
    measure(pathways, bmi.id, weight_kg=80, height_m=0)
    (event,) = [e for e in pathways.instance(bmi.id).history if e.action == "error"]
    assert event.element_id == "compute_bmi"
    assert event.details["line"] == 2


def test_completed_task_before_the_error_stays_completed(pathways, bmi):
    measure(pathways, bmi.id, weight_kg=80, height_m=0)
    (row,) = all_tasks(pathways, bmi.id)
    assert (row.title, row.status, row.completed_by) == ("Record measurements", TaskStatus.COMPLETED, "nina")
    assert "completed" in audit_actions(pathways, bmi.id)


def test_submitted_data_is_kept_through_the_error(pathways, bmi):
    measure(pathways, bmi.id, weight_kg=80, height_m=0)
    data = pathways.instance_data(bmi.id)
    assert (data["weight_kg"], data["height_m"]) == (80, 0)


def test_instance_in_error_opens_no_task(pathways, bmi):
    measure(pathways, bmi.id, weight_kg=80, height_m=0)
    assert open_titles(pathways, bmi.id) == []


def test_retry_with_fixed_data_moves_on(pathways, bmi):
    measure(pathways, bmi.id, weight_kg=80, height_m=0)
    pathways.retry(bmi.id, data={"height_m": 1.7})
    instance = pathways.instance(bmi.id).instance
    assert (instance.status, instance.error) == ("running", None)
    assert open_task(pathways, bmi.id, "Review BMI").role == "nurse"
    assert pathways.instance_data(bmi.id)["bmi"] == 27.7


def test_retry_is_audited_with_the_previous_error(pathways, bmi):
    measure(pathways, bmi.id, weight_kg=80, height_m=0)
    pathways.retry(bmi.id, data={"height_m": 1.7})
    (event,) = [e for e in pathways.instance(bmi.id).history if e.action == "retried"]
    assert event.details["previous_error"]["element"] == "compute_bmi"


def test_retry_without_a_fix_fails_again(pathways, bmi):
    measure(pathways, bmi.id, weight_kg=80, height_m=0)
    pathways.retry(bmi.id)
    assert pathways.instance(bmi.id).instance.status == "error"
    assert audit_actions(pathways, bmi.id).count("error") == 2


def test_retry_then_finish_completes_the_pathway(pathways, bmi):
    measure(pathways, bmi.id, weight_kg=80)
    pathways.retry(bmi.id, data={"height_m": 1.6})
    pathways.complete(open_task(pathways, bmi.id, "Review BMI").id, {"plan": "dietitian"}, NURSE)
    assert pathways.instance(bmi.id).instance.status == "completed"


def test_retry_of_a_running_instance_is_invalid_state(pathways, bmi):
    with pytest.raises(InvalidState):
        pathways.retry(bmi.id, data={"height_m": 1.7})


def test_retry_of_a_completed_instance_is_invalid_state(pathways, bmi):
    measure(pathways, bmi.id, weight_kg=80, height_m=1.8)
    pathways.complete(open_task(pathways, bmi.id, "Review BMI").id, {"plan": "no_action"}, NURSE)
    with pytest.raises(InvalidState):
        pathways.retry(bmi.id)


def test_instance_in_error_cannot_be_suspended(pathways, bmi):
    measure(pathways, bmi.id, weight_kg=80, height_m=0)
    with pytest.raises(InvalidState):
        pathways.suspend(bmi.id)


def test_instance_in_error_can_be_terminated(pathways, bmi):
    measure(pathways, bmi.id, weight_kg=80, height_m=0)
    pathways.terminate(bmi.id, reason="measured elsewhere")
    assert pathways.instance(bmi.id).instance.status == "terminated"


def test_condition_error_names_the_gateway(pathways):
    deploy(pathways, "lab_followup")
    register(pathways, "p1")
    instance = pathways.start("lab_followup", "p1")
    pathways.correlate("lab_result", {"patient_id": "p1"}, {"glucose": 8.1})
    error = pathways.instance(instance.id).instance.error
    assert error["element"] == "above_target"
    assert "hba1c" in error["message"]


def test_retry_after_a_condition_error_takes_the_fixed_branch(pathways):
    deploy(pathways, "lab_followup")
    register(pathways, "p1")
    instance = pathways.start("lab_followup", "p1")
    pathways.correlate("lab_result", {"patient_id": "p1"}, {"glucose": 8.1})
    pathways.retry(instance.id, data={"lab": {"hba1c": 8.1}})
    assert open_titles(pathways, instance.id) == ["Plan review"]
