"""Plan the notifications due now (reminders and escalations, or the daily digest) and send them from this
process: `carepath notify`, for an installation without workers or to try the SMTP settings."""
from __future__ import annotations

from datetime import date

from engine.config import Settings
from engine.errors import InvalidInput
from engine.jobs.context import worker_name
from engine.notifications import Notifier
from engine.service import CarePathways

OUTCOMES = ("sent", "retry", "failed", "skipped")


def send_now(service: CarePathways, settings: Settings, digest: bool = False, day: date | None = None) -> dict:
    """{planned, sent, retry, failed, skipped}; InvalidInput when no SMTP server is configured."""
    notifier = Notifier.from_settings(service.db, settings)
    if notifier is None:
        raise InvalidInput("no SMTP server: set CAREPATH_SMTP_HOST (and _PORT, _TLS, _SENDER)")
    ids = notifier.plan_digests(day) if digest else notifier.plan_due()
    owner = worker_name()
    outcomes = [notifier.send(i, owner) for i in ids]
    return {"planned": len(ids), **{k: outcomes.count(k) for k in OUTCOMES}}
