"""A patient's history as people read it: one line per event, naming tasks by their titles and people by their
names, and the answers a form set beneath it with the form's own labels for its fields and choices (lists read
as lists, not JSON)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import forms
from forms.choices import humanise, humanise_name
from webapp.formatting import day

HIDDEN_FIELDS = {"csrf_token"}
MAX_TEXT = 400
QUIET = {"program_ended"}  # said by the "terminated" event of the same change
ROUTED_BY = "care team"


@dataclass
class TimelineEntry:
    at: datetime
    actor: str
    text: str
    program: str | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    kind: str = "event"


# ------------------------------------------------------------------------------------------------ values
def _short(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def plain(value) -> str:
    """A value without its form: yes/no, identifiers as words, lists and objects as readable text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{humanise_name(str(k))}: {plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(plain(v) for v in value)
    if isinstance(value, str):
        if value.endswith("…") and value[:1] in "[{":  # a long answer the audit trail kept only the start of
            return "(a long answer: open the task to read it)"
        return humanise(value) if "_" in value and " " not in value else value
    return str(value)


def shown(field_: forms.Field | None, value) -> str:
    """A value as its form field names it: a choice's label, Yes/No, each row of a list by its own fields."""
    if field_ is None:
        return plain(value)
    if value is None or value == "" or value == []:
        return "—"
    if field_.choices:
        labels = {c.value: c.label for c in field_.choices}
        if isinstance(value, list):
            return ", ".join(labels.get(v, plain(v)) for v in value)
        return labels.get(value, plain(value))
    if field_.item is not None and field_.item.choices and isinstance(value, list):
        labels = {c.value: c.label for c in field_.item.choices}
        return ", ".join(labels.get(v, plain(v)) for v in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(shown(field_.item, v) for v in value)
    if isinstance(value, dict):
        children = {c.name: c for c in field_.children}
        return ", ".join(f"{_label(children.get(k), k)}: {shown(children.get(k), v)}" for k, v in value.items())
    return plain(value)


def _label(field_: forms.Field | None, name: str) -> str:
    return field_.label if field_ is not None and field_.label else humanise_name(name)


def answers(values: dict | None, form: forms.Form | None) -> list[tuple[str, str]]:
    by_name = {f.name: f for f in form.fields} if form is not None else {}
    return [(_label(by_name.get(k), k), _short(shown(by_name.get(k), v)))
            for k, v in (values or {}).items() if k not in HIDDEN_FIELDS]


def _form(record, task_uuid: str | None) -> forms.Form | None:
    schema, ui = (record.task_forms.get(task_uuid) if record is not None and task_uuid else None) or (None, None)
    if not schema:
        return None
    try:
        return forms.load_form(schema, ui)
    except Exception:  # noqa: BLE001 - a form that cannot be drawn still leaves its answers readable
        return None


# ------------------------------------------------------------------------------------------------ events
def _title(event, record) -> str:
    d = event.details or {}
    title = (record.task_titles.get(event.task_uuid) if record is not None else None) or d.get("title")
    return f"“{title}”" if title else "a task"


def _name(record, username: str | None) -> str:
    if not username:
        return "someone"
    return (record.names.get(username) if record is not None else None) or username


def _describe_task(event, record, entry: TimelineEntry) -> bool:
    d, action, title = event.details or {}, event.action, _title(event, record)
    texts = {
        "claimed": f"Claimed {title}", "released": f"Released {title}", "draft_saved": f"Saved a draft of {title}",
        "task_cancelled": f"{title[:1].upper()}{title[1:]} was cancelled"
                          + (f" ({d['reason']})" if d.get("reason") else ""),
        "delegated": f"Asked {_name(record, d.get('to'))} for input on {title}",
        "resolved": f"Answered on {title}, handing it back to {_name(record, d.get('to'))}",
        "delegation_withdrawn": f"Took {title} back from {_name(record, d.get('from'))}",
        "follow_up_set": f"Set a follow-up on {title}" + (f" for {day(datetime.fromisoformat(d['follow_up_at']))}"
                                                          if d.get("follow_up_at") else " (cleared)"),
    }
    if action in texts:
        entry.text = texts[action]
    elif action == "completed":
        entry.text, entry.kind = f"Completed {title}", "form"
        given = record.task_answers.get(event.task_uuid) if record is not None else None
        entry.fields = answers(given if given is not None else d.get("changed"), _form(record, event.task_uuid))
    elif action == "assigned":
        to = _name(record, d.get("assignee"))
        entry.text = (f"{title[:1].upper()}{title[1:]} went to {to}, on the patient's care team"
                      if event.actor == ROUTED_BY else f"Gave {title} to {to}")
    else:
        return False
    return True


def _describe_record(event, record, entry: TimelineEntry) -> bool:
    d, action = event.details or {}, event.action
    if action == "patient_added":
        entry.text = "Added to the registry"
    elif action == "patient_updated":
        entry.text = "Record updated"
        entry.fields = [(humanise_name(k).replace("Mrn", "MRN"),
                         f"{plain(v.get('before'))} → {plain(v.get('after'))}" if isinstance(v, dict) else plain(v))
                        for k, v in d.items() if k not in ("source", "via")]
    elif action == "care_team_joined":
        role = "lead care manager" if d.get("lead") else humanise_name(str(d.get("role", ""))).lower()
        entry.text, entry.kind = f"{_name(record, d.get('member'))} joined the care team as {role}", "team"
        entry.text += f" ({d['reason']})" if d.get("reason") else ""
    elif action == "care_team_left":
        entry.text, entry.kind = f"{_name(record, d.get('member'))} left the care team", "team"
        entry.text += f" ({d['reason']})" if d.get("reason") else ""
    elif action == "access_granted":
        entry.text, entry.kind = "Opened the record from outside the care team (broke the glass)", "glass"
        entry.fields = [("Reason", str(d.get("reason", ""))), ("Until", day(datetime.fromisoformat(d["until"]))
                                                               if d.get("until") else "—")]
    elif action == "care_plan_changed":
        kind = d.get("kind", "item")
        entry.text = (f"Added a {kind} to the care plan: {d.get('description')}" if d.get("change") == "added"
                      else f"Updated a {kind} of the care plan: {d.get('description')}")
        entry.fields = [(humanise_name(k), f"{plain(v.get('before'))} → {plain(v.get('after'))}")
                        for k, v in (d.get("fields") or {}).items()] + ([("Note", d["note"])] if d.get("note") else [])
    elif action == "discharge_recorded":
        entry.text, entry.kind = f"Recorded a hospital discharge from {d.get('facility')} on {d.get('discharge_date')}", \
            "message"
    elif action == "commented":
        entry.text = "Commented" + (f" on {_title(event, record)}" if d.get("task") else "")
    elif action == "time_logged" and isinstance(d.get("minutes"), int):
        entry.text = f"Logged {d['minutes']} minute{'' if d['minutes'] == 1 else 's'}" + (
            f": {plain(d['activity'])}" if d.get("activity") else "") + (
            f" (on {d['spent_on']})" if d.get("spent_on") else "")
    else:
        return False
    return True


def describe(event, record=None) -> TimelineEntry:
    d = event.details or {}
    entry = TimelineEntry(event.at, _name(record, event.actor), plain(event.action).capitalize())
    if _describe_task(event, record, entry) or _describe_record(event, record, entry):
        return entry
    action = event.action
    if action == "started":
        entry.text, entry.kind = f"Started {d.get('program', 'a program')}", "start"
    elif action == "timer_fired":
        entry.text, entry.kind = f"Time reached: {d.get('name') or humanise_name(event.element_id or '')}", "time"
    elif action == "message_correlated":
        entry.text, entry.kind = f"Received {plain(d.get('message', 'a message')).lower()}", "message"
    elif action == "error":
        entry.text, entry.kind = f"Stopped with an error at {d.get('name') or d.get('element')}: {d.get('message')}", \
            "error"
    elif action == "completed_instance":
        entry.text, entry.kind = "Program finished", "end"
    elif action == "terminated":
        entry.text, entry.kind = "Program ended" + (f": {d['reason']}" if d.get("reason") else ""), "end"
    elif action in ("suspended", "resumed", "retried"):
        entry.text = action.capitalize() + (f": {d['reason']}" if d.get("reason") else "")
    return entry


def timeline(events, instances, record=None) -> list[TimelineEntry]:
    programs = {i.id: i.program for i in instances}
    entries = []
    for event in events:
        if event.action in QUIET:
            continue
        entry = describe(event, record)
        entry.program = programs.get(event.instance_id)
        entries.append(entry)
    return entries
