"""An event-based gateway: the HbA1c result or 14 days without one, whichever comes first."""
from __future__ import annotations

import pytest

from tests.conftest import FIXTURES
from tests.registry import register

LAB = FIXTURES / "bpmn" / "lab_or_timeout"


@pytest.fixture
def waiting(pathways):
    pathways.deploy(LAB)
    register(pathways, "p1")
    return pathways.start("lab_or_timeout", "p1")


def test_gateway_waits_on_both_the_message_and_the_timer(pathways, waiting):
    view = pathways.instance(waiting.id)
    assert [m.message_name for m in view.messages] == ["lab_result"]
    assert [t.element_id for t in view.timers] == ["no_lab"]


def test_result_first_opens_the_review_and_drops_the_timer(pathways, waiting, frozen_clock):
    result = pathways.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.4})
    assert result.delivered == [waiting.id]
    view = pathways.instance(waiting.id)
    assert [t.title for t in view.tasks] == ["Review HbA1c"]
    assert view.timers == [] and view.messages == []
    frozen_clock.advance(days=15)
    assert pathways.run_due_timers() == 0


def test_timeout_first_opens_the_chase_and_drops_the_message_wait(pathways, waiting, frozen_clock):
    frozen_clock.advance(days=14, seconds=1)
    assert pathways.run_due_timers() == 1
    view = pathways.instance(waiting.id)
    assert [t.title for t in view.tasks] == ["Chase missing lab"]
    assert view.messages == []
    late = pathways.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.4})
    assert not late.matched


def test_the_result_payload_lands_in_the_message_variable(pathways, waiting):
    pathways.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 8.4})
    assert pathways.instance_data(waiting.id)["lab"] == {"hba1c": 8.4}
