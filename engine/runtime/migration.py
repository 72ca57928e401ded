"""Move an instance onto a newer version of its bundle: how an instance in error picks up a fixed pathway.

SpiffWorkflow's spec diff aligns the old and new task specs by BPMN id (and by shape where an id changed). The
move is refused, with the elements named, when a task the instance is at no longer exists in the new version;
an admin may map such a task onto its successor (`mapping`). `check_move` says what a move would do without
doing it: the dry run of a bulk migration.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.deploy.parsing import ParsedBundle
from engine.deploy.versions import newest_version
from engine.errors import InvalidState
from engine.models import Deployment, InboxTask, Instance, TaskStatus
from engine.runtime.pending import human_tasks
from engine.runtime.state_codec import declare_data_objects, spec_registry

LIVE = TaskState.NOT_FINISHED_MASK | TaskState.ERROR
AT = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR  # where an instance stands


def newer_deployment(session: Session, instance: Instance) -> Deployment | None:
    current = session.get(Deployment, instance.deployment_id)
    newest = newest_version(session, current.name)
    if newest is None or newest.id == current.id:
        return None
    return newest


def move_to(workflow, instance: Instance, deployment: Deployment, parsed: ParsedBundle,
            mapping: dict[str, str] | None = None) -> dict[str, str]:
    """Re-point `workflow` at the specs of `deployment`; raises InvalidState, naming the tasks, when it cannot
    be done. `mapping` (old element id -> new element id) moves a task the new version renamed or replaced onto
    its successor. Returns the mappings that were used."""
    check = check_move(workflow, instance, deployment, parsed, mapping)
    if not check.movable:
        raise InvalidState(f"instance {instance.id} cannot move to {deployment.label}: {check.reason}")
    migrate_workflow(check.top_diff, workflow, check.new_spec, reset_mask=TaskState.READY | TaskState.WAITING)
    for sp_id, diff in check.sub_diffs.items():
        subprocess = workflow.subprocesses[sp_id]
        if diff is not None:
            migrate_workflow(diff, subprocess, check.new_subprocess_specs[subprocess.spec.name])
    workflow.subprocess_specs = check.new_subprocess_specs
    declare_data_objects(workflow)
    for subprocess in workflow.subprocesses.values():
        declare_data_objects(subprocess)
    instance.deployment_id = deployment.id
    return check.used


@dataclass
class MoveCheck:
    """Whether an instance can move onto a version, and if not why (the tasks it is at that the version lacks)."""

    movable: bool
    at: list[str] = field(default_factory=list)  # where the instance stands: its waiting or failed elements
    missing: list[str] = field(default_factory=list)  # of those, the ones the new version no longer has
    missing_ids: list[str] = field(default_factory=list)  # their element ids (what a mapping names)
    used: dict[str, str] = field(default_factory=dict)  # mappings applied
    reason: str = ""
    top_diff: object = None
    sub_diffs: dict = field(default_factory=dict)
    new_spec: object = None
    new_subprocess_specs: dict = field(default_factory=dict)


def check_move(workflow, instance: Instance, deployment: Deployment, parsed: ParsedBundle,
               mapping: dict[str, str] | None = None) -> MoveCheck:
    """What moving `workflow` onto `deployment` would do, without doing it: SpiffWorkflow's spec diff aligns
    old and new tasks by BPMN id (and by shape where an id changed); `mapping` aligns the rest by hand."""
    process_id = instance.process_id
    if process_id not in parsed.processes:
        return MoveCheck(False, reason=f"{deployment.label} no longer has the pathway '{process_id}'")
    mapping = dict(mapping or {})
    new_spec = parsed.spec(process_id)
    new_subprocess_specs = parsed.subprocess_specs(process_id)
    top_diff, sub_diffs = diff_workflow(spec_registry(), workflow, new_spec, new_subprocess_specs)
    used: dict[str, str] = {}
    missing = _apply_mapping(top_diff, new_spec, mapping, used)
    for sp_id, diff in sub_diffs.items():
        subprocess = workflow.subprocesses[sp_id]
        if diff is None:
            if not subprocess.completed:
                missing.append((subprocess.spec.name, _label(subprocess.spec.name, subprocess.spec.description)))
        else:
            missing += _apply_mapping(diff, new_subprocess_specs[subprocess.spec.name], mapping, used)
    check = MoveCheck(not missing, where(workflow), sorted({label for _, label in missing}),
                      sorted({element for element, _ in missing}), used, "", top_diff, sub_diffs, new_spec,
                      new_subprocess_specs)
    if missing:
        names = ", ".join(check.missing)
        check.reason = (f"task {names} no longer exists" if len(check.missing) == 1
                        else f"tasks {names} no longer exist") + f" in {deployment.label}"
    return check


def _apply_mapping(diff, new_spec, mapping: dict[str, str], used: dict[str, str]) -> list[tuple[str, str]]:
    """Align the removed tasks that `mapping` names with their new element; returns the live ones left
    without a place in the new version, (element id, label) each."""
    for task in list(diff.removed):
        old = task.task_spec.bpmn_id or task.task_spec.name
        target = mapping.get(old)
        if target is not None and target in new_spec.task_specs:
            diff.alignment[task] = new_spec.task_specs[target]
            diff.removed.remove(task)
            used[old] = target
    return [(t.task_spec.bpmn_id or t.task_spec.name, _label(t.task_spec.bpmn_id or t.task_spec.name,
                                                             t.task_spec.bpmn_name))
            for t in diff.removed if _blocks(t)]


def _blocks(task) -> bool:
    """A removed task blocks the move when the instance is at it (ready, waiting, started, in error), or when
    it is predicted outside a branch the move predicts again (the children of ready and waiting tasks are
    reset and predicted from the new version)."""
    if task.has_state(AT):
        return True
    if not task.has_state(LIVE):
        return False
    parent = task.parent
    while parent is not None:
        if parent.has_state(TaskState.READY | TaskState.WAITING):
            return False
        parent = parent.parent
    return True


def where(workflow) -> list[str]:
    """The elements an instance is at: its ready, waiting, started and failed tasks, stages included."""
    found = []
    for task in workflow.get_tasks(state=AT):
        spec = task.task_spec
        if getattr(spec, "bpmn_id", None):
            found.append(_label(spec.bpmn_id, spec.bpmn_name))
    return sorted(set(found))


def _label(element: str, name: str | None) -> str:
    name = " ".join((name or "").split())
    return f"{name} ({element})" if name and name != element else element


def elements(parsed: ParsedBundle, process_id: str) -> dict[str, str]:
    """The BPMN elements of a pathway and its stages (id -> label), for choosing where a task maps to."""
    found: dict[str, str] = {}
    specs = [parsed.spec(process_id), *parsed.subprocess_specs(process_id).values()]
    for spec in specs:
        for task_spec in spec.task_specs.values():
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            if bpmn_id:
                found[bpmn_id] = _label(bpmn_id, getattr(task_spec, "bpmn_name", None))
    return dict(sorted(found.items()))


def refresh_inbox_rows(session: Session, instance: Instance, workflow) -> int:
    """After a move, the open inbox rows of the instance say what the new version says of their tasks (a
    renamed or mapped task's element, title, role and form). Returns how many rows changed."""
    found = {t.task_uuid: t for t in human_tasks(workflow)}
    changed = 0
    rows = session.scalars(select(InboxTask).where(InboxTask.instance_id == instance.id,
                                                   InboxTask.status.in_(TaskStatus.ACTIVE)))
    for row in rows:
        task = found.get(row.task_uuid)
        if task is None:
            continue
        values = {"element_id": task.element_id, "title": task.title, "documentation": task.documentation,
                  "role": task.role, "form_schema": task.form_schema, "form_ui_schema": task.form_ui_schema,
                  "stage": task.stage}
        if any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            changed += 1
    return changed
