"""Instance lifecycle: start a pathway for a patient, suspend, resume, terminate, retry after an error."""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.care import timers
from engine.care.actors import Actor
from engine.deploy.versions import resolve_program
from engine.errors import Conflict, InvalidInput, InvalidState, NotFound
from engine.models import Deployment, Instance, InstanceStatus
from engine.runtime.migration import move_to, newer_deployment
from engine.runtime.runner import Loaded, Runtime, error_tasks
from engine.store import audit
from engine.time import clock


def get_instance(session: Session, instance_id: int, *, for_update: bool = False) -> Instance:
    instance = session.get(Instance, instance_id, with_for_update=for_update or None)
    if instance is None:
        raise NotFound(f"instance {instance_id} does not exist")
    return instance


def open_instance(session: Session, patient_id: str, process_id: str) -> Instance | None:
    """The patient's running, suspended or erroring instance of a pathway, if any (there is at most one)."""
    return session.scalar(select(Instance).where(Instance.patient_id == patient_id,
                                                 Instance.process_id == process_id,
                                                 Instance.status.in_(InstanceStatus.OPEN)))


def require_none_open(session: Session, patient_id: str, process_id: str, name: str) -> None:
    """A patient has one open instance of a pathway at most (the database holds to it too, for two starts at
    the same moment: the second gets a Conflict)."""
    found = open_instance(session, patient_id, process_id)
    if found is not None:
        raise Conflict(f"{name} is already {found.status} for patient {patient_id} (instance {found.id}); "
                       "it can start again once that one has ended")


def start(
    session: Session,
    runtime: Runtime,
    program: str,
    patient_id: str,
    actor: Actor,
    data: dict | None = None,
    *,
    deployment: Deployment | None = None,
    process_id: str | None = None,
    before_steps=None,
) -> Instance:
    patient_id = (patient_id or "").strip()
    if not patient_id:
        raise InvalidInput("a patient id is required to start a pathway")
    if data is not None and not isinstance(data, dict):
        raise InvalidInput("start data must be a JSON object")
    if deployment is None:
        deployment, process = resolve_program(session, program)
        process_id = process["id"]
    process = deployment.process(process_id) or {"id": process_id}
    require_none_open(session, patient_id, process_id, process.get("name") or process_id)
    parsed = runtime.specs.get(session, deployment.id)
    workflow = runtime.new_workflow(parsed, process_id)
    start_task = workflow.get_tasks(state=TaskState.READY)[0]
    start_task.data.update(data or {})
    start_task.data.setdefault("patient_id", patient_id)
    now = clock.now()
    instance = Instance(
        deployment_id=deployment.id,
        process_id=process_id,
        program=(process.get("name") or process_id)[:200],
        patient_id=patient_id,
        status=InstanceStatus.RUNNING,
        state="{}",
        started_by=actor.name,
        started_at=now,
        updated_at=now,
        open_tasks=0,
        timer_rows=0,
        message_rows=0,
    )
    session.add(instance)
    session.flush()
    audit.record(session, "started", actor.name, instance=instance,
                 details={"program": instance.program, "deployment": deployment.label,
                          "data": audit.changed_fields({}, data or {})})
    loaded = Loaded(instance, parsed, workflow)
    runtime.advance(session, loaded, actor.name, before_steps)
    runtime.save(session, loaded, actor.name)
    return instance


def suspend(session: Session, runtime: Runtime, instance_id: int, actor: Actor, reason: str = "") -> Instance:
    instance = get_instance(session, instance_id)
    if instance.status != InstanceStatus.RUNNING:
        raise InvalidState(f"instance {instance_id} is {instance.status}; only a running instance can be suspended")
    instance.status = InstanceStatus.SUSPENDED
    instance.updated_at = clock.now()
    audit.record(session, "suspended", actor.name, instance=instance, details={"reason": reason} if reason else None)
    session.flush()
    return instance


def resume(session: Session, runtime: Runtime, instance_id: int, actor: Actor) -> Instance:
    instance = get_instance(session, instance_id)
    if instance.status != InstanceStatus.SUSPENDED:
        raise InvalidState(f"instance {instance_id} is {instance.status}; only a suspended instance can be resumed")
    instance.status = InstanceStatus.RUNNING
    audit.record(session, "resumed", actor.name, instance=instance)
    loaded = runtime.load(session, instance)
    # timers that came due while suspended fire now
    due = timers.due_rows(session, instance.id)
    runtime.advance(session, loaded, actor.name, lambda wf: wf.refresh_timers())
    runtime.save(session, loaded, actor.name)
    timers.audit_fired(session, instance, due, timers.TIMER_ACTOR.name)
    return instance


def terminate(session: Session, runtime: Runtime, instance_id: int, actor: Actor, reason: str = "") -> Instance:
    instance = get_instance(session, instance_id)
    if instance.status in InstanceStatus.ENDED:
        raise InvalidState(f"instance {instance_id} has already ended ({instance.status})")
    loaded = runtime.load(session, instance)
    loaded.workflow.cancel()
    now = clock.now()
    instance.status = InstanceStatus.TERMINATED
    instance.ended_at = now
    audit.record(session, "terminated", actor.name, instance=instance, details={"reason": reason} if reason else None)
    runtime.save(session, loaded, actor.name)
    return instance


def retry(session: Session, runtime: Runtime, instance_id: int, actor: Actor, data: dict | None = None,
          upgrade: bool = False) -> Instance:
    """Run an instance in error again, after its data (merged from `data`) or its pathway was fixed.

    With `upgrade`, the instance first moves to the newest version of its bundle (the fixed pathway).
    """
    instance = get_instance(session, instance_id)
    if instance.status != InstanceStatus.ERROR:
        raise InvalidState(f"instance {instance_id} is {instance.status}; only an instance in error can be retried")
    if data is not None and not isinstance(data, dict):
        raise InvalidInput("retry data must be a JSON object")
    loaded = runtime.load(session, instance)
    if upgrade:
        _upgrade(session, runtime, loaded, actor)
    previous = instance.error
    instance.status = InstanceStatus.RUNNING
    instance.error = None
    audit.record(session, "retried", actor.name, instance=instance,
                 details={"previous_error": previous, "data": audit.changed_fields({}, data or {})})

    def rerun(workflow):
        failed = error_tasks(workflow)
        for task in failed:
            task.data.update(data or {})
            task._set_state(TaskState.READY)
        if not failed and data:
            for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
                task.data.update(data)
        workflow.refresh_timers()

    runtime.advance(session, loaded, actor.name, rerun)
    runtime.save(session, loaded, actor.name)
    return instance


def migrate(session: Session, runtime: Runtime, instance_id: int, actor: Actor) -> Instance:
    """Move an open instance onto the newest version of its bundle, where it stands (its tasks, waits and data
    kept); refused, naming them, when a task it is at no longer exists there."""
    instance = get_instance(session, instance_id, for_update=True)
    if instance.status not in InstanceStatus.OPEN:
        raise InvalidState(f"instance {instance_id} has ended ({instance.status}); there is nothing to move")
    loaded = runtime.load(session, instance)
    _upgrade(session, runtime, loaded, actor)
    runtime.save(session, loaded, actor.name)
    return instance


def _upgrade(session: Session, runtime: Runtime, loaded: Loaded, actor: Actor) -> None:
    instance = loaded.instance
    newer = newer_deployment(session, instance)
    if newer is None:
        raise InvalidState(f"instance {instance.id} is already on the newest version of its pathway; "
                           "deploy the fixed pathway first")
    parsed = runtime.specs.get(session, newer.id)
    previous = instance.deployment_id
    move_to(loaded.workflow, instance, newer, parsed)
    loaded.parsed = parsed
    audit.record(session, "moved_to_version", actor.name, instance=instance,
                 details={"from_deployment": previous, "to": newer.label})
