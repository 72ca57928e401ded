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
from SpiffWorkflow.bpmn.specs.control import EventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

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
    declare_data_objects(workflow)
    return workflow


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
    """Splice out the finished chain between the root and the deepest finished common ancestor, then the
    finished chains inside the branches below it (see `_prune_branches`)."""
    root = workflow.task_tree
    tasks = workflow.tasks
    live = [t for t in tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if live:
        keep = _deepest_finished_common_ancestor(root, live)
    else:
        keep = workflow.last_task if workflow.last_task is not None else root
    if keep is None or keep is root or (keep.parent is root and len(root._children) == 1):
        return _prune_branches(workflow, top, root, live) if live else 0
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
    return len(doomed) + (_prune_branches(workflow, top, keep, live) if live else 0)


def _prune_branches(workflow, top: BpmnWorkflow, start, live: list) -> int:
    """Below `start`, in every branch that still has live tasks, splice out the finished chain between the
    branch's first task and the deepest finished common ancestor of the branch's live tasks, with the finished
    side branches hanging off that chain.

    This is what keeps a loop running beside other branches flat: a monitoring branch that records a result and
    waits for the next one, while the care stages go on, grows by a few finished tasks per result, all above
    the task waiting for the next result. What stays: every live task with everything between it and the
    branch's deepest finished common ancestor (so a join still finds the parents of its waiting tasks), every
    finished branch that is no part of such a chain, and the workflow's last task (what it last did is read
    from there)."""
    tasks = workflow.tasks
    targets = {t.id for t in live}
    if workflow.last_task is not None and workflow.last_task.id in tasks:
        targets.add(workflow.last_task.id)
    marked: set = set()  # the targets and their ancestors below `start`
    for task_id in targets:
        task = tasks[task_id]
        while task is not None and task is not start and task.id not in marked:
            marked.add(task.id)
            task = task.parent
    removed = 0
    stack = [start]
    while stack:
        node = stack.pop()
        # the children of a task still running, or of a split whose join looks at them (a task's boundary
        # events, an event-based gateway's events), stay who they are
        keep_children = not node.has_state(TaskState.FINISHED_MASK) or isinstance(node.task_spec, _CHILDREN_READ)
        for i, child_id in enumerate(list(node._children)):
            if child_id not in marked:
                continue  # a finished branch beside the chains: kept as it is
            child = tasks[child_id]
            if child.has_state(TaskState.FINISHED_MASK) and not keep_children:
                deepest = _deepest_finished(child, tasks, marked, targets)
                if deepest is not child:
                    removed += _splice(workflow, top, child, deepest)
                    node._children[i] = deepest.id
                    deepest._parent = node.id
                    child = deepest
            stack.append(child)
    return removed


_CHILDREN_READ = (EventSplit, EventBasedGateway)


def _deepest_finished(task, tasks, marked: set, targets: set):
    """Going down from a finished task as long as the way to the targets under it does not fork: the last
    finished task (a target itself ends the way)."""
    while task.id not in targets:
        ways = [child for child in task._children if child in marked]
        if len(ways) != 1 or not tasks[ways[0]].has_state(TaskState.FINISHED_MASK):
            break
        task = tasks[ways[0]]
    return task


def _splice(workflow, top: BpmnWorkflow, first, last) -> int:
    """Remove `first` and everything under it except `last` and what is under `last`."""
    tasks = workflow.tasks
    doomed, stack = [], [first.id]
    while stack:
        task_id = stack.pop()
        if task_id == last.id or task_id not in tasks:
            continue
        doomed.append(task_id)
        stack.extend(tasks[task_id]._children)
    for task_id in doomed:
        if task_id in top.subprocesses:
            _drop_subprocess(top, task_id)
        del tasks[task_id]
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
