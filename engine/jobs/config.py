"""Settings of the background work, from the environment; the embedded default needs none of them."""
from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

BROKER_ENV = "CELERY_BROKER_URL"


def _number(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, got {value!r}") from None
    if number <= 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return number


def worker_name() -> str:
    """Who holds a claim: host, process and a random part (a restarted process is someone else)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class JobSettings:
    broker_url: str | None = None  # None: everything in-process
    sweep_seconds: float = 5.0  # how often due timers are looked for (beat, or the in-process thread)
    timer_lease_seconds: float = 60.0  # a claimed timer is someone's for this long; then anyone may retry it
    job_lease_seconds: float = 300.0  # the same for a background job or a notification being sent
    claim_batch: int = 25  # timers claimed at once by one worker
    drain_seconds: float = 20.0  # one fire_timers task claims batches for at most this long
    fanout: int = 8  # fire_timers tasks a sweep starts at most (more than there are workers)
    visibility_timeout: float = 3600.0  # Redis: an unacknowledged task goes back to the queue after this
    notify_seconds: float = 60.0  # how often reminders and escalations are planned
    digest_hour: int = 7  # the daily digest, at this hour (UTC)
    max_attempts: int = 5  # a failing job or notification is retried this many times in all
    redispatch_seconds: float = 60.0  # a queued job not started this long after its bell rang is rung again
    queue: str = "carepath"

    @classmethod
    def from_env(cls, **overrides) -> JobSettings:
        values = dict(
            broker_url=os.environ.get(BROKER_ENV) or None,
            sweep_seconds=_number("CAREPATH_SWEEP_SECONDS", cls.sweep_seconds),
            timer_lease_seconds=_number("CAREPATH_TIMER_LEASE_SECONDS", cls.timer_lease_seconds),
            job_lease_seconds=_number("CAREPATH_JOB_LEASE_SECONDS", cls.job_lease_seconds),
            claim_batch=int(_number("CAREPATH_CLAIM_BATCH", cls.claim_batch)),
            drain_seconds=_number("CAREPATH_DRAIN_SECONDS", cls.drain_seconds),
            fanout=int(_number("CAREPATH_SWEEP_FANOUT", cls.fanout)),
            visibility_timeout=_number("CAREPATH_VISIBILITY_TIMEOUT", cls.visibility_timeout),
            notify_seconds=_number("CAREPATH_NOTIFY_SECONDS", cls.notify_seconds),
            digest_hour=int(os.environ.get("CAREPATH_DIGEST_HOUR") or cls.digest_hour) % 24,
            max_attempts=int(_number("CAREPATH_JOB_ATTEMPTS", cls.max_attempts)),
            redispatch_seconds=_number("CAREPATH_REDISPATCH_SECONDS", cls.redispatch_seconds),
            queue=os.environ.get("CAREPATH_QUEUE") or cls.queue,
        )
        values.update(overrides)
        return cls(**values)

    @property
    def in_process(self) -> bool:
        return not self.broker_url
