"""Reads and refusals from the command line are audit events too, as on the web."""
from __future__ import annotations

import json

from sqlalchemy import select

from engine.models import AuditEvent
from engine.store.database import Database


def _events(db_url: str, action: str) -> list[AuditEvent]:
    db = Database(db_url)
    try:
        with db.transaction() as s:
            return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))
    finally:
        db.dispose()


def test_a_refused_command_is_audited_as_refused(started, db_url):
    run, _, task_id = started
    assert run("--as", "carl", "--role", "care_manager", "claim", task_id).exit_code == 0
    refused = run("--as", "sam", "--role", "care_manager", "claim", task_id)
    assert refused.exit_code == 5, refused.output
    [event] = _events(db_url, "refused")
    assert (event.actor, event.details["what"]) == ("sam", "carepath claim")


def test_listing_tasks_from_the_cli_is_audited(started, db_url):
    run, _, _ = started
    assert json.loads(run("--as", "nina", "--json", "tasks").stdout)["total"] == 1
    assert [e.actor for e in _events(db_url, "inbox_viewed")] == ["nina"]
