"""Workflow state codec: a running SpiffWorkflow workflow <-> a compact JSON document.

Two things make the stored state small and its cost flat over an instance's life:

* The process specs are not part of the state. They belong to the deployment version and are restored
  from the parsed-spec cache (SpiffWorkflow's own serializer writes the whole spec into every state).
* Finished history is pruned before every save. The runtime only needs the tasks that are not finished and
  their ancestors up to the nearest finished common ancestor; everything before that (completed loop
  iterations, branches not taken, completed sub-pathways) is spliced out of the task tree. The history a
  person reads lives in the audit table, not here. A CCM instance on its 500th monthly review stores and
  loads about what it did on its first.
"""
from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

STATE_FORMAT = 1


class _StateWorkflowConverter(BpmnWorkflowConverter):
    """Like SpiffWorkflow's converter, without the specs (they come from the deployment)."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        if spec is None:
            raise ValueError("a workflow state is restored with the spec of its deployment")
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_registry():
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _StateWorkflowConverter
    return BpmnWorkflowSerializer.configure(config)


_SERIALIZER = BpmnWorkflowSerializer(registry=_make_registry())


def spec_registry():
    """The serializer registry (it knows how to compare specs, which pathway upgrades need)."""
    return _SERIALIZER.registry


def dump_state(workflow: BpmnWorkflow) -> dict[str, Any]:
    """Prune finished history in place and return the JSON-ready state of `workflow`."""
    prune_history(workflow)
    registry = _SERIALIZER.registry
    registry._encoder_mode = True
    try:
        dct = registry.convert(workflow)
    finally:
        registry._encoder_mode = False
    dct["format"] = STATE_FORMAT
    return dct


def encode_state(workflow: BpmnWorkflow) -> str:
    return json.dumps(dump_state(workflow), separators=(",", ":"), cls=_SERIALIZER._encoder_cls)


def load_state(dct: dict[str, Any], spec, subprocess_specs, script_engine) -> BpmnWorkflow:
    """Rebuild a workflow from its stored state and the (cached) specs of its deployment."""
    dct = dict(dct)
    dct.pop("format", None)
    workflow = _SERIALIZER.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
    if script_engine is not None:
        workflow.script_engine = script_engine
    return workflow


def decode_state(text: str, spec, subprocess_specs, script_engine) -> BpmnWorkflow:
    return load_state(json.loads(text), spec, subprocess_specs, script_engine)


# ---------------------------------------------------------------------------------------------- pruning

def prune_history(workflow: BpmnWorkflow) -> int:
    """Remove finished history that the runtime no longer needs; returns the number of tasks removed."""
    removed = _prune_completed_subprocesses(workflow)
    removed += _prune_tree(workflow, workflow)
    for subprocess in list(workflow.subprocesses.values()):
        removed += _prune_tree(subprocess, workflow)
    return removed


def _prune_completed_subprocesses(top: BpmnWorkflow) -> int:
    removed = 0
    for task_id, subprocess in list(top.subprocesses.items()):
        if task_id not in top.subprocesses:
            continue  # already dropped with its parent
        parent = top.get_task_from_id(task_id)
        if parent is None or (subprocess.completed and parent.has_state(TaskState.FINISHED_MASK)):
            removed += _drop_subprocess(top, task_id)
    return removed


def _drop_subprocess(top: BpmnWorkflow, task_id: UUID) -> int:
    subprocess = top.subprocesses.pop(task_id, None)
    if subprocess is None:
        return 0
    removed = len(subprocess.tasks)
    for child_id in [tid for tid in subprocess.tasks if tid in top.subprocesses]:
        removed += _drop_subprocess(top, child_id)
    return removed


def _prune_tree(workflow, top: BpmnWorkflow) -> int:
    """Splice out the finished chain between the root and the deepest finished common ancestor."""
    root = workflow.task_tree
    tasks = workflow.tasks
    live = [t for t in tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if live:
        keep = _deepest_finished_common_ancestor(root, live)
    else:
        keep = workflow.last_task if workflow.last_task is not None else root
    if keep is None or keep is root:
        return 0
    if keep.parent is root and len(root._children) == 1:
        return 0
    survivors = {root.id}
    stack = [keep.id]
    while stack:
        task_id = stack.pop()
        survivors.add(task_id)
        if live:
            stack.extend(tasks[task_id]._children)
    doomed = [task_id for task_id in tasks if task_id not in survivors]
    for task_id in doomed:
        if task_id in top.subprocesses:
            _drop_subprocess(top, task_id)
        del tasks[task_id]
    root._children = [keep.id]
    keep._parent = root.id
    if not live:
        keep._children = []
    if workflow.last_task is not None and workflow.last_task.id not in tasks:
        workflow.last_task = keep
    return len(doomed)


def _path_from_root(task) -> list:
    path = []
    while task is not None:
        path.append(task)
        task = task.parent
    path.reverse()
    return path


def _deepest_finished_common_ancestor(root, live):
    common = _path_from_root(live[0])
    for task in live[1:]:
        path = _path_from_root(task)
        n = 0
        for a, b in zip(common, path):
            if a is not b:
                break
            n += 1
        common = common[:n]
        if len(common) <= 1:
            return root
    keep = root
    for task in common:
        if not task.has_state(TaskState.FINISHED_MASK):
            break
        keep = task
    return keep
