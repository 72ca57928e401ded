"""Finished history pruned from a workflow before its state is written: the runtime keeps only the tasks that are
not finished and their ancestors up to the nearest finished common ancestor; completed loop iterations,
branches not taken, completed sub-pathways and, inside a branch still running, the finished chain above its
live tasks are spliced out of the task tree (engine.runtime.state_codec explains why). `keep_tree` and
`restore_tree` undo a pruning when the state then cannot be written, so the task to blame can be found."""
from __future__ import annotations

from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import EventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.util.task import TaskState


def prune_history(workflow: BpmnWorkflow) -> int:
    """Remove finished history that the runtime no longer needs; returns the number of tasks removed."""
    removed = _prune_completed_subprocesses(workflow)
    removed += _prune_tree(workflow, workflow)
    for subprocess in list(workflow.subprocesses.values()):
        removed += _prune_tree(subprocess, workflow)
    return removed


def keep_tree(workflow: BpmnWorkflow) -> tuple:
    """What `prune_history` changes, for `restore_tree` to undo it when the state cannot be written (the
    runtime then looks for the task that brought the unwritable value in, which pruning removed).

    Shallow copies of the task maps, about a microsecond: pruning removes tasks and rewires the parent and the
    children of tasks it keeps, but leaves each task it removes as it was, so the copies are enough."""
    flows = [(flow, dict(flow.tasks), flow.last_task) for flow in (workflow, *workflow.subprocesses.values())]
    return dict(workflow.subprocesses), flows


def restore_tree(workflow: BpmnWorkflow, kept: tuple) -> None:
    """Undo the pruning done since `keep_tree(workflow)` returned `kept`."""
    subprocesses, flows = kept
    workflow.subprocesses.clear()
    workflow.subprocesses.update(subprocesses)
    for flow, tasks, last_task in flows:
        kept_tasks = list(flow.tasks.values())
        removed = [task for task_id, task in tasks.items() if task_id not in flow.tasks]
        flow.tasks.clear()
        flow.tasks.update(tasks)
        flow.last_task = last_task
        parent_of = {child: task.id for task in removed for child in task._children}
        for task in kept_tasks:
            task._parent = parent_of.get(task.id, task._parent)
        for task in kept_tasks:
            task._children = _children_before(task, tasks, removed)


def _children_before(task, tasks: dict, removed: list) -> list:
    """A kept task's children before pruning: each child it was rewired to traced back to its own child, and
    the removed children it lost (a finished workflow's last task loses all), in their order."""
    children = []
    for child_id in task._children:
        child = tasks.get(child_id)
        while child is not None and child._parent != task.id:
            child = tasks.get(child._parent)
        original = child.id if child is not None else child_id
        if original not in children:
            children.append(original)
    return children + [t.id for t in removed if t._parent == task.id and t.id not in children]




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
