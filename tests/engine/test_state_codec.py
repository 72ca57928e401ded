"""The compact state format (2) restores exactly what SpiffWorkflow's own task dicts (format 1) restore, and
states stored in format 1 still load."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import cache

import pytest
from pathway_helpers import BPMN_FIXTURES, phq9_answers
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.deploy.bundle import load_bundle
from engine.deploy.parsing import parse_bundle
from engine.runtime.state_codec import STATE_FORMAT, decode_state, encode_state


class _Format1Converter(BpmnWorkflowConverter):
    """How format 1 was written: SpiffWorkflow's converters, without the specs."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


def _format1_serializer():
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _Format1Converter
    return BpmnWorkflowSerializer(registry=BpmnWorkflowSerializer.configure(config))


FORMAT1 = _format1_serializer()


def encode_format1(workflow) -> str:
    encode_state(workflow)  # prune in place, as every save does
    registry = FORMAT1.registry
    registry._encoder_mode = True
    try:
        dct = registry.convert(workflow)
    finally:
        registry._encoder_mode = False
    dct["format"] = 1
    return json.dumps(dct, cls=FORMAT1._encoder_cls)


@cache
def parsed(bundle):
    return parse_bundle(load_bundle(BPMN_FIXTURES / bundle))


def start(bundle, process_id):
    p = parsed(bundle)
    workflow = BpmnWorkflow(p.spec(process_id), p.subprocess_specs(process_id))
    workflow.do_engine_steps()
    return workflow


def complete(workflow, title, **data):
    (task,) = [t for t in workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_name == title]
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()


def decode(text, bundle, process_id):
    p = parsed(bundle)
    return decode_state(text, p.spec(process_id), p.subprocess_specs(process_id), None)


def picture(workflow) -> dict:
    """Everything the runtime reads off a restored workflow, subprocesses included."""
    def tasks_of(wf):
        return [(t.id, t.task_spec.name, t.state, t.data, t.internal_data, t._parent, t._children, t.triggered,
                 t.last_state_change) for t in wf.tasks.values()]
    return {
        "tasks": tasks_of(workflow),
        "root": workflow.task_tree.id,
        "last_task": workflow.last_task.id if workflow.last_task else None,
        "data": workflow.data,
        "completed": workflow.completed,
        "waiting": sorted(str(t) for t in workflow.event_manager.tasks),
        "subprocesses": {k: (sp.spec.name, tasks_of(sp), sp.task_tree.id) for k, sp in workflow.subprocesses.items()},
    }


def workflows():
    review = start("review_loop", "review_loop")
    complete(review, "Monthly review", decision="continue", progress_note="steady",
             seen_at=datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc), vitals={"bp": [120, 80], "hr": 61})
    yield "review_loop", "review_loop", review
    yield "tcm_contact", "tcm_contact", start("tcm_contact", "tcm_contact")
    program = start("assessment_program", "assessment_program")
    yield "assessment_program", "assessment_program", program
    parallel = start("parallel_care", "care_plan_setup")
    complete(parallel, "Social needs referral", need="housing")
    yield "parallel_care", "care_plan_setup", parallel


@pytest.mark.parametrize("case", range(4))
def test_compact_format_restores_what_spiffworkflow_format_restores(case):
    bundle, process_id, workflow = list(workflows())[case]
    compact = encode_state(workflow)
    spiff = encode_format1(workflow)
    assert json.loads(compact)["format"] == STATE_FORMAT == 2
    assert picture(decode(compact, bundle, process_id)) == picture(decode(spiff, bundle, process_id))
    assert len(compact) < len(spiff) / 2


def test_a_state_stored_in_format_1_still_loads_and_runs_on():
    workflow = start("assessment_program", "assessment_program")
    restored = decode(encode_format1(workflow), "assessment_program", "assessment_program")
    assert len(restored.subprocesses) == 1
    complete(restored, "PHQ-9", **phq9_answers(11))
    (task,) = restored.get_tasks(state=TaskState.READY, manual=True)
    assert task.data["severity"] == "moderate"


def test_compact_round_trip_is_stable():
    bundle, process_id, workflow = next(workflows())
    text = encode_state(workflow)
    assert encode_state(decode(text, bundle, process_id)) == text
