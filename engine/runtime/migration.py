"""Move an instance onto a newer version of its bundle: how an instance in error picks up a fixed pathway.

SpiffWorkflow's spec diff aligns the old and new task specs by BPMN id. The move is refused, with the
elements named, when a task the instance still needs no longer exists in the new version.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.deploy.parsing import ParsedBundle
from engine.deploy.versions import newest_version
from engine.errors import InvalidState
from engine.models import Deployment, Instance
from engine.runtime.state_codec import declare_data_objects, spec_registry

LIVE = TaskState.NOT_FINISHED_MASK | TaskState.ERROR


def newer_deployment(session: Session, instance: Instance) -> Deployment | None:
    current = session.get(Deployment, instance.deployment_id)
    newest = newest_version(session, current.name)
    if newest is None or newest.id == current.id:
        return None
    return newest


def move_to(workflow, instance: Instance, deployment: Deployment, parsed: ParsedBundle) -> None:
    """Re-point `workflow` at the specs of `deployment`; raises InvalidState when it cannot be done."""
    process_id = instance.process_id
    if process_id not in parsed.processes:
        raise InvalidState(f"{deployment.label} no longer has the pathway '{process_id}'; "
                           f"instance {instance.id} cannot move to it")
    new_spec = parsed.spec(process_id)
    new_subprocess_specs = parsed.subprocess_specs(process_id)
    top_diff, sub_diffs = diff_workflow(spec_registry(), workflow, new_spec, new_subprocess_specs)
    missing = _missing_live(top_diff)
    for sp_id, diff in sub_diffs.items():
        subprocess = workflow.subprocesses[sp_id]
        if diff is None:
            if not subprocess.completed:
                missing.append(subprocess.spec.name)
        else:
            missing += _missing_live(diff)
    if missing:
        raise InvalidState(f"instance {instance.id} cannot move to {deployment.label}: it is at "
                           f"{', '.join(sorted(set(missing)))}, which the new version no longer has")
    migrate_workflow(top_diff, workflow, new_spec, reset_mask=TaskState.READY | TaskState.WAITING)
    for sp_id, diff in sub_diffs.items():
        subprocess = workflow.subprocesses[sp_id]
        if diff is not None:
            migrate_workflow(diff, subprocess, new_subprocess_specs[subprocess.spec.name])
    workflow.subprocess_specs = new_subprocess_specs
    declare_data_objects(workflow)
    for subprocess in workflow.subprocesses.values():
        declare_data_objects(subprocess)
    instance.deployment_id = deployment.id


def _missing_live(diff) -> list[str]:
    return [t.task_spec.bpmn_id or t.task_spec.name for t in diff.removed if t.has_state(LIVE)]
