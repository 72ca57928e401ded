"""A patient's care plan as a record: goals (target, target date, progress), interventions (owner, due date) and
barriers, per program and across programs.

Pathway forms keep writing the plan (`care_plan` in a program's data: planning drafts it, evaluation adds
progress): each save of an instance whose plan changed brings the record in step (`PlanKeeper`, run by the
runtime). A care manager also updates it between stages (`add_item`, `update_item`): the change is made to the
record and, while the program runs, to the plan in its data too, so the next stage reads it. Every change is
audited."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.care.characters import refused_character
from engine.errors import InvalidInput, NotFound
from engine.models import CarePlanItem, Instance, InstanceStatus
from engine.runtime.pending import WAITING, WaitingTasks, data_marker, waiting_tasks
from engine.store import audit
from engine.time import clock

KINDS = ("goal", "intervention", "barrier")
PLAN_LISTS = {"goal": "goals", "intervention": "interventions", "barrier": "barriers"}
STATUSES = {"goal": ("active", "on_track", "at_risk", "met", "not_met", "stopped"),
            "intervention": ("active", "done", "stopped"), "barrier": ("active", "resolved")}
PATHWAY, CARE_TEAM = "pathway", "care team"
_KEY = data_marker("care_plan")  # how the plan appears in a stored state (JSON) that holds one
TEXT_LIMITS = {"description": 500, "target": 300, "owner": 200, "note": 1000}


@dataclass
class ItemInput:
    """A care plan item as typed on the patient's page (all text)."""

    kind: str = "goal"
    description: str = ""
    target: str = ""
    target_date: str = ""
    owner: str = ""
    due_date: str = ""
    status: str = ""
    note: str = ""


# ------------------------------------------------------------------------------------------------ from pathways
def plan_in(workflow, state: str | None = None, waiting: WaitingTasks | None = None) -> dict | None:
    """The care plan the workflow holds where it waits now (or at its end), else None. `state`, its stored form
    when known, spares the walk when it holds no plan; `waiting`, the tasks it waits at when the caller has
    found them already (the runtime's, shared by what reads a step's facts: `loaded.waiting`)."""
    if state is not None and _KEY not in state:
        return None
    plan = None
    for task in waiting_tasks(workflow, waiting):
        value = task.data.get("care_plan")
        if isinstance(value, dict):
            plan = value
    if plan is None and workflow.completed and workflow.last_task is not None:
        value = workflow.last_task.data.get("care_plan")
        plan = value if isinstance(value, dict) else None
    return plan


def _digest(plan: dict | None) -> str | None:
    if plan is None:
        return None
    return hashlib.sha1(json.dumps(plan, sort_keys=True, default=str).encode()).hexdigest()


class PlanKeeper:
    """Keeps the record in step with the plan a pathway writes: a save whose plan differs from the one its
    instance was loaded with updates the record (no query at all for a step that leaves the plan alone)."""

    def on_load(self, loaded) -> None:
        loaded.notes["care_plan"] = _digest(plan_in(loaded.workflow, loaded.instance.state, loaded.waiting))

    def __call__(self, session: Session, loaded, actor: str) -> None:
        plan = plan_in(loaded.workflow, loaded.instance.state, loaded.waiting)
        if plan is None or _digest(plan) == loaded.notes.get("care_plan", "unknown"):
            return
        sync(session, loaded.instance, plan, actor)
        loaded.notes["care_plan"] = _digest(plan)


def sync(session: Session, instance: Instance, plan: dict, actor: str) -> int:
    """Bring the record's items of this program in step with its plan; returns how many changed."""
    rows = {(r.kind, r.item_key): r for r in session.scalars(
        select(CarePlanItem).where(CarePlanItem.instance_id == instance.id))}
    now, changed = clock.now(), 0
    closed = plan.get("status") == "closed"
    for kind, name in PLAN_LISTS.items():
        for entry in plan.get(name) or ():
            if not isinstance(entry, dict) or not entry.get("id") or not entry.get("description"):
                continue
            values = _values(kind, entry, closed)
            row = rows.get((kind, str(entry["id"])))
            if row is None:
                session.add(CarePlanItem(patient_id=instance.patient_id, instance_id=instance.id,
                                         program=instance.program, kind=kind, item_key=str(entry["id"])[:100],
                                         source=PATHWAY, created_at=now, created_by=actor, updated_at=now,
                                         updated_by=actor, **values))
                changed += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.updated_at, row.updated_by = now, actor
                changed += 1
    return changed


def _values(kind: str, entry: dict, closed: bool) -> dict:
    target = entry.get("target")
    if kind == "goal" and entry.get("measure") and target:
        target = f"{entry['measure']}: {target}"
    status = str(entry.get("status") or "active")
    if closed and status == "active":
        status = "stopped"
    return {"description": str(entry["description"])[:2000], "target": str(target)[:300] if target else None,
            "target_date": _day(entry.get("target_date")), "status": status[:40],
            "progress": list(entry.get("progress") or []) or None,
            "owner": str(entry.get("owner") or entry.get("role") or "")[:200] or None,
            "due_date": _day(entry.get("due_date"))}


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


# ------------------------------------------------------------------------------------------------ by the team
def items(session: Session, patient_id: str) -> list[CarePlanItem]:
    """The patient's plan items, program by program (newest program first), goals, then interventions, then
    barriers."""
    order = {k: n for n, k in enumerate(KINDS)}
    found = list(session.scalars(select(CarePlanItem).where(CarePlanItem.patient_id == patient_id)))
    return sorted(found, key=lambda r: (-(r.instance_id or 0), order.get(r.kind, 9), r.id))


def checked(fields: ItemInput, *, new: bool) -> dict:
    """The item's values, cleaned; InvalidInput naming the field that is wrong."""
    if fields.kind not in KINDS:
        raise InvalidInput(f"a care plan item is one of: {', '.join(KINDS)}")
    values: dict = {}
    for name in ("description", "target", "owner", "note"):
        text = " ".join((getattr(fields, name) or "").split())
        if problem := refused_character(text):
            raise InvalidInput(f"the {name} {problem}")
        if len(text) > TEXT_LIMITS[name]:
            raise InvalidInput(f"the {name} has at most {TEXT_LIMITS[name]} characters")
        values[name] = text or None
    if new and not values["description"]:
        raise InvalidInput(f"describe the {fields.kind}")
    for name in ("target_date", "due_date"):
        text = (getattr(fields, name) or "").strip()
        try:
            values[name] = date.fromisoformat(text) if text else None
        except ValueError:
            raise InvalidInput(f"the {name.replace('_', ' ')} '{text}' is not a date (YYYY-MM-DD)") from None
    status = (fields.status or "").strip() or ("active" if new else "")
    if status and status not in STATUSES[fields.kind]:
        raise InvalidInput(f"a {fields.kind}'s status is one of: {', '.join(STATUSES[fields.kind])}")
    values["status"] = status or None
    if new and fields.kind == "goal" and not (values["target"] and values["target_date"]):
        raise InvalidInput("a goal needs a target and a target date, so that progress can be measured")
    return values


def add_item(session: Session, patient_id: str, instance: Instance | None, fields: ItemInput,
             by: str) -> CarePlanItem:
    values = checked(fields, new=True)
    now = clock.now()
    row = CarePlanItem(patient_id=patient_id, instance_id=instance.id if instance else None,
                       program=instance.program if instance else None, kind=fields.kind,
                       description=values["description"], target=values["target"],
                       target_date=values["target_date"], status=values["status"], owner=values["owner"],
                       due_date=values["due_date"], source=CARE_TEAM, created_at=now, created_by=by,
                       updated_at=now, updated_by=by, progress=None)
    session.add(row)
    session.flush()
    row.item_key = f"CT{row.id}"
    audit.record(session, "care_plan_changed", by, instance=instance, patient_id=patient_id, details={
        "change": "added", "kind": row.kind, "item": row.item_key, "description": row.description})
    return row


def update_item(session: Session, patient_id: str, item_id: int, fields: ItemInput, by: str) -> CarePlanItem:
    """Record progress on an item (status and note) and change its target, owner or dates."""
    row = get_item(session, patient_id, item_id)
    fields.kind = row.kind
    values = checked(fields, new=False)
    before = {k: _shown(getattr(row, k)) for k in ("status", "target", "target_date", "owner", "due_date")}
    for name in ("target", "target_date", "owner", "due_date"):
        if values[name] is not None:
            setattr(row, name, values[name])
    if values["status"] or values["note"]:
        row.status = values["status"] or row.status
        row.progress = list(row.progress or []) + [{"date": clock.now().date().isoformat(), "status": row.status,
                                                    "note": values["note"] or "", "by": by}]
    after = {k: _shown(getattr(row, k)) for k in before}
    changes = {k: {"before": before[k], "after": after[k]} for k in before if before[k] != after[k]}
    if not changes and not values["note"]:
        raise InvalidInput("nothing to change: give a status, a note, a target, an owner or a date")
    row.updated_at, row.updated_by = clock.now(), by
    audit.record(session, "care_plan_changed", by, patient_id=patient_id, details={
        "change": "updated", "kind": row.kind, "item": row.item_key, "description": row.description,
        "fields": changes, **({"note": values["note"]} if values["note"] else {})})
    return row


def _shown(value):
    return value.isoformat() if isinstance(value, date) else value


def get_item(session: Session, patient_id: str, item_id: int) -> CarePlanItem:
    row = session.get(CarePlanItem, item_id) if 1 <= item_id < 2**31 else None
    if row is None or row.patient_id != patient_id:
        raise NotFound(f"no care plan item {item_id} for patient {patient_id}")
    return row


# ------------------------------------------------------------------------------------------------ into the pathway
def editable_instance(instance: Instance | None) -> bool:
    """A program whose data the plan change also goes to: one that is running or suspended."""
    return instance is not None and instance.status in (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED)


def as_plan_entry(row: CarePlanItem) -> dict:
    """The item as the pathway's plan holds it (goals as the evaluation stage reads them)."""
    entry = {"id": row.item_key, "description": row.description, "status": row.status,
             "progress": list(row.progress or [])}
    if row.kind == "goal":
        measure, _, target = (row.target or "").partition(": ")
        entry |= {"measure": measure if target else "as agreed", "target": target or row.target or "",
                  "target_date": row.target_date.isoformat() if row.target_date else None}
    elif row.kind == "intervention":
        entry |= {"role": row.owner, "owner": row.owner,
                  "due_date": row.due_date.isoformat() if row.due_date else None}
    return entry


def put_into(workflow, row: CarePlanItem) -> bool:
    """Write the item into the plan held by every task the workflow waits at; whether any held a plan."""
    name = PLAN_LISTS[row.kind]
    found = False
    for task in workflow.get_tasks(state=WAITING):
        plan = task.data.get("care_plan")
        if not isinstance(plan, dict):
            continue
        found = True
        entries = list(plan.get(name) or [])
        at = next((n for n, e in enumerate(entries) if isinstance(e, dict) and e.get("id") == row.item_key), None)
        if at is None:
            entries.append(as_plan_entry(row))
        else:
            entries[at] = {**entries[at], **as_plan_entry(row)}
        task.data["care_plan"] = {**plan, name: entries}
    return found
