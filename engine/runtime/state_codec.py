"""Workflow state codec: a running SpiffWorkflow workflow <-> a compact JSON document.

Two things make the stored state small and its cost flat over an instance's life:

* The process specs are not part of the state. They belong to the deployment version and are restored
  from the parsed-spec cache (SpiffWorkflow's own serializer writes the whole spec into every state).
* Finished history is pruned before every save. The runtime only needs the tasks that are not finished and
  their ancestors up to the nearest finished common ancestor; everything before that (completed loop
  iterations, branches not taken, completed sub-pathways) is spliced out of the task tree, and so is, inside
  each branch still running, the finished chain above its own live tasks (a monitoring loop beside the care
  stages: a heart failure program stores about 12 kB after a year of daily weights, not 280 kB). The history
  a person reads lives in the audit table, not here. A CCM instance on its 500th monthly review stores and
  loads about what it did on its first.
* Data objects (BPMN dataObject: data shared by a process's branches) live in the workflow's data and are
  stored in full, whatever the pruning does to the tasks.

The tasks are stored as compact rows (format 2) rather than SpiffWorkflow's task dicts (format 1, still read):
the same content, written and read by a loop of its own instead of SpiffWorkflow's generic converter
machinery. Half the bytes or less, and encoding and decoding in well under half the time: both sit on every
step's path, and a small state also stays under PostgreSQL's TOAST threshold, so the server neither
compresses it nor stores it out of line.
"""
from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnSubWorkflowConverter, BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

from engine.runtime.history_pruning import prune_history

STATE_FORMAT = 2  # 1: SpiffWorkflow's task dicts; 2: compact task rows (format 1 states still load)


class _StateWorkflowConverter(BpmnWorkflowConverter):
    """Like SpiffWorkflow's converter, without the specs (they come from the deployment), and with the
    tasks as compact rows (see `_tasks_to_rows`)."""

    def to_dict(self, workflow):
        dct = _workflow_attributes(self.registry, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None, script_engine=None):
        if spec is None:
            raise ValueError("a workflow state is restored with the spec of its deployment")
        workflow = self.target_class(spec, subprocess_specs or {}, script_engine=script_engine, deserializing=True)
        _restore_tasks(self, dct["tasks"], workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class _StateSubWorkflowConverter(BpmnSubWorkflowConverter):
    """A sub-pathway's workflow, its tasks as compact rows like the top workflow's."""

    def to_dict(self, workflow):
        dct = _workflow_attributes(self.registry, workflow)
        dct["parent_task_id"] = str(workflow.parent_task_id)
        dct["spec"] = workflow.spec.name
        return dct

    def from_dict(self, dct, task, top_workflow):
        spec = top_workflow.subprocess_specs.get(task.task_spec.spec)
        subprocess = self.target_class(spec, task.id, top_workflow, deserializing=True)
        _restore_tasks(self, dct["tasks"], subprocess)
        subprocess.task_tree = subprocess.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(subprocess, dct)
        return subprocess


def _workflow_attributes(registry, workflow) -> dict:
    """What SpiffWorkflow's WorkflowConverter.to_dict writes, with the tasks as rows."""
    return {
        "data": registry.convert(registry.clean(workflow.data)),
        "correlations": workflow.correlations,
        "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
        "success": workflow.success,
        "completed": workflow.completed,
        "tasks": _tasks_to_rows(registry, workflow.tasks),
        "root": str(workflow.task_tree.id),
    }


# A task row: [id, task spec name, state, last state change, parent, children, extras?]. Parent and children
# are indexes into the rows (an id string for a task not in them); extras, left out when empty, holds
# "triggered", "internal" (internal data) and the task's data: "data" in full for a task without a parent,
# else what differs from its parent's ("updates", "deletions"), as SpiffWorkflow's TaskConverter stores it.
# Rows keep the tasks' order, parents before children, which restoring the data deltas relies on.

def _tasks_to_rows(registry, tasks: dict) -> list:
    index = {task_id: i for i, task_id in enumerate(tasks)}
    rows = []
    for task in tasks.values():
        parent = task.parent
        extras = {}
        if task.triggered:
            extras["triggered"] = True
        if task.internal_data:
            extras["internal"] = registry.convert(task.internal_data)
        if parent is None:
            if task.data:
                extras["data"] = task.data
        else:
            updates = DeepMerge.get_updated_keys(parent.data, task.data)
            if updates:
                extras["updates"] = updates
            deletions = DeepMerge.get_deleted_keys(parent.data, task.data)
            if deletions:
                extras["deletions"] = deletions
        row = [
            str(task.id),
            task.task_spec.name,
            task.state,
            task.last_state_change,
            index.get(parent.id) if parent is not None else None,
            [index.get(child, str(child)) for child in task._children],
        ]
        if extras:
            row.append(extras)
        rows.append(row)
    return rows


def _restore_tasks(converter, tasks, workflow) -> None:
    """Rebuild the tasks of `workflow` from its rows, as SpiffWorkflow's TaskConverter.from_dict would."""
    if isinstance(tasks, dict):  # format 1: SpiffWorkflow's own task dicts
        workflow.tasks = converter.mapping_from_dict(tasks, UUID, workflow=workflow)
        return
    registry = converter.registry
    task_specs = workflow.spec.task_specs
    event_manager = workflow.top_workflow.event_manager
    ids = [UUID(row[0]) for row in tasks]
    for task_id, row in zip(ids, tasks):
        parent, children = row[4], row[5]
        extras = row[6] if len(row) > 6 else _NO_EXTRAS
        task_spec = task_specs.get(row[1])
        task = Task(workflow, task_spec, state=row[2], id=task_id)  # adds itself to workflow.tasks
        task._parent = ids[parent] if parent is not None else None
        task._children = [ids[child] if type(child) is int else UUID(child) for child in children]
        task.last_state_change = row[3]
        task.triggered = extras.get("triggered", False)
        internal = extras.get("internal")
        task.internal_data = registry.restore(internal) if internal else {}
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            event_manager.add_task(task)
        parent_task = task.parent
        if parent_task is not None:
            data = DeepMerge.merge({}, parent_task.data)
            updates = extras.get("updates")
            if updates:
                data.update(registry.restore(updates))
            for key in extras.get("deletions", ()):
                data.pop(key, None)
        else:
            data = registry.restore(extras.get("data", {}))
        task.data = data


_NO_EXTRAS: dict = {}


def _make_registry():
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _StateWorkflowConverter
    config[BpmnSubWorkflow] = _StateSubWorkflowConverter
    return BpmnWorkflowSerializer.configure(config)


_SERIALIZER = BpmnWorkflowSerializer(registry=_make_registry())


def json_encoder():
    """The JSON encoder class the state is written with (SpiffWorkflow's, which knows dates and the like)."""
    return _SERIALIZER._encoder_cls


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
    workflow = _SERIALIZER.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs,
                                            script_engine=script_engine)
    connect_loops(workflow)
    declare_data_objects(workflow)
    return workflow


def connect_loops(workflow) -> None:
    """Connect each loop task (multi-instance, standard loop) of the workflow's specs to its instances' task
    spec, as SpiffWorkflow's spec deserializer does when it restores a spec.

    A loop task hears that an instance finished through a callback on the instance's task spec, which
    SpiffWorkflow connects when the loop creates its first instance. Parsed specs (a fresh spec cache, another
    process) have no such callback, and the specs are not part of the state: without this, an instance that
    finishes after a reload is never merged, and the loop, and the instance, stall with nothing to do. Safe to
    call again: a callback is connected once."""
    for spec in (workflow.spec, *(workflow.subprocess_specs or {}).values()):
        for task_spec in list(spec.task_specs.values()):
            if isinstance(task_spec, LoopTask):
                child_spec = spec.task_specs.get(task_spec.task_spec)
                if child_spec is not None and not child_spec.completed_event.is_connected(task_spec.merge_child):
                    child_spec.completed_event.connect(task_spec.merge_child)


def declare_data_objects(workflow) -> None:
    """Give the workflow the data objects its spec declares, as SpiffWorkflow does when it starts one: a
    process every one it lacks (unset: None), a sub-process the place to keep them.

    A workflow that moved to a version of its pathway declaring a new data object lacks it: a task reading it
    fails ("does not exist in the process"), a task writing it writes into nothing. Data objects live in the
    workflow's data, under "data_objects", which the state keeps in full whatever the pruning does to the
    tasks."""
    if workflow.spec.data_objects:
        found = workflow.data.setdefault("data_objects", {})
        if isinstance(workflow, BpmnWorkflow):
            for name in workflow.spec.data_objects:
                found.setdefault(name, None)


def decode_state(text: str, spec, subprocess_specs, script_engine) -> BpmnWorkflow:
    return load_state(json.loads(text), spec, subprocess_specs, script_engine)
