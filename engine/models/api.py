"""The tables of the JSON API and FHIR: API clients and their tokens, idempotency records, webhook subscriptions
and the webhook outbox (one row per delivery of one event to one subscriber)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JsonDoc
from engine.models.jobs import Leased


class ApiClient(Base):
    """Another system (a service account), or a tool acting for one person (`username`): it calls the API with
    bearer tokens, within its `scopes`, at most `rate_limit` requests a minute. Revoked clients stay, for the
    audit trail; their tokens open nothing."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(String(300))
    scopes: Mapped[list] = mapped_column(JsonDoc)
    username: Mapped[str | None] = mapped_column(String(100))  # acts for this person (their roles and rules)
    rate_limit: Mapped[int] = mapped_column(Integer)  # requests per minute
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(200))


class ApiToken(Base):
    """A bearer token of a client: only its SHA-256 is kept (the token itself is shown once, when it is made),
    with its first characters to tell tokens apart in lists."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class IdempotencyRecord(Base):
    """The first answer to a request made under an idempotency key (a start's Idempotency-Key, a message's id,
    a FHIR resource's identifier), with the fingerprint of what was asked: the same key asks again and gets that
    answer; the same key with another request is refused. `lease_until` holds the key while its first request
    is being answered (a message's deliveries take several transactions)."""

    __tablename__ = "idempotency_records"

    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    operation: Mapped[str] = mapped_column(String(50))
    fingerprint: Mapped[str] = mapped_column(String(64))
    answer: Mapped[dict | None] = mapped_column(JsonDoc)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]


class WebhookSubscription(Base):
    """A client's subscription to events (task.created, task.completed, instance.error), delivered to `url`
    signed with `secret` (HMAC-SHA256). Ended subscriptions stay (their deliveries name them)."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[str] = mapped_column(String(200))  # ",task.created,task.completed," (matched with LIKE)
    secret: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    ended_at: Mapped[datetime | None]


class WebhookStatus:
    PENDING = "pending"  # waiting for a worker (or for `not_before`, after a failed attempt)
    SENDING = "sending"  # claimed by `claimed_by` until `lease_until`
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last attempt; see `error`
    CANCELLED = "cancelled"  # its subscription ended before it went out

    OPEN = (PENDING, SENDING)


class WebhookDelivery(Leased, Base):
    """One event for one subscription, written in the transaction that made the event (the outbox), then sent
    by whoever claims it, with retries and back-off."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "event_id"), Index(None, "status", "not_before"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(36))
    event: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict] = mapped_column(JsonDoc)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    response_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
