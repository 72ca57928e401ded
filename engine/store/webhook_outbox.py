"""The webhook outbox: the events a step makes (task.created, task.completed, instance.error) written as delivery
rows in the step's own transaction, one per subscription that asked for the event; workers send them later
(engine.jobs.webhooks), so a slow or failing receiver never slows a step, and no event is lost or made up: the
rows commit with the step or not at all.

`queue_events` sits on every step's path (engine.runtime.runner.write_changes). It costs a dictionary look-up
while nobody subscribes: which events have subscribers is read from the database at most every
`REFRESH_SECONDS` per process and database (at once after a subscription changes in this process), so a
subscription made in another process hears of events from a few seconds after it was made.
"""
from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from engine.models import InboxTask, Instance, WebhookDelivery, WebhookSubscription
from engine.models.api import WebhookStatus
from engine.models.inbox import PRIORITY_NAMES
from engine.store import audit
from engine.store.step_writes import WriteBatch
from engine.time import clock

TASK_CREATED, TASK_COMPLETED, INSTANCE_ERROR = "task.created", "task.completed", "instance.error"
EVENTS = (TASK_CREATED, TASK_COMPLETED, INSTANCE_ERROR)
REFRESH_SECONDS = 5.0
_INSERT = insert(WebhookDelivery.__table__).inline()
_INBOX = InboxTask.__table__

_lock = threading.Lock()
_subscribed: dict[str, tuple[float, frozenset[str]]] = {}  # database url -> (read at, events with subscribers)


def events_field(events) -> str:
    """How a subscription's events are stored: ",task.created,task.completed," (matched with LIKE)."""
    return "," + ",".join(sorted(set(events))) + ","


def forget_subscriptions(url: str | None = None) -> None:
    """Read the subscriptions afresh at the next step (this process changed them)."""
    with _lock:
        if url is None:
            _subscribed.clear()
        else:
            _subscribed.pop(url, None)


def _wanted(session: Session) -> frozenset[str]:
    url = str(session.get_bind().url)
    found = _subscribed.get(url)
    now = time.monotonic()
    if found is not None and now - found[0] < REFRESH_SECONDS:
        return found[1]
    rows = session.connection().execute(select(WebhookSubscription.events).where(
        WebhookSubscription.active.is_(True))).scalars().all()
    wanted = frozenset(e for row in rows for e in row.split(",") if e)
    with _lock:
        _subscribed[url] = (now, wanted)
    return wanted


def queue_events(session: Session, writes: WriteBatch) -> None:
    """Add a delivery row to `writes` for each event of this step and each active subscription to it: new
    inbox rows in `writes` (task.created), and the step's audit events not yet written (task.completed,
    instance.error)."""
    wanted = _wanted(session)
    if not wanted:
        return
    events = []  # in the order they happened: what the step did, then the tasks it opened
    for row in audit.pending(session):
        if row["action"] == "completed" and TASK_COMPLETED in wanted and row.get("task_uuid"):
            events.append((TASK_COMPLETED, _completed(session, row)))
        elif row["action"] == "error" and INSTANCE_ERROR in wanted and row.get("instance_id"):
            events.append((INSTANCE_ERROR, _error(row)))
    if TASK_CREATED in wanted:
        events += [(TASK_CREATED, _created(params)) for statement, params, _e, _w in writes.writes
                   if getattr(statement, "table", None) is _INBOX and statement.is_insert]
    if not events:
        return
    subscriptions = session.connection().execute(select(WebhookSubscription.id, WebhookSubscription.events).where(
        WebhookSubscription.active.is_(True))).all()
    now = clock.now()
    for event, payload in events:
        event_id = str(uuid.uuid4())
        for subscription_id, subscribed in subscriptions:
            if f",{event}," in subscribed:
                writes.add(_INSERT, _row(subscription_id, event_id, event, payload, now))


def _row(subscription_id: int, event_id: str, event: str, payload: dict, now: datetime) -> dict:
    body = {"id": event_id, "type": event, "occurred_at": _iso(now), "data": payload}
    return dict(subscription_id=subscription_id, event_id=event_id, event=event, payload=body,
                status=WebhookStatus.PENDING, attempts=0, not_before=now, claimed_by=None, lease_until=None,
                created_at=now, delivered_at=None, response_status=None, error=None)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def _created(params: dict) -> dict:
    """A new task: what identifies it and where it waits (its id is filled in when it is sent)."""
    return {"task": {"id": None, "uuid": params["task_uuid"], "title": params["title"], "role": params["role"],
                     "status": params["status"], "priority": PRIORITY_NAMES.get(params["priority"], params["priority"]), "due_at": _iso(params["due_at"]),
                     "element_id": params["element_id"], "stage": params["stage"], "program": params["program"]},
            "instance_id": params["instance_id"], "patient_id": params["patient_id"]}


def _completed(session: Session, row: dict) -> dict:
    instance = session.identity_map.get(identity_key(Instance, row["instance_id"])) if row.get("instance_id") else None
    return {"task": {"id": None, "uuid": row["task_uuid"], "title": (row.get("details") or {}).get("title"),
                     "element_id": row.get("element_id"), "completed_by": row["actor"],
                     "completed_at": _iso(row["at"]), "program": getattr(instance, "program", None)},
            "instance_id": row["instance_id"], "patient_id": row.get("patient_id")}


def _error(row: dict) -> dict:
    """An instance in error: where (the element), and the kind of failure; not the message, which can quote the
    pathway's data (patient data): the receiver reads it through the API, with its scopes."""
    details = row.get("details") or {}
    return {"instance_id": row["instance_id"], "patient_id": row.get("patient_id"),
            "error": {"element": details.get("element"), "name": details.get("name"), "type": details.get("type"),
                      "line": details.get("line")}}
