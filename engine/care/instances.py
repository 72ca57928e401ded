"""Instance lifecycle: start a pathway for a patient, suspend, resume, terminate, retry after an error."""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.care import characters, programs, teams, timers
from engine.care.actors import Actor
from engine.deploy.versions import resolve_program
from engine.errors import Conflict, InvalidInput, InvalidState, NotFound
from engine.models import MAX_ID, Deployment, Instance, InstanceStatus, Patient
from engine.runtime.migration import move_to, newer_deployment, refresh_inbox_rows
from engine.runtime.pending import find_task
from engine.runtime.runner import Loaded, Runtime, error_tasks
from engine.runtime.state_codec import connect_loops
from engine.store import audit
from engine.time import clock


def get_instance(session: Session, instance_id: int, *, for_update: bool = False) -> Instance:
    if not 1 <= instance_id <= MAX_ID:  # no row can have it: not worth a query the database would refuse
        raise NotFound(f"instance {instance_id} does not exist")
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


def require_registered(session: Session, patient_id: str) -> None:
    """A pathway starts only for a patient in the registry (its id is the patient's MRN), whoever starts it: an
    operator, a care team, or a message from another system."""
    if session.get(Patient, patient_id) is None:
        raise NotFound(f"patient '{patient_id}' is not in the registry; add them first, then start the pathway")


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
    characters.require_text("the patient id", patient_id)
    if data is not None and not isinstance(data, dict):
        raise InvalidInput("start data must be a JSON object")
    characters.require_data("start data", data)
    if deployment is None:
        deployment, process = resolve_program(session, program)
        process_id = process["id"]
    require_registered(session, patient_id)
    process = deployment.process(process_id) or {"id": process_id}
    programs.require_open(session, process_id, process.get("name") or process_id)
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
        team_roles=teams.roles_on_team(session, patient_id),
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
    characters.require_data("retry data", data)
    loaded = runtime.load(session, instance)
    if upgrade:
        _upgrade(session, runtime, loaded, actor)
    previous = instance.error
    instance.status = InstanceStatus.RUNNING
    instance.error = None
    audit.record(session, "retried", actor.name, instance=instance,
                 details={"previous_error": previous, "data": audit.changed_fields({}, data or {})})
    runtime.advance(session, loaded, actor.name, lambda workflow: rerun(workflow, previous, data or {}))
    runtime.save(session, loaded, actor.name)
    return instance


def rerun(workflow, error: dict | None, data: dict) -> None:
    """Run again what failed, `data` merged in first: the task the error names, in the part of its life it
    failed in (see engine.runtime.runner.failure_point), and any other task in error from its start. Without
    either, `data` goes to the tasks that wait."""
    error = error or {}
    failed = _failed_tasks(workflow, error)
    for task in failed:
        _AGAIN.get(_phase(error), _run_again)(task, data)
    others = [task for task in error_tasks(workflow) if task not in failed]
    for task in others:
        _run_again(task, data)
    if not failed and not others and data:
        for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
            task.data.update(data)
    workflow.refresh_timers()


def _failed_tasks(workflow, error: dict) -> list:
    """The task the error names, if it is still there and not done. An error stored before errors named their
    task names its element only: the tasks in error there."""
    if not error.get("task"):
        return [t for t in error_tasks(workflow) if error.get("element") in (t.task_spec.bpmn_id, t.task_spec.name)]
    task = find_task(workflow, error["task"])
    if task is None or task.has_state(TaskState.CANCELLED):
        return []
    if task.has_state(TaskState.COMPLETED) and error.get("phase") != "complete":
        return []
    return [task]


def _phase(error: dict) -> str:
    """The part of its life the task failed in. For an error stored before errors said so: what SpiffWorkflow's
    note in the message says (its preScript or its postScript failed), else its own work."""
    if error.get("phase"):
        return error["phase"]
    message = error.get("message") or ""
    return "post_script" if "Post-Script" in message else "pre_script" if "Pre-Script" in message else "run"


def _run_again(task, data: dict) -> None:
    """Its own work failed (a script, a gateway's conditions, a decision): it runs again."""
    task.data.update(data)
    task._set_state(TaskState.READY)


def _finish_again(task, data: dict) -> None:
    """Its postScript failed once it was done (a person's task: their answers are in its data): it is finished
    again, postScript first, and not handed back to the person."""
    task.data.update(data)
    task.complete()


def _ready_again(task, data: dict) -> None:
    """It failed on its way to ready (its preScript) or to wait (a timer's expression): it goes that way again,
    taking its parent's data first, so the fix goes to the parent too."""
    task.data.update(data)
    if task.parent is not None:
        task.parent.data.update(data)
    task.task_spec._update(task)


_AGAIN = {"run": _run_again, "post_script": _finish_again, "complete": _finish_again,
          "pre_script": _ready_again, "update": _ready_again}


def migrate(session: Session, runtime: Runtime, instance_id: int, actor: Actor, *, target: Deployment | None = None,
            mapping: dict[str, str] | None = None, plan_id: int | None = None) -> Instance:
    """Move an open instance onto the newest version of its bundle (or `target`, a newer version of it), where
    it stands (its tasks, waits and data kept); refused, naming them, when a task it is at no longer exists
    there and `mapping` (old element id -> new) does not say where it went."""
    instance = get_instance(session, instance_id, for_update=True)
    if instance.status not in InstanceStatus.OPEN:
        raise InvalidState(f"instance {instance_id} has ended ({instance.status}); there is nothing to move")
    loaded = runtime.load(session, instance)
    _upgrade(session, runtime, loaded, actor, target=target, mapping=mapping, plan_id=plan_id)
    runtime.save(session, loaded, actor.name)
    return instance


def _upgrade(session: Session, runtime: Runtime, loaded: Loaded, actor: Actor, *, target: Deployment | None = None,
             mapping: dict[str, str] | None = None, plan_id: int | None = None) -> None:
    instance = loaded.instance
    newer = target or newer_deployment(session, instance)
    if newer is None:
        raise InvalidState(f"instance {instance.id} is already on the newest version of its pathway; "
                           "deploy the fixed pathway first")
    if newer.id == instance.deployment_id:
        raise InvalidState(f"instance {instance.id} is already on {newer.label}")
    parsed = runtime.specs.get(session, newer.id)
    previous = session.get(Deployment, instance.deployment_id)
    used = move_to(loaded.workflow, instance, newer, parsed, mapping)
    connect_loops(loaded.workflow)  # the newer version's specs, maybe never loaded in this process
    loaded.parsed = parsed
    refresh_inbox_rows(session, instance, loaded.workflow)
    details = {"from_deployment": previous.id, "from": previous.label, "to": newer.label}
    if used:
        details["mapping"] = used
    if plan_id is not None:
        details["plan"] = plan_id
    audit.record(session, "moved_to_version", actor.name, instance=instance, details=details)
