"""The background tasks, as plain functions of a job context and an envelope: Celery workers and the in-process
executor run the same code.

    carepath.sweep               find due work and ring its bells (every few seconds, from beat or a thread)
    carepath.fire_timers         claim due timers in batches and fire them, until none is left
    carepath.run_job             run one stored background job (a message to correlate, an import)
    carepath.send_notification   send one planned e-mail
    carepath.plan_notifications  plan reminders and escalations, then ring their bells
    carepath.daily_digest        plan each care manager's digest, then ring their bells
    carepath.refresh_reports     bring the summaries reports read ahead up to date (every 30 seconds)
    carepath.deliver_webhook     send one delivery of the webhook outbox (engine.jobs.webhooks)
"""
from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from engine.jobs import queue, webhooks
from engine.jobs.context import JobContext
from engine.jobs.envelope import Envelope
from engine.service import Actor

log = logging.getLogger(__name__)

TASKS: dict[str, Callable[[JobContext, Envelope], Any]] = {}
HANDLERS: dict[str, Callable[[JobContext, dict, str], dict | None]] = {}


def task(name: str):
    def register(fn):
        TASKS[name] = fn
        return fn
    return register


def handler(kind: str):
    """Register the function that runs background jobs of `kind`: fn(ctx, payload, key) -> result (JSON)."""
    def register(fn):
        HANDLERS[kind] = fn
        return fn
    return register


def execute(ctx: JobContext, envelope: Envelope):
    if envelope.expired():
        log.info("%s %s expired unrun (a later sweep redoes its work)", envelope.task, envelope.key)
        return None
    fn = TASKS.get(envelope.task)
    if fn is None:
        raise LookupError(f"no carepath task named {envelope.task!r}")
    return fn(ctx, envelope)


def ring(ctx: JobContext, task_name: str, args: dict | None = None, ttl: float | None = None) -> None:
    ctx.executor.dispatch(Envelope.new(task_name, args, ttl=ttl))


# ------------------------------------------------------------------------------------------------ timers

def due_timers(ctx: JobContext, cap: int) -> int:
    """How many due timer rows nobody has claimed (at most `cap`): a cheap look before ringing."""
    return ctx.service.unclaimed_due_timers(ctx.now(), cap)


def drain_timers(ctx: JobContext, budget: float | None = None) -> int:
    """Claim and fire due timers batch after batch until none is left (or the time budget is spent)."""
    s = ctx.settings
    deadline = time.monotonic() + (s.drain_seconds if budget is None else budget)
    fired = 0
    while True:
        claimed, n = ctx.service.fire_due_timers(limit=s.claim_batch, owner=ctx.owner,
                                                  lease_seconds=s.timer_lease_seconds)
        fired += n
        if not claimed or time.monotonic() >= deadline:
            return fired


@task("carepath.fire_timers")
def fire_timers(ctx: JobContext, envelope: Envelope) -> int:
    return drain_timers(ctx)


def coming_due(ctx: JobContext, now: datetime, slots: int = 10) -> list[datetime]:
    """When timers come due before the next sweep: one moment per tenth of the sweep interval that has any
    (a timer is fired once its moment has passed, so each moment is the end of its slot)."""
    moments = ctx.service.timers_coming_due(now, now + ctx.seconds("sweep_seconds"))
    width = ctx.settings.sweep_seconds / slots
    ends = sorted({now + timedelta(seconds=width * (math.floor((m - now).total_seconds() / width) + 1))
                   for m in moments})
    return ends[:slots]


@task("carepath.sweep")
def sweep(ctx: JobContext, envelope: Envelope) -> dict:
    """Ring the bells of due work, and schedule rings for the timers coming due before the next sweep (so a
    timer waits for a tenth of the interval, not for the next sweep). It does no work itself, so it is quick
    even when much is due."""
    s = ctx.settings
    now = ctx.now()
    due = due_timers(ctx, s.claim_batch * s.fanout)
    drains = min(s.fanout, math.ceil(due / s.claim_batch))
    for _ in range(drains):
        ring(ctx, "carepath.fire_timers", ttl=max(2 * s.sweep_seconds, 10.0))
    soon = coming_due(ctx, now) if getattr(ctx.executor, "schedules", False) else []
    for moment in soon:
        ctx.executor.dispatch(Envelope.new("carepath.fire_timers", ttl=max(3 * s.sweep_seconds, 10.0)), eta=moment)
    jobs = redispatch(ctx)
    return {"due_timers": due, "fire_tasks": drains, "scheduled": len(soon), **jobs}


def redispatch(ctx: JobContext) -> dict:
    """Ring again for stored jobs and notifications whose bell was lost (a broker restarted empty) or whose
    worker died (its lease ran out)."""
    mark = ctx.seconds("redispatch_seconds")
    with ctx.db.transaction() as session:
        job_ids = queue.stale(session, ctx.now(), mark)
    for job_id in job_ids:
        ring(ctx, "carepath.run_job", {"job_id": job_id})
    notification_ids = ctx.notifier.stale(mark) if ctx.notifier is not None else []
    for notification_id in notification_ids:
        ring(ctx, "carepath.send_notification", {"id": notification_id})
    webhook_ids = ring_webhooks(ctx)
    return {"jobs": len(job_ids), "notifications": len(notification_ids), "webhooks": len(webhook_ids)}


def ring_webhooks(ctx: JobContext) -> list[int]:
    """Ring for the webhook deliveries that are due (new ones, retries whose back-off is over, abandoned ones)."""
    ids = webhooks.due(ctx)
    for delivery_id in ids:
        ring(ctx, "carepath.deliver_webhook", {"id": delivery_id})
    return ids


@task("carepath.deliver_webhook")
def deliver_webhook(ctx: JobContext, envelope: Envelope) -> str:
    return webhooks.deliver(ctx, int(envelope.args["id"]))


# ------------------------------------------------------------------------------------------------ stored jobs

@task("carepath.run_job")
def run_job(ctx: JobContext, envelope: Envelope) -> str:
    return run_stored(ctx, int(envelope.args["job_id"]))


def run_stored(ctx: JobContext, job_id: int) -> str:
    """Claim the job, run its handler, record the outcome: 'done', 'retry', 'failed' or 'skipped' (done
    already, held by another worker, or waiting for its back-off)."""
    s = ctx.settings
    with ctx.db.transaction() as session:
        job = queue.claim(session, job_id, ctx.owner, ctx.now(), ctx.seconds("job_lease_seconds"))
    if job is None:
        return "skipped"
    fn = HANDLERS.get(job.kind)
    try:
        if fn is None:
            raise LookupError(f"no handler for background jobs of kind {job.kind!r}")
        result = fn(ctx, job.payload, job.key)
    except Exception as exc:  # recorded on the job: retried after a back-off unless it cannot succeed
        permanent = queue.is_permanent(exc) or isinstance(exc, LookupError)
        log.warning("background job %s (%s) failed: %s", job_id, job.kind, exc, exc_info=not permanent)
        with ctx.db.transaction() as session:
            status = queue.fail(session, job_id, ctx.owner, ctx.now(), f"{type(exc).__name__}: {exc}",
                                retry=not permanent, max_attempts=s.max_attempts)
        return "retry" if status == "queued" else "failed"
    with ctx.db.transaction() as session:
        queue.finish(session, job_id, ctx.owner, ctx.now(), result)
    return "done"


@handler("correlate_message")
def correlate_message(ctx: JobContext, payload: dict, key: str) -> dict:
    actor = Actor.system_actor(payload.get("actor") or "messages")
    result = ctx.service.correlate(payload["name"], payload["keys"], payload.get("payload"), actor,
                                    idempotency_key=key)
    return {"delivered": result.delivered, "started": result.started, "skipped": result.skipped,
            "failed": result.failed}


@handler("import_patients")
def import_patients(ctx: JobContext, payload: dict, key: str) -> dict:
    """A CSV import (engine.care.patient_imports): each batch of rows commits with the job's progress, so a run
    after a crash goes on from the last batch that committed."""
    job = ctx.service.run_patient_import(int(payload["import_id"]))
    if job is None:
        raise RuntimeError(f"patient import {payload['import_id']} failed; see the import's error")
    return {"import_id": job.id, "status": job.status, "added": job.added}


@handler("migration")
def migration(ctx: JobContext, payload: dict, key: str) -> dict:
    """A bulk migration plan's dry run (`check`) or run (`run`), batch after batch (engine.service.migrating); a
    run stopped half way goes on where it stopped when the job is retried."""
    plan_id = int(payload["plan_id"])
    try:
        plan = (ctx.service.check_migration(plan_id) if payload.get("phase") == "check"
                else ctx.service.run_migration(plan_id))
    except Exception as exc:  # for good (the plan says so) or retried after a back-off (it goes on from there)
        if queue.is_permanent(exc):
            ctx.service.fail_migration(plan_id, str(exc))
        raise
    return {"plan_id": plan.id, "status": plan.status, "moved": plan.moved, "not_moved": plan.refused}


# ------------------------------------------------------------------------------------------------ notifications

@task("carepath.send_notification")
def send_notification(ctx: JobContext, envelope: Envelope) -> str:
    if ctx.notifier is None:
        return "off"
    s = ctx.settings
    return ctx.notifier.send(int(envelope.args["id"]), ctx.owner, lease=ctx.seconds("job_lease_seconds"),
                             max_attempts=s.max_attempts)


def _ring_sends(ctx: JobContext, ids: list[int]) -> None:
    ctx.notifier.mark_dispatched(ids, ctx.seconds("redispatch_seconds"))
    for notification_id in ids:
        ring(ctx, "carepath.send_notification", {"id": notification_id})


@task("carepath.plan_notifications")
def plan_notifications(ctx: JobContext, envelope: Envelope) -> int:
    if ctx.notifier is None:
        return 0
    ids = ctx.notifier.plan_due()
    _ring_sends(ctx, ids)
    return len(ids)


@task("carepath.refresh_reports")
def refresh_reports(ctx: JobContext, envelope: Envelope) -> dict:
    return ctx.service.refresh_report_summaries()


@task("carepath.daily_digest")
def daily_digest(ctx: JobContext, envelope: Envelope) -> int:
    if ctx.notifier is None:
        return 0
    day = envelope.args.get("day")
    ids = ctx.notifier.plan_digests(date.fromisoformat(day) if day else None)
    _ring_sends(ctx, ids)
    return len(ids)
