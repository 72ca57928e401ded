"""BPMN data objects in the engine: shared by a process's parallel branches and handed to a called process, kept
by the state codec through its pruning, given to an instance that moves to a version declaring them, and a
data object SpiffWorkflow's parser cannot reach refused at deploy (its parser would never finish).

The model here is the shape of the diabetes and heart failure programs: a monitoring branch records each
result in a data object while the main branch goes on, and a called stage reads the data object at its start.
"""
from __future__ import annotations

from functools import cache

import pytest
from pathway_helpers import workflow_of
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.care.instances import get_instance
from engine.deploy.bundle import Bundle
from engine.deploy.parsing import parse_bundle
from engine.errors import BundleRefused
from engine.read.instance_data import current_data
from engine.runtime.state_codec import decode_state, dump_state, encode_state, prune_history
from engine.sandbox.script_engine import SandboxedScriptEngine
from tests.registry import register

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="Definitions_results" targetNamespace="http://carepath.dev/tests">
  <bpmn:message id="Message_lab" name="lab_result" />
"""

PROGRAM = HEAD + """
  <bpmn:process id="program" isExecutable="true">
    <bpmn:dataObject id="results" />
    <bpmn:dataObjectReference id="results_set_up" dataObjectRef="results" />
    <bpmn:dataObjectReference id="results_recorded" dataObjectRef="results" />
    <bpmn:dataObjectReference id="results_at_discharge" dataObjectRef="results" />
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="set_up" name="Set up">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:dataOutputAssociation id="a1"><bpmn:targetRef>results_set_up</bpmn:targetRef></bpmn:dataOutputAssociation>
      <bpmn:script>results = []</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:manualTask id="care" name="Care"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:manualTask>
    <bpmn:callActivity id="call_discharge" name="Discharge" calledElement="discharge">
      <bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>
      <bpmn:dataInputAssociation id="a2"><bpmn:sourceRef>results_at_discharge</bpmn:sourceRef></bpmn:dataInputAssociation>
    </bpmn:callActivity>
    <bpmn:endEvent id="closed" name="Closed"><bpmn:incoming>f6</bpmn:incoming>
      <bpmn:terminateEventDefinition id="terminate" /></bpmn:endEvent>
    <bpmn:exclusiveGateway id="wait"><bpmn:incoming>f4</bpmn:incoming><bpmn:incoming>f9</bpmn:incoming>
      <bpmn:outgoing>f7</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:intermediateCatchEvent id="received" name="Result received">
      <bpmn:incoming>f7</bpmn:incoming><bpmn:outgoing>f8</bpmn:outgoing>
      <bpmn:messageEventDefinition id="lab" messageRef="Message_lab"><bpmn:extensionElements>
        <spiffworkflow:messageVariable>lab_result</spiffworkflow:messageVariable>
      </bpmn:extensionElements></bpmn:messageEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="record" name="Record">
      <bpmn:incoming>f8</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing>
      <bpmn:dataInputAssociation id="a3"><bpmn:sourceRef>results_recorded</bpmn:sourceRef></bpmn:dataInputAssociation>
      <bpmn:dataOutputAssociation id="a4"><bpmn:targetRef>results_recorded</bpmn:targetRef></bpmn:dataOutputAssociation>
      <bpmn:script>results = results + [lab_result['value']]</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="set_up" />
    <bpmn:sequenceFlow id="f2" sourceRef="set_up" targetRef="split" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="care" />
    <bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="wait" />
    <bpmn:sequenceFlow id="f5" sourceRef="care" targetRef="call_discharge" />
    <bpmn:sequenceFlow id="f6" sourceRef="call_discharge" targetRef="closed" />
    <bpmn:sequenceFlow id="f7" sourceRef="wait" targetRef="received" />
    <bpmn:sequenceFlow id="f8" sourceRef="received" targetRef="record" />
    <bpmn:sequenceFlow id="f9" sourceRef="record" targetRef="wait" />
  </bpmn:process>
  <bpmn:process id="discharge" isExecutable="true">
    <bpmn:startEvent id="due"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="draft" name="Draft"><bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing>
      <bpmn:script>summary = 'results: ' + ', '.join([str(r) for r in results])</bpmn:script></bpmn:scriptTask>
    <bpmn:manualTask id="hand_off" name="Hand off"><bpmn:incoming>g2</bpmn:incoming><bpmn:outgoing>g3</bpmn:outgoing>
    </bpmn:manualTask>
    <bpmn:endEvent id="done"><bpmn:incoming>g3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="g1" sourceRef="due" targetRef="draft" />
    <bpmn:sequenceFlow id="g2" sourceRef="draft" targetRef="hand_off" />
    <bpmn:sequenceFlow id="g3" sourceRef="hand_off" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>
"""


@cache
def parsed():
    return parse_bundle(Bundle("results", {"program.bpmn": PROGRAM.encode()}))


class Run:
    """The program driven as the runtime drives it: every step saved and loaded again (pruned each time)."""

    def __init__(self):
        self.engine = SandboxedScriptEngine()
        self.spec, self.subprocess_specs = parsed().spec("program"), parsed().subprocess_specs("program")
        self.workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.engine)
        self.workflow.do_engine_steps()
        self.pruned = 0
        self.save_and_load()

    def save_and_load(self):
        self.pruned += prune_history(self.workflow)
        self.workflow = decode_state(encode_state(self.workflow), self.spec, self.subprocess_specs, self.engine)

    def result(self, value):
        (waiting,) = [t for t in self.workflow.get_tasks(state=TaskState.WAITING) if t.task_spec.bpmn_id == "received"]
        self.workflow.catch(BpmnEvent(waiting.task_spec.event_definition, {"value": value}))
        self.workflow.do_engine_steps()
        self.save_and_load()

    def do(self, name):
        (task,) = [t for t in self.workflow.get_tasks(state=TaskState.READY) if t.task_spec.bpmn_name == name]
        task.run()
        self.workflow.do_engine_steps()
        self.save_and_load()
        return task

    def ready(self, name):
        (task,) = [t for t in self.workflow.get_tasks(state=TaskState.READY) if t.task_spec.bpmn_name == name]
        return task


def test_a_data_object_set_up_before_the_branches_split_is_kept():
    assert Run().workflow.data_objects == {"results": []}


def test_results_recorded_on_one_branch_survive_every_save_and_load():
    run = Run()
    for value in (8.2, 7.1):
        run.result(value)
    assert run.workflow.data_objects == {"results": [8.2, 7.1]}
    assert run.pruned > 0  # the recorded results' finished tasks were pruned; the data object was not


def test_the_branch_itself_holds_no_copy_of_the_data_object():
    run = Run()
    run.result(8.2)
    waiting = [t for t in run.workflow.get_tasks(state=TaskState.WAITING)]
    assert waiting and all("results" not in t.data for t in waiting)


def test_a_called_process_gets_the_data_object_as_it_starts():
    run = Run()
    run.result(8.2)
    run.result(7.1)
    run.do("Care")
    assert run.ready("Hand off").data["summary"] == "results: 8.2, 7.1"


def test_a_result_after_the_call_started_is_kept_but_not_in_the_called_process():
    run = Run()
    run.result(8.2)
    run.do("Care")
    run.result(7.1)
    assert (run.ready("Hand off").data["results"], run.workflow.data_objects["results"]) == ([8.2], [8.2, 7.1])


def test_data_objects_outlive_the_end_of_the_program():
    run = Run()
    run.result(8.2)
    run.do("Care")
    run.do("Hand off")
    assert run.workflow.completed and run.workflow.data_objects == {"results": [8.2]}
    assert "results" not in run.workflow.last_task.data  # the call activity's copy is dropped as it completes


def test_state_size_depends_on_the_data_not_on_how_many_results_came():
    few, many = Run(), Run()
    for _ in range(3):
        few.result(7.0)
    for _ in range(30):
        many.result(7.0)
    assert len(dump_state(few.workflow)["tasks"]) == len(dump_state(many.workflow)["tasks"])
    assert len(many.workflow.data_objects["results"]) == 30


# ------------------------------------------------------------------ moving to a version that declares them
FAILING = HEAD + """
  <bpmn:process id="scored" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="score" name="Score"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>score = 1 / 0</bpmn:script></bpmn:scriptTask>
    <bpmn:intermediateCatchEvent id="received" name="Result received">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:messageEventDefinition id="lab" messageRef="Message_lab" />
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="score" />
    <bpmn:sequenceFlow id="f2" sourceRef="score" targetRef="received" />
    <bpmn:sequenceFlow id="f3" sourceRef="received" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>
"""
FIXED = FAILING.replace("score = 1 / 0", "scores = [1]").replace(
    '<bpmn:startEvent id="start">',
    '<bpmn:dataObject id="scores" /><bpmn:dataObjectReference id="scores_ref" dataObjectRef="scores" />'
    '<bpmn:startEvent id="start">').replace(
    "<bpmn:script>scores", '<bpmn:dataOutputAssociation id="writes"><bpmn:targetRef>scores_ref</bpmn:targetRef>'
                           "</bpmn:dataOutputAssociation><bpmn:script>scores")


def test_an_instance_moved_to_a_version_declaring_a_data_object_writes_it(pathways):
    pathways.deploy(Bundle("scored", {"scored.bpmn": FAILING.encode()}))
    register(pathways, "p1")
    failed = pathways.start("scored", "p1")
    assert pathways.instance(failed.id).instance.status == "error"
    pathways.deploy(Bundle("scored", {"scored.bpmn": FIXED.encode()}))
    pathways.retry(failed.id, upgrade=True)
    assert workflow_of(pathways, failed.id).data_objects == {"scores": [1]}


def test_the_patient_page_shows_the_data_objects_set(pathways):
    pathways.deploy(Bundle("results", {"program.bpmn": PROGRAM.encode()}))
    register(pathways, "p1")
    instance_id = pathways.start("program", "p1").id
    pathways.correlate("lab_result", {"patient_id": "p1"}, {"value": 8.2})
    with pathways.db.transaction() as session:
        shown = current_data(session, pathways.runtime, get_instance(session, instance_id))
    assert shown["results"] == [8.2]


# ------------------------------------------------------------------ a data object out of SpiffWorkflow's reach
NESTED = HEAD + """
  <bpmn:process id="nested" isExecutable="true">
    <bpmn:dataObject id="{declared}" />
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:subProcess id="outer" name="Outer"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:startEvent id="outer_start"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:subProcess id="inner" name="Inner"><bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing>
        <bpmn:dataObjectReference id="notes_ref" dataObjectRef="notes" />
        <bpmn:startEvent id="inner_start"><bpmn:outgoing>h1</bpmn:outgoing></bpmn:startEvent>
        <bpmn:scriptTask id="write" name="Write"><bpmn:incoming>h1</bpmn:incoming><bpmn:outgoing>h2</bpmn:outgoing>
          <bpmn:dataOutputAssociation id="writes"><bpmn:targetRef>notes_ref</bpmn:targetRef></bpmn:dataOutputAssociation>
          <bpmn:script>notes = 1</bpmn:script></bpmn:scriptTask>
        <bpmn:endEvent id="inner_end"><bpmn:incoming>h2</bpmn:incoming></bpmn:endEvent>
        <bpmn:sequenceFlow id="h1" sourceRef="inner_start" targetRef="write" />
        <bpmn:sequenceFlow id="h2" sourceRef="write" targetRef="inner_end" />
      </bpmn:subProcess>
      <bpmn:endEvent id="outer_end"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="outer_start" targetRef="inner" />
      <bpmn:sequenceFlow id="g2" sourceRef="inner" targetRef="outer_end" />
    </bpmn:subProcess>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="outer" />
    <bpmn:sequenceFlow id="f2" sourceRef="outer" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize("declared", ["notes", "something_else"], ids=["two levels up", "nowhere"])
def test_data_object_out_of_reach_is_refused_at_deploy(declared):
    """SpiffWorkflow 3.2 looks for it in the task's sub-process and the scope around it only, and past that its
    parser asks the same scope again forever: refused before SpiffWorkflow sees the file."""
    with pytest.raises(BundleRefused) as refused:
        parse_bundle(Bundle("nested", {"nested.bpmn": NESTED.replace("{declared}", declared).encode()}))
    (problem,) = refused.value.problems
    assert (problem.element, 'data object "notes"' in problem.message) == ("write", True)


def test_data_object_of_the_scope_around_the_sub_process_is_fine():
    moved = NESTED.replace("{declared}", "unused").replace(
        '<bpmn:startEvent id="outer_start">', '<bpmn:dataObject id="notes" /><bpmn:startEvent id="outer_start">')
    assert parse_bundle(Bundle("nested", {"nested.bpmn": moved.encode()})).spec("nested") is not None
