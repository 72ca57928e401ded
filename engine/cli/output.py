"""What the CLI prints: aligned tables and relative times for people, JSON for scripts."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import click

from engine.service import now as clock_now


# ------------------------------------------------------------------------------------------ printing
def emit_json(value) -> None:
    click.echo(json.dumps(value, indent=2, default=_json_default, ensure_ascii=False))


def _json_default(value):
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def table(headers: list[str], rows: list[list], empty: str = "(none)") -> str:
    """Plain text columns, left aligned, two spaces apart; `empty` when there are no rows."""
    if not rows:
        return empty
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, datetime):
        return short(value)
    text = str(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "..."


def echo_table(headers, rows, empty="(none)") -> None:
    click.echo(table(headers, rows, empty))


# ------------------------------------------------------------------------------------------ time
def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def iso(moment: datetime | None) -> str | None:
    """Full ISO 8601 in UTC, for JSON."""
    return None if moment is None else utc(moment).isoformat().replace("+00:00", "Z")


def short(moment: datetime | None) -> str:
    """UTC ISO short form for tables: 2026-01-05T09:00Z."""
    return "-" if moment is None else utc(moment).strftime("%Y-%m-%dT%H:%MZ")


def _span(seconds: float) -> str:
    """Rounded to the nearest unit: 6 days 23 h 59 min reads as 7 days."""
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours = round(seconds / 3600)
    if hours < 48:
        return f"{hours} h"
    return f"{round(seconds / 86400)} days"


def relative(moment: datetime | None, now: datetime | None = None, past: str = "overdue") -> str:
    """'in 3 days', '2 h overdue' (or '2 h ago' with past='ago'), 'now'."""
    if moment is None:
        return "-"
    seconds = (utc(moment) - (now or clock_now())).total_seconds()
    if abs(seconds) < 60:
        return "now"
    if seconds > 0:
        return f"in {_span(seconds)}"
    return f"{_span(-seconds)} {past}"


def due(moment: datetime | None, now: datetime | None = None) -> str:
    """A due date for a table: '2026-01-12T09:00Z (in 7 days)'."""
    if moment is None:
        return "-"
    return f"{short(moment)} ({relative(moment, now)})"


# ------------------------------------------------------------------------------------------ rows as dicts
def task_dict(t) -> dict:
    return {
        "id": t.id, "instance_id": t.instance_id, "title": t.title, "element_id": t.element_id,
        "role": t.role, "assignee": t.assignee, "status": t.status, "priority": t.priority,
        "priority_name": t.priority_name, "due_at": iso(t.due_at), "follow_up_at": iso(t.follow_up_at),
        "form_schema": t.form_schema, "form_ui_schema": t.form_ui_schema, "patient_id": t.patient_id,
        "program": t.program, "stage": t.stage, "created_at": iso(t.created_at),
        "completed_at": iso(t.completed_at), "completed_by": t.completed_by,
    }


def instance_dict(i) -> dict:
    return {
        "id": i.id, "patient_id": i.patient_id, "program": i.program, "process_id": i.process_id,
        "deployment_id": i.deployment_id, "status": i.status, "error": i.error, "started_by": i.started_by,
        "started_at": iso(i.started_at), "updated_at": iso(i.updated_at), "ended_at": iso(i.ended_at),
    }


def deployment_dict(d) -> dict:
    return {
        "id": d.id, "name": d.name, "version": d.version, "content_hash": d.content_hash,
        "deployed_at": iso(d.deployed_at), "deployed_by": d.deployed_by, "processes": d.processes,
        "total_bytes": d.total_bytes,
    }


def timer_dict(t) -> dict:
    return {"element_id": t.element_id, "name": t.name, "kind": t.kind, "due_at": iso(t.due_at)}


def message_dict(m) -> dict:
    return {"element_id": m.element_id, "message": m.message_name, "patient_id": m.patient_id,
            "correlation": m.correlation}


def event_dict(e) -> dict:
    return {"id": e.id, "at": iso(e.at), "actor": e.actor, "action": e.action, "element_id": e.element_id,
            "task_uuid": e.task_uuid, "details": e.details}


# ------------------------------------------------------------------------------------------ shared views
TASK_HEADERS = ["id", "due", "priority", "task", "role", "assignee", "patient", "program", "status", "inst"]


def task_row(t, now=None) -> list:
    return [t.id, due(t.due_at, now) if t.status in ("open", "claimed") else short(t.completed_at),
            t.priority_name, t.title, t.role, t.assignee, t.patient_id, t.program, t.status, t.instance_id]


def echo_tasks(tasks, empty="no tasks") -> None:
    now = clock_now()
    echo_table(TASK_HEADERS, [task_row(t, now) for t in tasks], empty)


def echo_waits(view, indent: str = "  ") -> None:
    """What an instance waits on besides people: timers and messages."""
    for t in view.timers:
        click.echo(f"{indent}timer {t.name or t.element_id}: due {short(t.due_at)} "
                   f"({relative(t.due_at, past='ago')})")
    for m in view.messages:
        keys = ", ".join(f"{k}={v}" for k, v in sorted((m.correlation or {}).items())) or f"patient_id={m.patient_id}"
        click.echo(f"{indent}message '{m.message_name}' ({keys})")


def error_text(error: dict | None) -> str:
    if not error:
        return ""
    where = error.get("element") or "?"
    if error.get("name"):
        where += f" ({error['name']})"
    if error.get("line"):
        where += f", line {error['line']}"
    text = f"{where}: {str(error.get('message') or '').strip()}"
    if error.get("error_line"):
        text += f"\n    {error['error_line']}"
    return text


def display_url(url: str) -> str:
    """A database URL without its password, for messages."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given; the engine will complain
        return url
