"""A patient's history as people read it: one line per event, the fields a submitted form set beneath it."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from engine.service import AuditEvent, Instance

HIDDEN_FIELDS = {"csrf_token", "minutes_spent"}


@dataclass
class TimelineEntry:
    at: datetime
    actor: str
    text: str
    program: str | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    kind: str = "event"


def _label(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


def _value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "—"
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 300 else text[:297] + "…"
    return str(value)


def _fields(values: dict | None) -> list[tuple[str, str]]:
    return [(_label(k), _value(v)) for k, v in (values or {}).items() if k not in HIDDEN_FIELDS]


def describe(event: AuditEvent) -> TimelineEntry:
    d = event.details or {}
    entry = TimelineEntry(event.at, event.actor, event.action.replace("_", " "))
    action = event.action
    if action == "started":
        entry.text, entry.kind = f"Started {d.get('program', 'a program')}", "start"
    elif action == "completed":
        entry.text, entry.kind = f"Completed “{d.get('title', event.element_id)}”", "form"
        entry.fields = _fields(d.get("changed"))
    elif action == "claimed":
        entry.text = f"Claimed a task ({event.element_id})"
    elif action == "released":
        entry.text = f"Released a task ({event.element_id})"
    elif action == "assigned":
        entry.text = f"Assigned a task to {d.get('assignee')}"
    elif action == "timer_fired":
        entry.text, entry.kind = f"Time reached: {d.get('name') or event.element_id}", "time"
    elif action == "message_correlated":
        entry.text, entry.kind = f"Received {d.get('message', 'a message')}", "message"
    elif action == "error":
        entry.text, entry.kind = f"Stopped with an error at {d.get('name') or d.get('element')}: {d.get('message')}", \
            "error"
    elif action == "completed_instance":
        entry.text, entry.kind = "Program finished", "end"
    elif action in ("suspended", "terminated", "resumed", "retried"):
        entry.text = action.capitalize() + (f": {d['reason']}" if d.get("reason") else "")
    elif action == "patient_added":
        entry.text = "Added to the registry"
    elif action == "patient_updated":
        entry.text, entry.fields = "Record updated", _fields({k: v.get("after") if isinstance(v, dict) else v
                                                              for k, v in d.items()})
    return entry


def timeline(events: list[AuditEvent], instances: list[Instance]) -> list[TimelineEntry]:
    programs = {i.id: i.program for i in instances}
    entries = []
    for event in events:
        entry = describe(event)
        entry.program = programs.get(event.instance_id)
        entries.append(entry)
    return entries
