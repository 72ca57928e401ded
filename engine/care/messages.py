"""Messages from other systems: route each to exactly the instances whose keys match, or start one."""
from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.care.actors import Actor
from engine.care.instances import start
from engine.errors import InvalidInput
from engine.models import Deployment, Instance, InstanceStatus, MessageWait
from engine.runtime.pending import leaf_events
from engine.runtime.runner import Runtime
from engine.store import audit


@dataclass
class CorrelationResult:
    message: str
    delivered: list[int] = field(default_factory=list)  # instance ids resumed by the message
    started: list[int] = field(default_factory=list)  # instances a message start event created
    skipped: list[int] = field(default_factory=list)  # matching instances not running (suspended, error)
    refused: str | None = None  # why a start it asked for was refused (the patient has that pathway open)

    @property
    def matched(self) -> bool:
        return bool(self.delivered or self.started)


def check_message(name: str, keys: dict, payload) -> None:
    if not name or not str(name).strip():
        raise InvalidInput("a message needs a name")
    if not isinstance(keys, dict) or not keys:
        raise InvalidInput("a message needs correlation keys (such as patient_id) so it reaches the right patient")
    if payload is not None and not isinstance(payload, dict):
        raise InvalidInput("a message payload must be a JSON object")


def matching_waits(session: Session, name: str, keys: dict, instance_id: int | None = None) -> list[MessageWait]:
    query = select(MessageWait).where(MessageWait.message_name == name)
    if instance_id is not None:
        query = query.where(MessageWait.instance_id == instance_id)
    if "patient_id" in keys:
        query = query.where(MessageWait.patient_id == str(keys["patient_id"]))
    wanted = {k: str(v) for k, v in keys.items()}
    return [w for w in session.scalars(query) if all(str(w.correlation.get(k)) == v for k, v in wanted.items())]


def deliver(session: Session, runtime: Runtime, instance: Instance, name: str, payload: dict | None,
            actor: Actor, waits: list[MessageWait]) -> None:
    loaded = runtime.load(session, instance)
    targets = [loaded.workflow.get_task_from_id(UUID(w.task_uuid)) for w in waits]
    targets = [t for t in targets if t is not None and t.state == TaskState.WAITING]

    def catch(workflow):
        for task in targets:
            event_definition = message_definition(task, name)
            workflow.catch(BpmnEvent(event_definition, payload or {}))
            _merge_payload(task, event_definition, payload)

    audit.record(session, "message_correlated", actor.name, instance=instance, element_id=waits[0].element_id,
                 details={"message": name, "payload_keys": sorted((payload or {}).keys())})
    runtime.advance(session, loaded, actor.name, catch)
    runtime.save(session, loaded, actor.name)


def message_definition(task, name: str):
    """The definition of message `name` that `task` waits on (an event-based gateway waits on several)."""
    for event in leaf_events(task.task_spec.event_definition):
        if isinstance(event, MessageEventDefinition) and event.name == name:
            return event
    return task.task_spec.event_definition


def _merge_payload(task, event_definition, payload) -> None:
    """Without a spiffworkflow:messageVariable, the payload's fields become task data."""
    if payload and getattr(event_definition, "message_var", None) is None and task.state == TaskState.READY:
        task.data.update(payload)


def message_start_targets(session: Session, name: str) -> list[tuple[Deployment, dict]]:
    """Newest version of each bundle that has a startable process with a message start event `name`."""
    targets, seen = [], set()
    for deployment in session.scalars(select(Deployment).order_by(Deployment.id.desc())):
        if deployment.name in seen:
            continue
        seen.add(deployment.name)
        for process in deployment.processes:
            if process.get("startable") and name in (process.get("message_start_events") or []):
                targets.append((deployment, process))
    return targets


def start_by_message(session: Session, runtime: Runtime, deployment: Deployment, process: dict, name: str,
                     keys: dict, payload: dict | None, actor: Actor) -> Instance:
    patient_id = keys.get("patient_id")
    if not patient_id:
        raise InvalidInput(f"message '{name}' starts a pathway, so it needs a patient_id key")

    def catch_start(workflow):
        for task in workflow.get_tasks(state=TaskState.WAITING):
            event_definition = getattr(task.task_spec, "event_definition", None)
            if isinstance(event_definition, MessageEventDefinition) and event_definition.name == name:
                workflow.catch(BpmnEvent(event_definition, payload or {}))
                _merge_payload(task, event_definition, payload)
                break

    instance = start(session, runtime, process["id"], str(patient_id), actor, data=dict(payload or {}),
                     deployment=deployment, process_id=process["id"], before_steps=_steps_then(catch_start))
    audit.record(session, "message_correlated", actor.name, instance=instance,
                 details={"message": name, "started": True, "payload_keys": sorted((payload or {}).keys())})
    return instance


def _steps_then(action):
    def run(workflow):
        workflow.do_engine_steps()
        action(workflow)
    return run


def is_deliverable(instance: Instance) -> bool:
    return instance.status == InstanceStatus.RUNNING
