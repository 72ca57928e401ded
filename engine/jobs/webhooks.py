"""Sending the webhook outbox (engine.store.webhook_outbox): the sweep rings a bell for each delivery that is
due (`due`), and whoever hears it claims the delivery, posts it signed to the receiver with a time limit, and
records what the receiver answered (`deliver`). A receiver that is slow or down costs a worker that much time,
never a step of a pathway: the deliveries were written with the steps and wait in the database; a failed one is
tried again with back-off (engine.care.webhooks.record_attempt), up to CAREPATH_WEBHOOK_ATTEMPTS times.

Each attempt is signed afresh (`Carepath-Signature: t=<unix time>,v1=<HMAC-SHA256 hex of "t.body">`) over the
same body; `Carepath-Delivery` names the delivery and `Carepath-Event-Id` the event, the same on every attempt,
so a receiver can drop an event it has already taken.
"""
from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta

from engine.jobs.context import JobContext

log = logging.getLogger(__name__)
USER_AGENT = "carepath-webhooks/1"


def due(ctx: JobContext) -> list[int]:
    """The deliveries to ring for now; each is marked so the next sweep waits before ringing it again."""
    return ctx.service.due_webhook_deliveries(ctx.seconds("redispatch_seconds"), ctx.now())


def deliver(ctx: JobContext, delivery_id: int) -> str:
    """Send one delivery: 'delivered', 'retry', 'failed', 'lost' (its lease ran out meanwhile) or 'skipped'
    (sent already, held by another worker, not yet due, or its subscription ended)."""
    service = ctx.service
    settings = service.api_settings
    lease = timedelta(seconds=max(settings.webhook_timeout * 3, 30.0))
    outgoing = service.claim_webhook_delivery(delivery_id, ctx.owner, lease)
    if outgoing is None:
        return "skipped"
    status, error = post(outgoing, settings.webhook_timeout, settings.webhook_private_hosts)
    outcome = service.record_webhook_attempt(delivery_id, ctx.owner, status, error)
    log.info("webhook delivery %s (%s), attempt %s: %s", delivery_id, outgoing.event, outgoing.attempt, outcome)
    return outcome


def post(outgoing, timeout: float, allow_private: bool) -> tuple[int | None, str | None]:
    """(the receiver's HTTP status, or None; what went wrong, or None)."""
    refused = outgoing.refused(allow_private)
    if refused:
        return None, refused
    headers = {**outgoing.headers(int(time.time())), "User-Agent": USER_AGENT}
    request = urllib.request.Request(outgoing.url, data=outgoing.body, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, f"the receiver answered {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"could not reach the receiver: {type(reason).__name__}"[:500]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new destination: a delivery goes to the subscribed URL only."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)
