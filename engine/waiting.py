"""What a workflow waits on, read off the live tasks: human tasks, timers and messages.

These functions only look at the workflow; engine.sync turns what they find into table rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.util.task import TaskState

from .models.inbox import PRIORITIES


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
    """Lanes name roles: 'care_manager', or 'Care Manager' which reads as care_manager."""
    if not lane:
        return None
    return re.sub(r"[^a-z0-9]+", "_", lane.strip().lower()).strip("_") or None


def properties_of(task_spec) -> dict:
    extensions = getattr(task_spec, "extensions", None) or {}
    return extensions.get("properties", {}) or {}


def stage_of(task) -> str:
    """The stage a task belongs to: its sub-pathway's name, else the pathway's."""
    spec = task.workflow.spec
    return spec.description or spec.name


def human_tasks(workflow) -> list[HumanTask]:
    found = []
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
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
    """The earliest interrupting boundary timer on the task is its deadline."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return None
    due = None
    for sibling in parent.children:
        event = getattr(sibling.task_spec, "event_definition", None)
        if sibling is task or not isinstance(event, TimerEventDefinition):
            continue
        if not getattr(sibling.task_spec, "cancel_activity", False):
            continue
        moment = _timer_due(sibling, event)
        if moment is not None and (due is None or moment < due):
            due = moment
    return due


def timers(workflow, now: datetime) -> list[PendingTimer]:
    found = []
    for task in _waiting_catch_tasks(workflow):
        event = task.task_spec.event_definition
        if not isinstance(event, TimerEventDefinition):
            continue
        due = _timer_due(task, event) or now
        kind = "cycle" if isinstance(event, CycleTimerEventDefinition) else (
            "date" if isinstance(event, TimeDateEventDefinition) else "duration"
        )
        found.append(
            PendingTimer(
                task_uuid=str(task.id),
                element_id=task.task_spec.bpmn_id or task.task_spec.name,
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
    for task in _waiting_catch_tasks(workflow):
        event = task.task_spec.event_definition
        if not isinstance(event, MessageEventDefinition):
            continue
        found.append(
            PendingMessage(
                task_uuid=str(task.id),
                element_id=task.task_spec.bpmn_id or task.task_spec.name,
                message_name=event.name,
                correlation=dict(keys),
            )
        )
    return found


def _waiting_catch_tasks(workflow):
    for task in list(workflow.event_manager.tasks.values()):
        if task.state == TaskState.WAITING and getattr(task.task_spec, "event_definition", None) is not None:
            yield task


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
