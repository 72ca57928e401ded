"""The web app reaches the engine through its service only: submitting a task's form is one transaction with
one decode of the workflow, and no view of the task is recorded for it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from engine.runtime.runner import Runtime
from engine.service.base import ServiceBase
from tests.webapp.test_task_page import submit


@pytest.fixture
def counted(monkeypatch):
    """The transactions the service opens (by what they do) and the decodes of a workflow, from now on; call
    it to start counting afresh (after signing in)."""
    counts = {"transactions": [], "decodes": 0}
    transaction, load = ServiceBase.transaction, Runtime.load

    def counting_transaction(self, what):
        counts["transactions"].append(what)
        return transaction(self, what)

    def counting_load(self, *args, **kwargs):
        counts["decodes"] += 1
        return load(self, *args, **kwargs)

    monkeypatch.setattr(ServiceBase, "transaction", counting_transaction)
    monkeypatch.setattr(Runtime, "load", counting_load)

    def afresh() -> dict:
        counts["transactions"].clear()
        counts["decodes"] = 0
        return counts

    return afresh


def _views(service) -> int:
    with service.db.transaction() as s:
        return len(s.scalars(select(AuditEvent.id).where(AuditEvent.action == "viewed")).all())


@pytest.mark.parametrize("decision, status", [("discharge", 302), ("maybe", 400)], ids=["completed", "refused"])
def test_submitting_a_task_form_is_one_transaction_with_one_decode(signed_in, review, counted, decision, status):
    carl = signed_in("carl")
    counts = counted()
    assert submit(carl, review, decision=decision).status_code == status
    assert (counts["transactions"], counts["decodes"]) == ([f"complete task {review.id}"], 1)


def test_submitting_a_task_form_records_no_view_of_it(signed_in, review, service):
    carl = signed_in("carl")
    before = _views(service)
    submit(carl, review, decision="discharge")
    assert _views(service) == before


def test_saving_a_draft_is_one_transaction(signed_in, review, counted):
    carl = signed_in("carl")
    counts = counted()
    assert submit(carl, review, action="draft", progress_note="half way").status_code == 302
    assert counts["transactions"] == [f"save a draft of task {review.id}"]
