"""A value the workflow state cannot hold puts the instance in error at the task that brought it in.

JSON writes integers of up to 4,300 digits (CPython's int-to-text limit), but a Python caller's message payload,
a connector or a script under generous sandbox limits can hand the workflow a bigger one. Before, the state then
failed to save on every step and the instance stayed `running` for good.

Fixtures: tests/fixtures/bpmn/lab_followup (waits for `lab_result` into `lab`, then `lab['hba1c'] > 7` opens
"Plan review") and tests/fixtures/threats/huge_int_parse (one script: `number = int('1' * 200000, 2)`, an
integer of 60,206 digits).
"""
from __future__ import annotations

import json

import pytest
from pathway_helpers import audit_actions, deploy, open_titles, workflow_of
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.deploy.bundle import Bundle
from engine.deploy.parsing import parse_bundle
from engine.runtime.history_pruning import keep_tree, prune_history, restore_tree
from engine.sandbox import SandboxedScriptEngine, SandboxLimits
from tests.conftest import FIXTURES
from tests.registry import register

TOO_BIG = 10**5000 - 1  # 5,000 digits: more than the state can hold


@pytest.fixture
def lab(pathways):
    deploy(pathways, "lab_followup")
    register(pathways, "p1")
    return pathways.start("lab_followup", "p1")


@pytest.fixture
def generous(database, frozen_clock):
    """A service whose sandbox lets scripts build integers of up to 100,000 digits."""
    from engine.service import CarePathways

    service = CarePathways(database, limits=SandboxLimits(max_int_digits=100_000))
    register(service, "p2")
    path = FIXTURES / "threats" / "huge_int_parse.bpmn"
    service.deploy(Bundle(name="huge-int", files={path.name: path.read_bytes()}))
    return service


def deliver_too_big(pathways):
    pathways.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": TOO_BIG})


def test_a_message_payload_too_large_to_store_puts_the_instance_in_error(pathways, lab):
    deliver_too_big(pathways)
    assert pathways.instance(lab.id).instance.status == "error"


def test_the_error_names_the_element_that_brought_the_value_in_and_why(pathways, lab):
    deliver_too_big(pathways)
    error = pathways.instance(lab.id).instance.error
    assert error["element"] == "lab_result"
    assert "'lab' cannot be stored: it holds an integer of about 5,000 digits" in error["message"]
    assert "the limit is 4,300 digits" in error["message"]


def test_the_error_is_in_the_audit_trail(pathways, lab):
    deliver_too_big(pathways)
    (event,) = [e for e in pathways.instance(lab.id).history if e.action == "error"]
    assert event.element_id == "lab_result"


def test_what_came_before_the_value_is_kept(pathways, lab):
    deliver_too_big(pathways)
    assert audit_actions(pathways, lab.id)[:2] == ["started", "message_correlated"]
    assert pathways.instance_data(lab.id)["patient_id"] == "p1"
    assert json.loads(pathways.instance(lab.id).instance.state)["format"] == 2


def test_the_message_is_waited_for_again_and_nothing_after_it_ran(pathways, lab):
    deliver_too_big(pathways)
    workflow = workflow_of(pathways, lab.id)
    assert [t.task_spec.name for t in workflow.get_tasks(state=TaskState.WAITING)] == ["lab_result"]
    assert open_titles(pathways, lab.id) == []


def test_after_a_retry_a_storable_message_moves_the_instance_on(pathways, lab):
    deliver_too_big(pathways)
    pathways.retry(lab.id)
    pathways.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.1})
    assert pathways.instance(lab.id).instance.status == "running"
    assert open_titles(pathways, lab.id) == ["Plan review"]


def test_a_script_value_too_large_to_store_puts_the_instance_in_error_naming_the_script(generous):
    instance = generous.start("threat_huge_int_parse", "p2")
    stored = generous.instance(instance.id).instance
    assert (stored.status, stored.error["element"]) == ("error", "run_script")
    assert "'number' cannot be stored: it holds an integer of about 60,206 digits" in stored.error["message"]


def test_a_pathway_that_ended_with_a_value_too_large_to_store_is_in_error_not_completed(generous):
    instance = generous.start("threat_huge_int_parse", "p2")
    assert generous.instance(instance.id).instance.ended_at is None
    assert "completed_instance" not in audit_actions(generous, instance.id)


def test_the_script_that_built_the_value_is_in_error(generous):
    instance = generous.start("threat_huge_int_parse", "p2")
    workflow = workflow_of(generous, instance.id)
    assert [t.task_spec.name for t in workflow.get_tasks(state=TaskState.ERROR)] == ["run_script"]


# -- the history pruned before a save that failed is put back for the search -----------------------------------

BRANCH_LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="branch_loop" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:manualTask id="care" name="Care"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:manualTask>
    <bpmn:endEvent id="cared"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:exclusiveGateway id="next"><bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f6</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:manualTask id="record" name="Record"><bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>
    </bpmn:manualTask>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="care" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="next" />
    <bpmn:sequenceFlow id="f4" sourceRef="care" targetRef="cared" />
    <bpmn:sequenceFlow id="f5" sourceRef="next" targetRef="record" />
    <bpmn:sequenceFlow id="f6" sourceRef="record" targetRef="next" />
  </bpmn:process>
</bpmn:definitions>
"""


def branch_loop(steps: int) -> BpmnWorkflow:
    """A loop in one branch ("Record", done `steps` times) beside a task still open in the other ("Care")."""
    parsed = parse_bundle(Bundle("branch-loop", {"branch_loop.bpmn": BRANCH_LOOP.encode()}))
    workflow = BpmnWorkflow(parsed.spec("branch_loop"), {})
    workflow.do_engine_steps()
    for _ in range(steps):
        (record,) = [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.bpmn_id == "record"]
        record.run()
        workflow.do_engine_steps()
    return workflow


def walked(folder: str, process_id: str, answers: dict, steps: int) -> BpmnWorkflow:
    """Process `process_id` of tests/fixtures/bpmn/<folder>, its first `steps` user tasks done with `answers`."""
    parser = SpiffBpmnParser()
    for path in sorted((FIXTURES / "bpmn" / folder).glob("*.bpmn")):
        parser.add_bpmn_file(str(path))
    for path in sorted((FIXTURES / "bpmn" / folder).glob("*.dmn")):
        parser.add_dmn_file(str(path))
    workflow = BpmnWorkflow(parser.get_spec(process_id), parser.get_subprocess_specs(process_id),
                            script_engine=SandboxedScriptEngine())
    workflow.do_engine_steps()
    for _ in range(steps):
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update(answers)
        task.run()
        workflow.do_engine_steps()
    return workflow


def shape(workflow) -> tuple:
    flows = (workflow, *workflow.subprocesses.values())
    return ([{task.id: (task._parent, list(task._children), task.state) for task in flow.tasks.values()}
             for flow in flows], [flow.last_task for flow in flows], list(workflow.subprocesses))


@pytest.mark.parametrize("folder, process_id, answers, steps", [
    ("review_loop", "review_loop", {"decision": "continue"}, 4),  # a loop
    ("parallel_care", "care_plan_setup", {}, 1),  # one branch done beside one running
    ("assessment_program", "assessment_program", {f"phq9_{item}": 3 for item in range(1, 10)}, 1),  # a sub-pathway
])
def test_the_history_pruned_before_a_failed_save_is_put_back_as_it_was(folder, process_id, answers, steps):
    workflow = walked(folder, process_id, answers, steps)
    before = shape(workflow)
    kept = keep_tree(workflow)
    assert prune_history(workflow) > 0
    restore_tree(workflow, kept)
    assert shape(workflow) == before


def test_the_history_pruned_inside_a_branch_before_a_failed_save_is_put_back_as_it_was():
    workflow = branch_loop(steps=3)
    before = shape(workflow)
    kept = keep_tree(workflow)
    assert prune_history(workflow) > 0
    restore_tree(workflow, kept)
    assert shape(workflow) == before


def test_a_date_a_script_leaves_in_the_data_puts_the_instance_in_error_naming_the_script(pathways):
    """Not only integers: JSON cannot write a date either (a script should store `.isoformat()`)."""
    path = FIXTURES / "threats" / "huge_int_parse.bpmn"
    script = b"number = int('1' * 200000, 2)"
    assert script in path.read_bytes()
    bpmn = path.read_bytes().replace(script, b"number = date(2026, 12, 29)")
    pathways.deploy(Bundle(name="date-left", files={path.name: bpmn}))
    register(pathways, "p3")
    stored = pathways.instance(pathways.start("threat_huge_int_parse", "p3").id).instance
    assert (stored.status, stored.error["element"]) == ("error", "run_script")
    assert "'number' cannot be stored: Object of type date is not JSON serializable" in stored.error["message"]
