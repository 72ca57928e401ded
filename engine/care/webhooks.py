"""Webhooks: an API client subscribes a receiver (an https URL) to events; each event is a delivery row of the
outbox (engine.store.webhook_outbox), written with the step that made it and sent by a worker, signed with the
subscription's secret (HMAC-SHA256), retried with back-off, and visible with its status.

Signature: the header `Carepath-Signature: t=<unix seconds>,v1=<hex>` where hex is HMAC-SHA256(secret,
"<t>.<body>"); a receiver recomputes it over the raw body and refuses a `t` far from its clock (replays).
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.care.characters import refused_character
from engine.errors import InvalidInput, NotFound
from engine.models import InboxTask, WebhookDelivery, WebhookSubscription
from engine.models.api import WebhookStatus
from engine.store import audit, leases
from engine.store.webhook_outbox import EVENTS, events_field
from engine.time import clock

MAX_BACKOFF = 3600.0
FIRST_BACKOFF = 10.0
MAX_SUBSCRIPTIONS = 20  # per client


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    client_id: int
    url: str
    events: tuple[str, ...]
    description: str | None
    active: bool
    created_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class NewSubscription:
    subscription: SubscriptionView
    secret: str  # shown once


@dataclass(frozen=True)
class DeliveryView:
    id: int
    subscription_id: int
    event_id: str
    event: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    response_status: int | None
    error: str | None


@dataclass(frozen=True)
class Outgoing:
    """A delivery claimed to be sent now: where, what (the exact bytes signed), with which secret."""

    id: int
    url: str
    secret: str
    event: str
    event_id: str
    body: bytes
    attempt: int

    def headers(self, timestamp: int) -> dict[str, str]:
        """The request's headers, signed at `timestamp` (unix seconds)."""
        return {"Content-Type": "application/json", "Carepath-Event": self.event, "Carepath-Event-Id": self.event_id,
                "Carepath-Delivery": str(self.id),
                "Carepath-Signature": f"t={timestamp},v1={sign(self.secret, timestamp, self.body)}"}

    def refused(self, allow_private: bool) -> str | None:
        return refused_destination(self.url, allow_private)


def _subscription_view(s: WebhookSubscription) -> SubscriptionView:
    return SubscriptionView(s.id, s.client_id, s.url, tuple(e for e in s.events.split(",") if e), s.description,
                            s.active, s.created_at, s.ended_at)


def _delivery_view(d: WebhookDelivery) -> DeliveryView:
    waiting = d.status == WebhookStatus.PENDING
    return DeliveryView(d.id, d.subscription_id, d.event_id, d.event, d.status, d.attempts, d.created_at,
                        d.not_before if waiting else None, d.delivered_at, d.response_status, d.error)


# ------------------------------------------------------------------------------------------------ addresses
def check_url(url: str, allow_private: bool) -> str:
    """A receiver's URL: https (or http, where private receivers are allowed), a host, no user or password in
    it; an address of this machine or a private network only where allowed."""
    url = (url or "").strip()
    if problem := refused_character(url):
        raise InvalidInput(f"the URL {problem}")
    if not url or len(url) > 2000:
        raise InvalidInput("give the receiver's URL (at most 2000 characters)")
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise InvalidInput(f"a webhook URL must start with {' or '.join(s + '://' for s in schemes)}")
    if not parts.hostname:
        raise InvalidInput("the webhook URL has no host")
    if parts.username or parts.password:
        raise InvalidInput("put no user name or password in a webhook URL: receivers check the signature instead")
    if not allow_private and _private_name(parts.hostname):
        raise InvalidInput(f"{parts.hostname} is an address of this machine or a private network; webhooks go "
                           "to public receivers (CAREPATH_WEBHOOK_PRIVATE_HOSTS=on allows private ones)")
    return url


def _private_name(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return _private_address(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return False


def _private_address(address) -> bool:
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
            or address.is_reserved or address.is_unspecified)


def refused_destination(url: str, allow_private: bool) -> str | None:
    """Why a delivery must not go to `url` now (its host resolves to a private address), or None. Checked as it
    is sent, not only when it was subscribed: a name can be pointed elsewhere later."""
    if allow_private:
        return None
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return f"the host {host} could not be resolved"
    for info in infos:
        if _private_address(ipaddress.ip_address(info[4][0])):
            return f"the host {host} resolves to a private address"
    return None


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


# ------------------------------------------------------------------------------------------------ subscriptions
def check_events(events) -> list[str]:
    wanted = sorted({str(e).strip() for e in events or () if str(e).strip()})
    unknown = [e for e in wanted if e not in EVENTS]
    if unknown or not wanted:
        raise InvalidInput(f"subscribe to one or more of: {', '.join(EVENTS)}"
                           + (f" ({', '.join(u[:50] for u in unknown)} is none of them)" if unknown else ""))
    return wanted


def subscribe(session: Session, client_id: int, url: str, events, description: str | None, *, by: str,
              allow_private: bool) -> NewSubscription:
    url = check_url(url, allow_private)
    wanted = check_events(events)
    description = " ".join((description or "").split()) or None
    if description and (len(description) > 300 or refused_character(description)):
        raise InvalidInput("the description has at most 300 characters, and no control characters")
    count = len(session.scalars(select(WebhookSubscription.id).where(
        WebhookSubscription.client_id == client_id, WebhookSubscription.active.is_(True))).all())
    if count >= MAX_SUBSCRIPTIONS:
        raise InvalidInput(f"a client has at most {MAX_SUBSCRIPTIONS} subscriptions; end one first")
    secret = "whsec_" + secrets.token_urlsafe(24)
    now = clock.now()
    row = WebhookSubscription(client_id=client_id, url=url, events=events_field(wanted), secret=secret,
                              description=description, active=True, created_at=now, created_by=by, ended_at=None)
    session.add(row)
    session.flush()
    audit.record(session, "webhook_subscribed", by, details={"subscription": row.id, "client": client_id,
                                                             "events": wanted, "host": urlsplit(url).hostname})
    return NewSubscription(_subscription_view(row), secret)


def subscription(session: Session, client_id: int | None, subscription_id: int) -> WebhookSubscription:
    """A subscription of the client (any client's, with `client_id` None: an administrator)."""
    row = session.get(WebhookSubscription, subscription_id) if 1 <= subscription_id < 2**31 else None
    if row is None or (client_id is not None and row.client_id != client_id):
        raise NotFound(f"no webhook subscription {subscription_id}")
    return row


def subscriptions(session: Session, client_id: int | None) -> list[SubscriptionView]:
    query = select(WebhookSubscription).order_by(WebhookSubscription.id)
    if client_id is not None:
        query = query.where(WebhookSubscription.client_id == client_id)
    return [_subscription_view(s) for s in session.scalars(query)]


def subscription_view(session: Session, client_id: int | None, subscription_id: int) -> SubscriptionView:
    return _subscription_view(subscription(session, client_id, subscription_id))


def end(session: Session, client_id: int | None, subscription_id: int, *, by: str) -> SubscriptionView:
    """Stop a subscription: no new deliveries, and those not yet sent are cancelled (the sent ones stay)."""
    row = subscription(session, client_id, subscription_id)
    if row.active:
        row.active, row.ended_at = False, clock.now()
        session.execute(update(WebhookDelivery).where(
            WebhookDelivery.subscription_id == row.id, WebhookDelivery.status == WebhookStatus.PENDING)
            .values(status=WebhookStatus.CANCELLED).execution_options(synchronize_session=False))
        audit.record(session, "webhook_ended", by, details={"subscription": row.id, "client": row.client_id})
    session.flush()
    return _subscription_view(row)


def deliveries(session: Session, client_id: int | None, subscription_id: int, *, status: str | None = None,
               before_id: int | None = None, limit: int = 50) -> list[DeliveryView]:
    """A subscription's deliveries, newest first (before `before_id`, for the next page)."""
    subscription(session, client_id, subscription_id)
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if status:
        query = query.where(WebhookDelivery.status == status)
    if before_id is not None:
        query = query.where(WebhookDelivery.id < before_id)
    return [_delivery_view(d) for d in session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit))]


def retry(session: Session, client_id: int | None, subscription_id: int, delivery_id: int, *,
          by: str) -> DeliveryView:
    """Send a failed (or cancelled) delivery again, now, with its attempts counted afresh."""
    subscription(session, client_id, subscription_id)
    row = session.get(WebhookDelivery, delivery_id) if 1 <= delivery_id < 2**31 else None
    if row is None or row.subscription_id != subscription_id:
        raise NotFound(f"no delivery {delivery_id} of webhook subscription {subscription_id}")
    if row.status in WebhookStatus.OPEN or row.status == WebhookStatus.DELIVERED:
        raise InvalidInput(f"delivery {delivery_id} is {row.status}: only a failed or cancelled one is sent again")
    row.status, row.attempts, row.not_before = WebhookStatus.PENDING, 0, clock.now()
    row.claimed_by = row.lease_until = None
    audit.record(session, "webhook_retried", by, details={"subscription": subscription_id, "delivery": row.id})
    session.flush()
    return _delivery_view(row)


# ------------------------------------------------------------------------------------------------ sending
def due(session: Session, now: datetime, mark: timedelta, limit: int = 200) -> list[int]:
    """Pending deliveries nobody is sending and whose bell is not ringing: marked as rung now."""
    m = WebhookDelivery
    return leases.take(session, m, (m.status.in_(WebhookStatus.OPEN), m.not_before <= now, leases.expired(m, now)),
                       {"claimed_by": None, "lease_until": now + mark, "status": WebhookStatus.PENDING},
                       limit=limit, order_by=(m.id,))


def claim(session: Session, delivery_id: int, owner: str, now: datetime, lease: timedelta) -> Outgoing | None:
    """Take a delivery to send it now; None when it is sent, held by another worker, waiting for its back-off,
    or its subscription ended (then it is cancelled)."""
    m = WebhookDelivery
    taken = leases.take(session, m, (m.id == delivery_id, m.status.in_(WebhookStatus.OPEN), m.not_before <= now,
                                     leases.unheld(m, now)),
                        {"status": WebhookStatus.SENDING, "claimed_by": owner, "lease_until": now + lease,
                         "attempts": m.__table__.c.attempts + 1})
    if not taken:
        return None
    row = session.get(WebhookDelivery, delivery_id, populate_existing=True)
    hook = session.get(WebhookSubscription, row.subscription_id)
    if not hook.active:
        row.status, row.claimed_by, row.lease_until = WebhookStatus.CANCELLED, None, None
        return None
    payload = _with_task_id(session, dict(row.payload))
    if payload != row.payload:
        row.payload = payload  # the same bytes on every attempt
    return Outgoing(row.id, hook.url, hook.secret, row.event, row.event_id, body_of(payload), row.attempts)


def _with_task_id(session: Session, payload: dict) -> dict:
    """The task's id, which its row got when the step's writes went in (after the event was made)."""
    data = dict(payload.get("data") or {})
    task = dict(data.get("task") or {})
    if task.get("uuid") and task.get("id") is None:
        task["id"] = session.scalar(select(InboxTask.id).where(InboxTask.task_uuid == task["uuid"]))
        data["task"] = task
        return {**payload, "data": data}
    return payload


def record_attempt(session: Session, delivery_id: int, owner: str, now: datetime, status_code: int | None,
                   error: str | None, max_attempts: int) -> str:
    """What one attempt gave: 'delivered' (a 2xx answer), 'retry' (after a back-off), 'failed' (the last
    attempt), or 'lost' (the lease ran out meanwhile and another worker took it: not recorded)."""
    row = session.get(WebhookDelivery, delivery_id)
    if row is None or row.claimed_by != owner:
        return "lost"
    row.response_status = status_code
    row.claimed_by = row.lease_until = None
    if status_code is not None and 200 <= status_code < 300:
        row.status, row.delivered_at, row.error = WebhookStatus.DELIVERED, now, None
        return "delivered"
    row.error = (error or f"the receiver answered {status_code}")[:500]
    if row.attempts >= max_attempts:
        row.status = WebhookStatus.FAILED
        return "failed"
    row.status = WebhookStatus.PENDING
    row.not_before = now + timedelta(seconds=min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** (row.attempts - 1)))
    return "retry"
