"""What a workflow waits on, read off the live tasks: human tasks, timers and messages.

These functions only look at the workflow; engine.runtime.row_sync turns what they find into table rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.util.task import BpmnTaskFilter
from SpiffWorkflow.util.task import TaskState

from engine.models.inbox import PRIORITIES
from engine.roles import ROLE_LABELS


@dataclass
class HumanTask:
    task_uuid: str
    element_id: str
    title: str
    documentation: str | None
    role: str | None
    priority: int
    due_in: str | None  # ISO 8601 duration from the task's `dueIn` property
    due_at: datetime | None  # from an interrupting boundary timer
    form_schema: str | None
    form_ui_schema: str | None
    stage: str


@dataclass
class PendingTimer:
    task_uuid: str
    element_id: str
    name: str | None
    kind: str
    due_at: datetime


@dataclass
class PendingMessage:
    task_uuid: str
    element_id: str
    message_name: str
    correlation: dict


def role_from_lane(lane: str | None) -> str | None:
    """Lanes name roles: 'care_manager', 'Care Manager' (reads as care_manager) or a role's label such as
    'Community health worker' (chw)."""
    if not lane:
        return None
    key = " ".join(lane.split()).lower()
    if key in _ROLE_BY_LABEL:
        return _ROLE_BY_LABEL[key]
    return re.sub(r"[^a-z0-9]+", "_", lane.strip().lower()).strip("_") or None


_ROLE_BY_LABEL = {label.lower(): role for role, label in ROLE_LABELS.items()}
# where a workflow waits now: the tasks whose data holds what the pathway knows at this point
WAITING = TaskState.READY | TaskState.WAITING | TaskState.STARTED


class WaitingTasks:
    """The tasks a workflow waits at (WAITING), found by one walk over its tasks, on first use: what a step's
    readers of pathway facts (the risk tier, the report facts, the care plan) share, once when an instance is
    loaded and once when it is saved, instead of walking the workflow each. Valid while the workflow does not
    move (its tasks' data may change: it is read where the tasks are)."""

    __slots__ = ("workflow", "_tasks")

    def __init__(self, workflow):
        self.workflow = workflow
        self._tasks = None

    @property
    def tasks(self) -> tuple:
        if self._tasks is None:
            self._tasks = tuple(self.workflow.get_tasks(state=WAITING))
        return self._tasks


def waiting_tasks(workflow, waiting: WaitingTasks | None = None):
    """The tasks `workflow` waits at: `waiting`'s, when the caller has them (of this workflow), else walked."""
    if waiting is not None and waiting.workflow is workflow:
        return waiting.tasks
    return workflow.get_tasks(state=WAITING)


def data_marker(key: str) -> str:
    """How a data name appears in a stored state (JSON) whose data holds it: as a key, followed by its colon.
    The quoted name alone also matches an element of that id (a task `care_plan`) in every state of its
    pathway; a state without the marker holds no such data anywhere (each task's data is stored as a
    key-value object, whole or as the keys that differ from its parent's)."""
    return f'"{key}":'


def properties_of(task_spec) -> dict:
    extensions = getattr(task_spec, "extensions", None) or {}
    return extensions.get("properties", {}) or {}


def stage_of(task) -> str:
    """The stage a task belongs to: its sub-pathway's name, else the pathway's."""
    spec = task.workflow.spec
    return spec.description or spec.name


def find_task(workflow, task_id: str | UUID):
    """The task with this id in the workflow or any of its sub-pathways, or None. (SpiffWorkflow's
    get_task_from_id raises for a task not in the first sub-pathway it looks in, though it is in another.)"""
    try:
        task_id = task_id if isinstance(task_id, UUID) else UUID(str(task_id))
    except ValueError:
        return None
    for tasks in (workflow.tasks, *(sp.tasks for sp in workflow.subprocesses.values())):
        if task_id in tasks:
            return tasks[task_id]
    return None


_HUMAN = BpmnTaskFilter(state=TaskState.READY, manual=True)  # what get_tasks(state=READY, manual=True) matches


def human_tasks(workflow, waiting: WaitingTasks | None = None) -> list[HumanTask]:
    """The READY manual tasks, in the workflow's order; taken from `waiting` (where it waits: READY is one of
    those states, and both walks visit the same tasks in the same order) when the caller has it."""
    found = []
    if waiting is not None and waiting.workflow is workflow:
        ready = [task for task in waiting.tasks if _HUMAN.matches(task)]
    else:
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    for task in ready:
        spec = task.task_spec
        props = properties_of(spec)
        priority = PRIORITIES.get(str(props.get("priority", "normal")).lower(), PRIORITIES["normal"])
        found.append(
            HumanTask(
                task_uuid=str(task.id),
                element_id=spec.bpmn_id or spec.name,
                title=(spec.bpmn_name or spec.bpmn_id or spec.name)[:300],
                documentation=getattr(spec, "documentation", None),
                role=role_from_lane(getattr(spec, "lane", None)),
                priority=priority,
                due_in=props.get("dueIn") or props.get("due_in"),
                due_at=_boundary_due(task),
                form_schema=props.get("formJsonSchemaFilename"),
                form_ui_schema=props.get("formUiSchemaFilename"),
                stage=stage_of(task)[:200],
            )
        )
    return found


def _boundary_due(task) -> datetime | None:
    """The task's deadline from its boundary timers: the earliest interrupting one; without any, the earliest
    non-interrupting one (an escalation that fires while the task stays open, like TCM's missed-contact timer,
    marks the moment the task is late)."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return None
    due = {True: None, False: None}  # interrupting? -> earliest moment
    for sibling in parent.children:
        event = getattr(sibling.task_spec, "event_definition", None)
        if sibling is task or not isinstance(event, TimerEventDefinition):
            continue
        interrupting = bool(getattr(sibling.task_spec, "cancel_activity", False))
        moment = _timer_due(sibling, event)
        if moment is not None and (due[interrupting] is None or moment < due[interrupting]):
            due[interrupting] = moment
    return due[True] if due[True] is not None else due[False]


def timers(workflow, now: datetime) -> list[PendingTimer]:
    found = []
    for task, event in _waiting_catch_tasks(workflow):
        if not isinstance(event, TimerEventDefinition):
            continue
        due = _timer_due(task, event) or now
        kind = "cycle" if isinstance(event, CycleTimerEventDefinition) else (
            "date" if isinstance(event, TimeDateEventDefinition) else "duration"
        )
        found.append(
            PendingTimer(
                task_uuid=str(task.id),
                element_id=element_of(task, event),
                name=(getattr(event, "name", None) or task.task_spec.bpmn_name),
                kind=kind,
                due_at=due,
            )
        )
    return found


def messages(workflow, patient_id: str, instance_id: int) -> list[PendingMessage]:
    found = []
    keys = {"patient_id": patient_id, "instance_id": str(instance_id)}
    for group in (workflow.correlations or {}).values():
        if isinstance(group, dict):
            for name, value in group.items():
                keys.setdefault(name, value if isinstance(value, (str, int, float, bool)) else str(value))
    for task, event in _waiting_catch_tasks(workflow):
        if not isinstance(event, MessageEventDefinition):
            continue
        found.append(
            PendingMessage(
                task_uuid=str(task.id),
                element_id=element_of(task, event),
                message_name=event.name,
                correlation=dict(keys),
            )
        )
    return found


def _waiting_catch_tasks(workflow):
    """(task, event definition) for every event a WAITING task catches; an event-based gateway (a
    MultipleEventDefinition) waits on each of its events at once."""
    for task in list(workflow.event_manager.tasks.values()):
        if task.state != TaskState.WAITING:
            continue
        for event in leaf_events(getattr(task.task_spec, "event_definition", None)):
            yield task, event


def element_of(task, event) -> str:
    """The BPMN element that catches `event`: the task's own, or for an event-based gateway the catch event
    after it that owns this event."""
    spec = task.task_spec
    outputs = getattr(spec, "outputs", [])
    definitions = getattr(spec.event_definition, "event_definitions", None)
    if definitions and len(definitions) == len(outputs):
        # SpiffWorkflow builds the gateway's events from its outgoing catch events, in the same order
        for definition, output in zip(definitions, outputs):
            if definition is event:
                return output.bpmn_id or output.name
    return spec.bpmn_id or spec.name


def leaf_events(event) -> list:
    if event is None:
        return []
    if isinstance(event, MultipleEventDefinition):
        return [leaf for inner in event.event_definitions for leaf in leaf_events(inner)]
    return [event]


def _timer_due(task, event) -> datetime | None:
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):  # cycle timer
        if value.get("cycles") == 0:
            return None
        value = value.get("next")
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
