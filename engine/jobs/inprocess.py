"""The embedded default's background work: one thread sweeps (fires due timers, rings again for lost or
abandoned jobs, plans notifications, the daily digest, brings the report summaries up to date), and the
in-process executor runs what it rings."""
from __future__ import annotations

import logging
import time

from engine.jobs import work
from engine.jobs.context import JobContext
from engine.jobs.envelope import Envelope
from engine.jobs.sweep import TimerSweep

log = logging.getLogger(__name__)


class InProcessScheduler(TimerSweep):
    def __init__(self, ctx: JobContext, interval_seconds: float | None = None):
        super().__init__(ctx.service, interval_seconds or ctx.settings.sweep_seconds)
        self.ctx = ctx
        self._next_plan = 0.0
        self._next_reports = 0.0
        self._digest_day = None

    def work(self) -> int:
        ctx = self.ctx
        fired = work.drain_timers(ctx)
        work.redispatch(ctx)
        if time.monotonic() >= self._next_reports:
            self._next_reports = time.monotonic() + ctx.settings.report_seconds
            work.execute(ctx, Envelope.new("carepath.refresh_reports"))
        if ctx.notifier is not None:
            if time.monotonic() >= self._next_plan:
                self._next_plan = time.monotonic() + ctx.settings.notify_seconds
                work.execute(ctx, Envelope.new("carepath.plan_notifications"))
            now = ctx.now()
            if now.hour >= ctx.settings.digest_hour and self._digest_day != now.date():
                self._digest_day = now.date()  # planned once a day; its keys make a second planning a no-op
                work.execute(ctx, Envelope.new("carepath.daily_digest", {"day": now.date().isoformat()}))
        return fired
