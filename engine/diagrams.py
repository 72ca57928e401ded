"""Where an instance stands, for drawing it on its pathway diagrams: which elements are current (open tasks,
waiting timers and messages) and which are done (completed tasks, fired timers, received messages), per
process: the program itself and each stage it has been in (a stage's call activity is current while the stage
runs, done once it was visited)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEvent, InboxTask, Instance, MessageWait, TaskStatus, TimerWait
from .specs import SpecCache

DONE_ACTIONS = ("completed", "timer_fired", "message_correlated")


@dataclass
class Diagram:
    process_id: str
    name: str
    file: str
    current: set[str] = field(default_factory=set)
    done: set[str] = field(default_factory=set)

    def to_dict(self) -> dict:
        return {"process_id": self.process_id, "name": self.name, "file": self.file,
                "current": sorted(self.current), "done": sorted(self.done - self.current)}


def _called(spec) -> str | None:
    """The process a call activity calls (SpiffWorkflow keeps it as `spec`), else None."""
    target = getattr(spec, "spec", None)
    return target if isinstance(target, str) else None


def instance_diagrams(session: Session, specs: SpecCache, instance: Instance) -> list[Diagram]:
    parsed = specs.get(session, instance.deployment_id)
    current = set(session.scalars(select(InboxTask.element_id).where(
        InboxTask.instance_id == instance.id, InboxTask.status.in_(TaskStatus.ACTIVE))))
    current |= set(session.scalars(select(TimerWait.element_id).where(TimerWait.instance_id == instance.id)))
    current |= set(session.scalars(select(MessageWait.element_id).where(MessageWait.instance_id == instance.id)))
    done = set(session.scalars(select(AuditEvent.element_id).where(
        AuditEvent.instance_id == instance.id, AuditEvent.action.in_(DONE_ACTIONS),
        AuditEvent.element_id.is_not(None))))

    # the program and every stage it calls (directly or through other stages), each with its element ids
    order: list[str] = []
    elements: dict[str, set[str]] = {}
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
        calls[process_id] = {name: _called(ts) for name, ts in spec.task_specs.items() if _called(ts)}
        pending.extend(calls[process_id].values())

    def reaches(process_id: str, wanted: set[str], seen: set[str]) -> bool:
        if process_id in seen or process_id not in elements:
            return False
        seen.add(process_id)
        return bool(elements[process_id] & wanted) or any(
            reaches(target, wanted, seen) for target in calls[process_id].values())

    diagrams = []
    for process_id in order:
        info = parsed.processes[process_id]
        diagram = Diagram(process_id, info.name or process_id, info.file,
                          current=elements[process_id] & current, done=elements[process_id] & done)
        for activity, target in calls[process_id].items():
            if reaches(target, current, set()):
                diagram.current.add(activity)
            elif reaches(target, done, set()):
                diagram.done.add(activity)
        if process_id == instance.process_id or diagram.current or diagram.done:
            diagrams.append(diagram)
    return diagrams


def _sub_spec(parsed, instance: Instance, process_id: str):
    subs = parsed.subprocess_specs(instance.process_id)
    return subs.get(process_id)


def diagram_file(session: Session, specs: SpecCache, instance: Instance, process_id: str) -> bytes:
    """The BPMN file that draws `process_id` in the instance's deployment."""
    from .errors import NotFound

    parsed = specs.get(session, instance.deployment_id)
    info = parsed.processes.get(process_id)
    if info is None or info.file not in parsed.bundle.files:
        raise NotFound(f"no diagram for '{process_id}' in this instance's pathway")
    return parsed.bundle.files[info.file]
