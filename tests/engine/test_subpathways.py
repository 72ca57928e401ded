"""A program calling a stage (call activity) whose severity a decision table (DMN) decides.

Fixture: tests/fixtures/bpmn/assessment_program. The program "Behavioural health assessment" calls the stage
`phq9_stage` ("PHQ-9 depression screen": form, a script summing `phq9_total`, the DMN `phq9_severity`); back
in the program, moderate or worse opens "Behavioural health referral" for the physician.
"""
from __future__ import annotations

import json
import shutil

import pytest
from pathway_helpers import (
    BPMN_FIXTURES,
    CARE_MANAGER,
    PHYSICIAN,
    deploy,
    open_task,
    open_titles,
    phq9_answers,
    state_doc,
)

from engine.care.task_forms import FormInvalid
from tests.registry import register


@pytest.fixture
def program(pathways):
    deploy(pathways, "assessment_program")
    register(pathways, "p5")
    return pathways.start("assessment_program", "p5")


def screen(pathways, instance_id, total):
    task = open_task(pathways, instance_id, "PHQ-9")
    pathways.complete(task.id, phq9_answers(total), CARE_MANAGER)


def test_stage_task_row_names_the_stage_and_the_program(pathways, program):
    task = open_task(pathways, program.id, "PHQ-9")
    assert task.stage == "PHQ-9 depression screen"
    assert task.program == "Behavioural health assessment"
    assert task.role == "care_manager"
    assert task.form_schema == "phq9-schema.json"


def test_stage_form_refuses_an_item_out_of_range(pathways, program):
    task = open_task(pathways, program.id, "PHQ-9")
    answers = phq9_answers(5) | {"phq9_9": 4}
    with pytest.raises(FormInvalid):
        pathways.complete(task.id, answers, CARE_MANAGER)
    assert open_titles(pathways, program.id) == ["PHQ-9"]


@pytest.mark.parametrize(
    ("total", "severity"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
     (15, "moderately severe"), (19, "moderately severe"), (20, "severe"), (27, "severe")],
)
def test_severity_band_is_decided_by_the_dmn(pathways, program, total, severity):
    screen(pathways, program.id, total)
    data = pathways.instance_data(program.id)
    assert data["phq9_total"] == total
    assert data["severity"] == severity


def test_mild_severity_ends_the_program_without_referral(pathways, program):
    screen(pathways, program.id, 9)
    assert pathways.instance(program.id).instance.status == "completed"
    assert open_titles(pathways, program.id) == []


def test_moderate_severity_opens_a_referral_for_the_physician(pathways, program):
    screen(pathways, program.id, 10)
    referral = open_task(pathways, program.id, "Behavioural health referral")
    assert referral.role == "physician"
    assert referral.stage == "Behavioural health assessment"


def test_referral_sees_the_stage_results(pathways, program):
    screen(pathways, program.id, 16)
    referral = open_task(pathways, program.id, "Behavioural health referral")
    pathways.complete(referral.id, {"service": "collaborative_care"}, PHYSICIAN)
    data = pathways.instance_data(program.id)
    assert (data["severity"], data["service"]) == ("moderately severe", "collaborative_care")
    assert pathways.instance(program.id).instance.status == "completed"


def test_running_stage_is_kept_in_the_state(pathways, program):
    assert len(state_doc(pathways, program.id)["subprocesses"]) == 1


def test_completed_stage_is_pruned_from_the_state(pathways, program):
    screen(pathways, program.id, 12)
    assert open_titles(pathways, program.id) == ["Behavioural health referral"]
    assert state_doc(pathways, program.id)["subprocesses"] == {}


def test_error_inside_the_stage_is_retried_in_the_stage(pathways, tmp_path):
    """A stage whose form leaves items optional: the total script fails on the missing ones, retry fixes it."""
    bundle = tmp_path / "assessment_program_optional"
    shutil.copytree(BPMN_FIXTURES / "assessment_program", bundle)
    schema = json.loads((bundle / "phq9-schema.json").read_text())
    del schema["required"]
    (bundle / "phq9-schema.json").write_text(json.dumps(schema))
    pathways.deploy(bundle)
    register(pathways, "p5")
    instance = pathways.start("assessment_program", "p5")
    pathways.complete(open_task(pathways, instance.id, "PHQ-9").id, {"phq9_1": 1}, CARE_MANAGER)
    error = pathways.instance(instance.id).instance.error
    assert (error["element"], error["line"]) == ("total", 1)
    pathways.retry(instance.id, data={f"phq9_{item}": 2 for item in range(2, 10)})
    assert open_titles(pathways, instance.id) == ["Behavioural health referral"]
    assert pathways.instance_data(instance.id)["phq9_total"] == 17
