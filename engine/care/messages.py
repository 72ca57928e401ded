"""Messages from other systems: route each to exactly the instances whose keys match, or start one."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.care import characters
from engine.care.actors import Actor
from engine.care.instances import get_instance, start
from engine.errors import InvalidInput, NotFound
from engine.models import MAX_ID, Deployment, Instance, InstanceStatus, MessageWait
from engine.runtime.pending import find_task, leaf_events
from engine.runtime.runner import Runtime
from engine.store import audit, first_read
from engine.store.step_writes import straight_to_driver


@dataclass
class CorrelationResult:
    message: str
    delivered: list[int] = field(default_factory=list)  # instance ids resumed by the message
    started: list[int] = field(default_factory=list)  # instances a message start event created
    skipped: list[int] = field(default_factory=list)  # matching instances not running (suspended, error)
    refused: str | None = None  # why a start it asked for was refused (that pathway open, patient unknown)
    failed: list[dict] = field(default_factory=list)  # deliveries and starts that failed: instance, element, reason

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
    characters.require_text("the message name", str(name))
    characters.require_data("the correlation keys", keys)
    characters.require_data("the payload", payload)


# built once (building a statement costs about what running it does); the columns `matching` reads, no objects
_WAITS_FOR = select(MessageWait.instance_id, MessageWait.message_name, MessageWait.correlation)
_WAITS_NAMED = _WAITS_FOR.where(MessageWait.message_name == bindparam("name"))
_WAITS_NAMED_FOR_PATIENT = _WAITS_NAMED.where(MessageWait.patient_id == bindparam("patient_id"))
_WAITS_OF_INSTANCE = select(MessageWait).where(MessageWait.instance_id == bindparam("instance_id"))


def waiting_instances(session: Session, name: str, keys: dict) -> set[int]:
    """The instances with a wait that message `name` with correlation `keys` reaches (it is delivered to each
    after the instance is locked, against its waits as they are then: `locked_with_waits`, `matching`)."""
    if "patient_id" in keys:
        rows = session.execute(_WAITS_NAMED_FOR_PATIENT, {"name": name, "patient_id": str(keys["patient_id"])})
    else:
        rows = session.execute(_WAITS_NAMED, {"name": name})
    return {w.instance_id for w in matching(rows, name, keys)}


_LOCKED_INSTANCE_ROWS = first_read.WholeRows(
    select(Instance.__table__).where(Instance.__table__.c.id == bindparam("instance_id")).with_for_update(),
    Instance)
_WAIT_ROWS_OF_INSTANCE = first_read.WholeRows(
    select(MessageWait.__table__).where(MessageWait.__table__.c.instance_id == bindparam("instance_id")),
    MessageWait)


def locked_with_waits(session: Session, instance_id: int) -> tuple[Instance, list[MessageWait]]:
    """The instance, locked (FOR UPDATE), and then every message wait it has, as they are once it is locked
    (what its save keeps in step with its workflow: `Loaded.message_rows`). On PostgreSQL the two reads go in
    one round trip, straight to the driver (engine.store.first_read.together), when nothing is held back."""
    connection = straight_to_driver(session)
    if connection is None or (Instance, (instance_id,), None) in session.identity_map:
        instance = get_instance(session, instance_id, for_update=True)
        return instance, list(session.scalars(_WAITS_OF_INSTANCE, {"instance_id": instance_id}))
    if not 1 <= instance_id <= MAX_ID:
        get_instance(session, instance_id)  # NotFound, as for any id no row can have
    params = {"instance_id": instance_id}
    instances, waits = first_read.together(connection, (_LOCKED_INSTANCE_ROWS, params),
                                           (_WAIT_ROWS_OF_INSTANCE, params))
    if not instances:
        raise NotFound(f"instance {instance_id} does not exist")
    instance = first_read.attach(session, Instance, instances[0][0])
    return instance, [first_read.attach(session, MessageWait, values) for (values,) in waits]


def matching(waits, name: str, keys: dict) -> list[MessageWait]:
    wanted = {k: str(v) for k, v in keys.items()}
    return [w for w in waits if _reaches(w.message_name, w.correlation, name, wanted)]


def _reaches(wait_name: str, correlation: dict, name: str, wanted: dict[str, str]) -> bool:
    return wait_name == name and all(str(correlation.get(k)) == v for k, v in wanted.items())


# The instances of the message's patient that wait for it, locked (in id order, as every delivery locks them),
# then their waits as they are once locked: what `sole_waiting` picks the instance to deliver to from.
_WAITING = (select(MessageWait.__table__.c.instance_id)
            .where(MessageWait.__table__.c.message_name == bindparam("name"),
                   MessageWait.__table__.c.patient_id == bindparam("patient_id")))
_LOCKED_WAITING_ROWS = first_read.WholeRows(
    select(Instance.__table__).where(Instance.__table__.c.id.in_(_WAITING))
    .order_by(Instance.__table__.c.id).with_for_update(), Instance)
_WAIT_ROWS_OF_WAITING = first_read.WholeRows(
    select(MessageWait.__table__).where(MessageWait.__table__.c.instance_id.in_(_WAITING))
    .order_by(MessageWait.__table__.c.id), MessageWait)


def waiting_reads(name: str, keys: dict) -> tuple:
    """The reads that lock the instances of the message's patient waiting for message `name`, then read their
    waits, to go with a transaction's first statement in its round trip (engine.store.idempotency.claim's
    `along`); none for a message without a patient_id key, which could reach any patient's instances."""
    if "patient_id" not in keys:
        return ()
    params = {"name": name, "patient_id": str(keys["patient_id"])}
    return (_LOCKED_WAITING_ROWS, params), (_WAIT_ROWS_OF_WAITING, params)


def sole_waiting(session: Session, read: list, name: str,
                 keys: dict) -> tuple[Instance, list[MessageWait]] | None:
    """From the rows `waiting_reads` read: the one instance locked there that the message reaches, as the
    session's object, with every wait it has (what `locked_with_waits` gives); None when it reaches none of
    them or several (each is then delivered to in a transaction of its own)."""
    instances, waits = read
    locked = {values["id"]: values for (values,) in instances}
    wanted = {k: str(v) for k, v in keys.items()}
    reached = {values["instance_id"] for (values,) in waits if values["instance_id"] in locked
               and _reaches(values["message_name"], values["correlation"], name, wanted)}
    if len(reached) != 1:
        return None
    instance_id = reached.pop()
    instance = first_read.attach(session, Instance, locked[instance_id])
    return instance, [first_read.attach(session, MessageWait, values) for (values,) in waits
                      if values["instance_id"] == instance_id]


def deliver(session: Session, runtime: Runtime, instance: Instance, name: str, keys: dict, payload: dict | None,
            actor: Actor, waits: list[MessageWait], rows: list[MessageWait] | None = None) -> dict | None:
    """Deliver message `name` to the waits of `instance` it matched. Returns None, or why it failed (see
    `failure`): a message whose correlation properties cannot be read, or whose values SpiffWorkflow finds
    differ from the instance's, changes nothing; a pathway that fails on the message is left in error, as a
    step that fails always is. `rows`: every message wait of the instance, read in this transaction after it
    was locked (its save syncs against them instead of reading them again)."""
    loaded = runtime.load(session, instance)
    loaded.message_rows = rows
    payload = dict(payload or {})
    caught, failed = _events_for(loaded.workflow, instance, name, keys, payload, waits)
    if failed is not None:
        return failed

    def catch(workflow):
        for task, event in caught:
            with keys_in_correlations(workflow, keys, payload):
                workflow.catch(event)
            _merge_payload(task, event.event_definition, payload)

    audit.record(session, "message_correlated", actor.name, instance=instance, element_id=waits[0].element_id,
                 details={"message": name, "payload_keys": sorted(payload.keys())})
    ran = runtime.advance(session, loaded, actor.name, catch)
    runtime.save(session, loaded, actor.name)
    return None if ran else failure(instance, None, None)


def _events_for(workflow, instance: Instance, name: str, keys: dict, payload: dict, waits: list[MessageWait]):
    """([(waiting task, the event it is to catch)], None), or ([], the failure) when one of them cannot catch
    it: its correlation properties cannot be read from the keys and payload, or their values are not the ones
    the instance holds."""
    caught = []
    for wait in waits:
        task = find_task(workflow, wait.task_uuid)
        if task is None or task.state != TaskState.WAITING:
            continue
        try:
            event = message_event(workflow, message_definition(task, name), keys, payload)
        except Exception as exc:  # noqa: BLE001 - a retrieval expression the keys and payload cannot answer
            return [], failure(instance, wait.element_id, f"its correlation properties could not be read: {exc}")
        if not task.task_spec.catches(task, event):
            return [], failure(instance, wait.element_id, "its correlation values are not the instance's")
        caught.append((task, event))
    return caught, None


def failure(instance: Instance, element: str | None, reason: str | None) -> dict:
    """A delivery that failed, as CorrelationResult.failed lists it; without a reason, the instance's error."""
    error = instance.error or {}
    return {"instance": instance.id, "element": element or error.get("element"),
            "reason": reason or error.get("message") or "the pathway failed"}


def message_event(workflow, definition, keys: dict, payload: dict) -> BpmnEvent:
    """The event that carries message `definition` with `payload`, its correlations computed from `keys`.

    A model may declare correlation properties for its message (SpiffArena style: a correlationKey and a
    correlationProperty with a retrieval expression, such as `patient_id`). SpiffWorkflow works them out by
    evaluating the expression against the payload, so a message whose key travels beside its payload would
    fail (NameError) or, once the instance holds correlation values, be ignored. Here the keys are there too
    (see `keys_in_correlations`): they are what correlation matches on, whatever the payload holds."""
    properties = getattr(definition, "correlation_properties", None) or []
    correlations = {}
    if properties:
        with keys_in_correlations(workflow, keys, payload):
            correlations = definition.calculate_correlations(workflow.script_engine, properties, payload)
    return BpmnEvent(definition, payload, correlations)


@contextmanager
def keys_in_correlations(workflow, keys: dict, payload: dict):
    """While a message is caught, the workflow's script engine evaluates expressions against this `payload`
    (correlation retrieval expressions, which SpiffWorkflow evaluates when it catches a message) with the
    message's correlation keys added, the keys winning; every other evaluation is left as it is."""
    engine = workflow.script_engine
    workflow.script_engine = _KeyedEngine(engine, _KeyedEnvironment(engine.environment, keys, payload))
    try:
        yield
    finally:
        workflow.script_engine = engine


class _KeyedEngine:
    def __init__(self, engine, environment):
        self._engine = engine
        self.environment = environment

    def __getattr__(self, name):
        return getattr(self._engine, name)


class _KeyedEnvironment:
    def __init__(self, environment, keys: dict, payload: dict):
        self._environment = environment
        self._keys = dict(keys)
        self._payload = payload

    def evaluate(self, expression, context, external_context=None):
        if context is self._payload:
            context = {**context, **self._keys}
        return self._environment.evaluate(expression, context, external_context)

    def __getattr__(self, name):
        return getattr(self._environment, name)


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
    message = dict(payload or {})

    def catch_start(workflow):
        for task in workflow.get_tasks(state=TaskState.WAITING):
            event_definition = getattr(task.task_spec, "event_definition", None)
            if isinstance(event_definition, MessageEventDefinition) and event_definition.name == name:
                event = message_event(workflow, event_definition, keys, message)
                with keys_in_correlations(workflow, keys, message):
                    workflow.catch(event)
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
