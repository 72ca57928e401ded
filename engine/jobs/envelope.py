"""The job envelope: what a broker message (or the in-process queue) carries, frozen and typed.

Only JSON goes in (`args` is a JSON object), so a message means the same on any worker of any version that knows
the task. The moment it was made comes from an injectable clock (the engine's by default), so expiry can be
tested without waiting.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from engine.time import clock as engine_clock

Clock = Callable[[], datetime]
VERSION = 1


class BadEnvelope(ValueError):
    """A message that is not a carepath job envelope (or of a newer version)."""


@dataclass(frozen=True)
class Envelope:
    task: str  # the task's name, e.g. carepath.fire_timers
    key: str  # idempotency key: a redelivered message carries the same key
    enqueued_at: datetime
    args: Mapping[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None  # after this, a worker drops the message unrun (a later sweep redoes it)
    attempt: int = 1

    def __post_init__(self):
        if not self.task or not isinstance(self.task, str):
            raise BadEnvelope("a job needs a task name")
        if not self.key or not isinstance(self.key, str) or len(self.key) > 200:
            raise BadEnvelope("a job needs a key of at most 200 characters")
        if self.enqueued_at.tzinfo is None:
            raise BadEnvelope("enqueued_at must be timezone-aware")
        object.__setattr__(self, "args", MappingProxyType(dict(self.args or {})))

    @classmethod
    def new(cls, task: str, args: Mapping[str, Any] | None = None, *, key: str | None = None,
            ttl: timedelta | float | None = None, now: Clock | None = None) -> Envelope:
        moment = (now or engine_clock.now)()
        if isinstance(ttl, (int, float)):
            ttl = timedelta(seconds=ttl)
        return cls(task=task, key=key or f"{task}:{uuid.uuid4().hex}", enqueued_at=moment, args=args or {},
                   expires_at=moment + ttl if ttl is not None else None)

    def expired(self, now: Clock | None = None) -> bool:
        return self.expires_at is not None and (now or engine_clock.now)() >= self.expires_at

    def retried(self) -> Envelope:
        return Envelope(self.task, self.key, self.enqueued_at, dict(self.args), self.expires_at, self.attempt + 1)

    def to_message(self) -> dict:
        return {"v": VERSION, "task": self.task, "key": self.key, "enqueued_at": self.enqueued_at.isoformat(),
                "args": dict(self.args),
                "expires_at": self.expires_at.isoformat() if self.expires_at else None, "attempt": self.attempt}

    @classmethod
    def from_message(cls, message: Mapping[str, Any]) -> Envelope:
        if not isinstance(message, Mapping) or message.get("v") != VERSION:
            raise BadEnvelope(f"not a version {VERSION} carepath job envelope: {message!r:.200}")
        try:
            expires = message.get("expires_at")
            return cls(task=message["task"], key=message["key"],
                       enqueued_at=datetime.fromisoformat(message["enqueued_at"]),
                       args=message.get("args") or {},
                       expires_at=datetime.fromisoformat(expires) if expires else None,
                       attempt=int(message.get("attempt") or 1))
        except (KeyError, TypeError, ValueError) as exc:
            raise BadEnvelope(f"malformed job envelope: {exc}") from None
