"""Where an instance stands, for drawing it on its pathway diagrams: which elements are current (open tasks,
waiting timers and messages) and which are done (completed tasks, fired timers, received messages), per
process: the program itself and each stage it has been in (a stage's call activity is current while the stage
runs, done once it was visited)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.deploy.spec_cache import SpecCache
from engine.models import AuditEvent, InboxTask, Instance, InstanceStatus, MessageWait, TaskStatus, TimerWait

DONE_ACTIONS = ("completed", "timer_fired", "message_correlated")


@dataclass
class Diagram:
    process_id: str
    name: str
    file: str
    current: set[str] = field(default_factory=set)
    done: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)  # element id -> its name on the diagram

    def to_dict(self) -> dict:
        current = sorted(self.current)
        return {"process_id": self.process_id, "name": self.name, "file": self.file, "current": current,
                "current_names": [self.labels.get(e) or e for e in current],
                "done": sorted(self.done - self.current)}


def _called(spec) -> str | None:
    """The process a call activity calls (SpiffWorkflow keeps it as `spec`), else None."""
    target = getattr(spec, "spec", None)
    return target if isinstance(target, str) else None


def instance_diagrams(session: Session, runtime, instance: Instance) -> list[Diagram]:
    """The diagrams to draw for an instance, the program first. Where it stands is read from its workflow: each
    waiting task (inbox, timer or message) and, up the chain of running stages, the call activity that runs it;
    so a stage two programs' steps share (mood screening in assessment and in evaluation) is marked only where
    it really runs."""
    specs: SpecCache = runtime.specs
    parsed = specs.get(session, instance.deployment_id)
    waiting = set(session.scalars(select(InboxTask.task_uuid).where(
        InboxTask.instance_id == instance.id, InboxTask.status.in_(TaskStatus.ACTIVE))))
    waiting |= set(session.scalars(select(TimerWait.task_uuid).where(TimerWait.instance_id == instance.id)))
    waiting |= set(session.scalars(select(MessageWait.task_uuid).where(MessageWait.instance_id == instance.id)))
    current: dict[str, set[str]] = {}
    if waiting and instance.status not in InstanceStatus.ENDED:
        workflow = runtime.load(session, instance).workflow
        for uuid in waiting:
            for process_id, element in _chain(workflow, uuid):
                current.setdefault(process_id, set()).add(element)
    done = set(session.scalars(select(AuditEvent.element_id).where(
        AuditEvent.instance_id == instance.id, AuditEvent.action.in_(DONE_ACTIONS),
        AuditEvent.element_id.is_not(None))))

    # the program and every stage it calls (directly or through other stages), each with its element ids
    order: list[str] = []
    elements: dict[str, set[str]] = {}
    labels: dict[str, dict[str, str]] = {}
    calls: dict[str, dict[str, str]] = {}  # process -> call activity id -> called process
    pending = [instance.process_id]
    while pending:
        process_id = pending.pop(0)
        if process_id in elements or process_id not in parsed.processes:
            continue
        spec = parsed.spec(process_id) if process_id == instance.process_id else _sub_spec(parsed, instance,
                                                                                         process_id)
        if spec is None:
            continue
        order.append(process_id)
        elements[process_id] = set(spec.task_specs)
        labels[process_id] = {name: " ".join(ts.bpmn_name.split()) for name, ts in spec.task_specs.items()
                              if getattr(ts, "bpmn_name", None)}
        calls[process_id] = {name: _called(ts) for name, ts in spec.task_specs.items() if _called(ts)}
        pending.extend(calls[process_id].values())

    def visited(process_id: str, seen: set[str]) -> bool:
        if process_id in seen or process_id not in elements:
            return False
        seen.add(process_id)
        return bool(elements[process_id] & done) or any(visited(t, seen) for t in calls[process_id].values())

    diagrams = []
    for process_id in order:
        info = parsed.processes[process_id]
        mine = current.get(process_id, set())
        diagram = Diagram(process_id, info.name or process_id, info.file, current=set(mine),
                          done=elements[process_id] & done, labels=labels[process_id])
        for activity, target in calls[process_id].items():
            if activity not in mine and visited(target, set()):
                diagram.done.add(activity)
        if process_id == instance.process_id or diagram.current or diagram.done:
            diagrams.append(diagram)
    return diagrams


def _chain(workflow, task_uuid: str) -> list[tuple[str, str]]:
    """(process id, element id) of a waiting task and of each call activity above it, innermost first."""
    try:
        task = workflow.get_task_from_id(uuid.UUID(task_uuid))
    except (ValueError, KeyError, TypeError):
        return []
    found = []
    while task is not None:
        found.append((task.workflow.spec.name, task.task_spec.bpmn_id or task.task_spec.name))
        parent_id = getattr(task.workflow, "parent_task_id", None)
        task = workflow.get_task_from_id(parent_id) if parent_id is not None else None
    return found


def _sub_spec(parsed, instance: Instance, process_id: str):
    subs = parsed.subprocess_specs(instance.process_id)
    return subs.get(process_id)


def diagram_file(session: Session, specs: SpecCache, instance: Instance, process_id: str) -> bytes:
    """The BPMN file that draws `process_id` in the instance's deployment."""
    from engine.errors import NotFound

    parsed = specs.get(session, instance.deployment_id)
    info = parsed.processes.get(process_id)
    if info is None or info.file not in parsed.bundle.files:
        raise NotFound(f"no diagram for '{process_id}' in this instance's pathway")
    return parsed.bundle.files[info.file]
