"""engine.runtime.state_codec on its own: the workflow state codec and history pruning, run on SpiffWorkflow directly."""
from __future__ import annotations

import json
from functools import cache

import pytest
from pathway_helpers import BPMN_FIXTURES, phq9_answers
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.deploy.bundle import load_bundle
from engine.deploy.parsing import parse_bundle
from engine.runtime.state_codec import STATE_FORMAT, decode_state, dump_state, encode_state, prune_history


@cache
def parsed(bundle):
    return parse_bundle(load_bundle(BPMN_FIXTURES / bundle))


class Run:
    """A workflow of a fixture bundle, driven the way the runtime drives it (no database)."""

    def __init__(self, bundle, process_id):
        self.parsed, self.process_id = parsed(bundle), process_id
        self.workflow = BpmnWorkflow(self.parsed.spec(process_id), self.parsed.subprocess_specs(process_id))
        self.workflow.do_engine_steps()

    def ready(self, title):
        (task,) = [t for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)
                   if t.task_spec.bpmn_name == title]
        return task

    def complete(self, title, **data):
        task = self.ready(title)
        task.data.update(data)
        task.run()
        self.workflow.do_engine_steps()

    def round_trip(self):
        self.workflow = decode_state(encode_state(self.workflow), self.parsed.spec(self.process_id),
                                     self.parsed.subprocess_specs(self.process_id), None)
        return self.workflow


def review(loops, finish=False):
    run = Run("review_loop", "review_loop")
    for _ in range(loops):
        run.complete("Monthly review", decision="continue")
    if finish:
        run.complete("Monthly review", decision="discharge")
    return run


def snapshot(workflow):
    return {task.id: (task.task_spec.name, task.state, task.data) for task in workflow.get_tasks()}


def live_ids(workflow):
    return {t.id for t in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK)}


# ------------------------------------------------------------------------------------------------ codec

def test_round_trip_keeps_every_task_its_state_and_data():
    run = review(3)
    encoded = encode_state(run.workflow)  # prunes in place first
    before = snapshot(run.workflow)
    assert snapshot(run.round_trip()) == before
    assert encode_state(run.workflow) == encoded


def test_state_carries_its_format_and_no_spec():
    state = dump_state(review(1).workflow)
    assert state["format"] == STATE_FORMAT
    assert "spec" not in state and "subprocess_specs" not in state


def test_state_is_plain_json():
    text = encode_state(review(1).workflow)
    assert json.loads(text)["format"] == STATE_FORMAT


def test_decoding_needs_the_deployment_spec():
    text = encode_state(review(1).workflow)
    with pytest.raises(ValueError):
        decode_state(text, None, {}, None)


def test_decoded_workflow_uses_the_given_script_engine():
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

    run, engine = review(1), PythonScriptEngine()
    workflow = decode_state(encode_state(run.workflow), run.parsed.spec("review_loop"), {}, engine)
    assert workflow.script_engine is engine


def test_waiting_timers_survive_a_round_trip():
    run = Run("tcm_contact", "tcm_contact")
    waiting = sorted((e.name, e.event_type, str(e.value)) for e in run.workflow.waiting_events())
    run.round_trip()
    assert sorted((e.name, e.event_type, str(e.value)) for e in run.workflow.waiting_events()) == waiting
    assert {t.task_spec.bpmn_id for t in run.workflow.event_manager.tasks.values()} == {
        "missed_contact", "reminder_cycle"}


def test_data_objects_survive_a_round_trip():
    run = Run("tcm_contact", "tcm_contact")
    assert run.round_trip().data_objects == {"reminders": 0}


# ------------------------------------------------------------------------------------------------ pruning

def test_prune_keeps_every_live_task():
    run = review(10)
    live = live_ids(run.workflow)
    assert prune_history(run.workflow) > 0
    assert live_ids(run.workflow) == live
    assert run.ready("Monthly review").id in live


def test_pruned_tree_has_the_same_size_whatever_the_history():
    assert len(review(2).round_trip().tasks) == len(review(25).round_trip().tasks)


def test_prune_twice_removes_nothing_more():
    run = review(5)
    prune_history(run.workflow)
    assert prune_history(run.workflow) == 0


def test_prune_keeps_the_data_of_the_live_task():
    run = review(0)
    run.complete("Monthly review", decision="continue", progress_note="walking daily")
    prune_history(run.workflow)
    assert run.ready("Monthly review").data["progress_note"] == "walking daily"


def test_pruned_workflow_runs_on():
    run = review(10)
    run.round_trip()
    run.complete("Monthly review", decision="discharge")
    assert run.workflow.completed


def test_completed_workflow_keeps_its_final_data():
    run = review(4, finish=True)
    prune_history(run.workflow)
    workflow = run.round_trip()
    assert workflow.completed
    assert workflow.last_task.data["decision"] == "discharge"
    assert len(workflow.tasks) <= 2


def test_prune_keeps_a_running_sub_pathway():
    run = Run("assessment_program", "assessment_program")
    prune_history(run.workflow)
    assert len(run.workflow.subprocesses) == 1
    assert run.ready("PHQ-9").workflow.spec.name == "phq9_stage"


def test_prune_drops_a_completed_sub_pathway_but_keeps_its_results():
    run = Run("assessment_program", "assessment_program")
    run.complete("PHQ-9", **phq9_answers(11))
    assert prune_history(run.workflow) > 0
    assert run.workflow.subprocesses == {}
    assert run.ready("Behavioural health referral").data["severity"] == "moderate"


def test_prune_keeps_both_parallel_branches_and_the_join():
    run = Run("parallel_care", "care_plan_setup")
    run.complete("Social needs referral", need="housing")
    prune_history(run.workflow)
    run.round_trip()
    assert [t.task_spec.bpmn_name for t in run.workflow.get_tasks(state=TaskState.READY, manual=True)] == [
        "Medication reconciliation"]
    run.complete("Medication reconciliation", medications_reviewed=3)
    assert run.ready("Confirm plan").data["need"] == "housing"


def test_prune_keeps_a_cancelled_boundary_branch_out_of_the_way():
    run = Run("tcm_contact", "tcm_contact")
    run.complete("Interactive contact", reached=True)
    prune_history(run.workflow)
    workflow = run.round_trip()
    assert {t.task_spec.bpmn_id for t in workflow.event_manager.tasks.values()} == {"wait_week"}
    assert not workflow.get_tasks(state=TaskState.READY, manual=True)
