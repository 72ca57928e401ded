"""Pruning inside branches: a monitoring loop running beside the care stages (the diabetes and heart failure
programs) stores about the same whatever the number of results it has recorded, and pruning never changes
what the programs do (each walked with and without pruning, as in test_pruning_equivalence)."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from pathway_helpers import all_tasks, state_doc, workflow_of
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

import engine.runtime.state_codec
from engine.deploy.bundle import Bundle
from engine.deploy.parsing import parse_bundle
from engine.runtime.state_codec import decode_state
from tests.pathways.answers import (
    BY_ROLE,
    GOALS_MET,
    HAND_OFF,
    PATIENT_CALLED,
    PLAN_REVIEWED,
    Team,
    assess,
    engage,
    hba1c,
    implement,
    plan,
    review,
    weight,
)
from tests.pathways.library import deploy_library
from tests.registry import register


def weigh(team, patient, readings, first_day):
    start = date.fromisoformat(first_day)
    for offset, kg in enumerate(readings):
        team.pathways.correlate("observation", {"patient_id": patient},
                                weight(kg, (start + timedelta(days=offset)).isoformat()))


def heart_failure(team, clock, patient):
    instance_id = team.pathways.start("heart_failure", patient).id
    engage(team, instance_id)
    weigh(team, patient, [80.0, 80.6, 81.5, 82.5], "2026-01-05")
    team.do(instance_id, "Weight gain alert: call patient", PATIENT_CALLED)
    assess(team, instance_id)
    weigh(team, patient, [81.0] * 10, "2026-01-09")
    plan(team, instance_id)
    implement(team, instance_id)
    review(team, clock, instance_id, "continue")
    weigh(team, patient, [80.0, 80.5, 82.6], "2026-02-06")  # an alert left open
    review(team, clock, instance_id, "discharge", status="met")
    team.do(instance_id, "Discharge review", GOALS_MET)
    team.do(instance_id, "Hand-off summary to primary care", HAND_OFF)
    return instance_id


def diabetes(team, clock, patient):
    instance_id = team.pathways.start("diabetes", patient).id
    engage(team, instance_id)
    team.pathways.correlate("lab_result", {"patient_id": patient}, hba1c(8.2, on="2026-01-05"))
    assess(team, instance_id)
    team.pathways.correlate("lab_result", {"patient_id": patient}, hba1c(8.4, on="2026-01-06"))
    first = [t for t in team.pathways.tasks(instance_id=instance_id, sort="created")
             if t.title == "HbA1c above target: plan review"][0]
    team.pathways.complete(first.id, PLAN_REVIEWED, BY_ROLE["care_manager"])  # the other stays open
    plan(team, instance_id)
    implement(team, instance_id)
    review(team, clock, instance_id, "continue")
    team.pathways.correlate("lab_result", {"patient_id": patient}, hba1c(6.9, on="2026-02-06"))
    review(team, clock, instance_id, "discharge", status="met")
    team.do(instance_id, "Discharge review", GOALS_MET)
    team.do(instance_id, "Hand-off summary to primary care", HAND_OFF)
    return instance_id


SCENARIOS = {"heart_failure": heart_failure, "diabetes": diabetes}


def outcome(team, instance_id):
    pathways = team.pathways
    data = pathways.instance_data(instance_id)
    workflow_data = {k: v for k, v in workflow_of(pathways, instance_id).data.items() if k != "patient_id"}
    return {
        "status": pathways.instance(instance_id).instance.status,
        "tasks": [(t.title, t.role, t.status) for t in all_tasks(pathways, instance_id)],
        "data": {k: v for k, v in data.items() if k != "patient_id"},
        "workflow_data": workflow_data,
    }


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_pruning_never_changes_what_a_monitored_program_does(pathways, frozen_clock, monkeypatch, scenario):
    deploy_library(pathways)
    register(pathways, "pruned", "unpruned")
    team = Team(pathways)
    start = frozen_clock.now()
    pruned = outcome(team, SCENARIOS[scenario](team, frozen_clock, "pruned"))
    frozen_clock.set(start)
    monkeypatch.setattr(engine.runtime.state_codec, "prune_history", lambda workflow: 0)
    unpruned = outcome(team, SCENARIOS[scenario](team, frozen_clock, "unpruned"))
    assert pruned == unpruned
    assert pruned["status"] == "completed"


def test_monitoring_loop_stores_the_same_whatever_the_number_of_readings(pathways):
    deploy_library(pathways)
    register(pathways, "few", "many")
    team = Team(pathways)
    sizes = []
    for patient, days in (("few", 5), ("many", 60)):
        instance_id = team.pathways.start("heart_failure", patient).id
        engage(team, instance_id)
        weigh(team, patient, [80.0 + (day % 3) * 0.1 for day in range(days)], "2026-01-05")
        sizes.append(len(state_doc(pathways, instance_id)["tasks"]))
    assert sizes[0] == sizes[1]


# ------------------------------------------------------------------ a split whose join reads its children
BOUNDARY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:message id="Message_note" name="note" />
  <bpmn:message id="Message_stop" name="stop" />
  <bpmn:process id="boundary" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:manualTask id="main" name="Main"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:manualTask>
    <bpmn:endEvent id="main_done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="noted" attachedToRef="main" cancelActivity="false"><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:messageEventDefinition id="note_def" messageRef="Message_note" /></bpmn:boundaryEvent>
    <bpmn:scriptTask id="record" name="Record"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>noted = True</bpmn:script></bpmn:scriptTask>
    <bpmn:manualTask id="follow_up" name="Follow up"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:manualTask>
    <bpmn:endEvent id="followed_up"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="stopped" attachedToRef="main"><bpmn:outgoing>f6</bpmn:outgoing>
      <bpmn:messageEventDefinition id="stop_def" messageRef="Message_stop" /></bpmn:boundaryEvent>
    <bpmn:endEvent id="stop_done"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="main" />
    <bpmn:sequenceFlow id="f2" sourceRef="main" targetRef="main_done" />
    <bpmn:sequenceFlow id="f3" sourceRef="noted" targetRef="record" />
    <bpmn:sequenceFlow id="f4" sourceRef="record" targetRef="follow_up" />
    <bpmn:sequenceFlow id="f5" sourceRef="follow_up" targetRef="followed_up" />
    <bpmn:sequenceFlow id="f6" sourceRef="stopped" targetRef="stop_done" />
  </bpmn:process>
</bpmn:definitions>
"""


def boundary_walk(prune: bool) -> dict:
    parsed = parse_bundle(Bundle("boundary", {"boundary.bpmn": BOUNDARY.encode()}))
    spec = parsed.spec("boundary")
    workflow = BpmnWorkflow(spec, {})
    workflow.do_engine_steps()

    def save_and_load():
        nonlocal workflow
        if prune:
            engine.runtime.state_codec.prune_history(workflow)
        workflow = decode_state(json.dumps(dump_state_unpruned(workflow)), spec, {}, None)

    def catch(event_id):
        (waiting,) = [t for t in workflow.get_tasks(state=TaskState.WAITING) if t.task_spec.bpmn_id == event_id]
        workflow.catch(BpmnEvent(waiting.task_spec.event_definition, {}))
        workflow.do_engine_steps()
        save_and_load()

    save_and_load()
    catch("noted")  # the non-interrupting event: its branch goes on to "Follow up" while "Main" is open
    catch("stopped")  # the interrupting one: "Main" is cancelled
    return {t.task_spec.bpmn_id: t.state for t in workflow.get_tasks()
            if t.task_spec.bpmn_id in ("main", "follow_up", "stop_done", "main_done")}


def dump_state_unpruned(workflow):
    """The state as `dump_state` writes it, without pruning again (the walk prunes, or not, itself)."""
    real = engine.runtime.state_codec.prune_history
    engine.runtime.state_codec.prune_history = lambda workflow: 0
    try:
        return engine.runtime.state_codec.dump_state(workflow)
    finally:
        engine.runtime.state_codec.prune_history = real


def test_pruning_leaves_a_tasks_boundary_events_where_its_join_looks_for_them():
    pruned, unpruned = boundary_walk(prune=True), boundary_walk(prune=False)
    assert pruned == unpruned
    assert (pruned["main"], pruned["follow_up"], pruned["stop_done"]) == (
        TaskState.CANCELLED, TaskState.READY, TaskState.COMPLETED)
