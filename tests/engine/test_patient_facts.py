"""Reading the risk tier a workflow holds: from where it waits, without walking it when its state has none."""
from __future__ import annotations

from types import SimpleNamespace

from engine.runtime.patient_facts import risk_tier


class Waiting:
    """A stand-in workflow waiting at tasks with the given data; counts the walks over its tasks."""

    def __init__(self, *datas):
        self.tasks = [SimpleNamespace(data=d) for d in datas]
        self.completed, self.last_task, self.walks = False, None, 0

    def get_tasks(self, state=None):
        self.walks += 1
        return self.tasks


def test_the_tier_is_read_from_the_last_waiting_task_that_has_one():
    assert risk_tier(Waiting({"risk_tier": "rising"}, {"other": 1})) == "rising"


def test_a_value_that_is_not_a_tier_is_ignored():
    assert risk_tier(Waiting({"risk_tier": "very high"})) is None


def test_a_stored_state_without_the_key_spares_the_walk():
    workflow = Waiting({"risk_tier": "high"})
    assert risk_tier(workflow, '{"tasks":{"data":{"phq9_total":4}}}') is None
    assert workflow.walks == 0


def test_a_stored_state_with_the_key_is_walked():
    workflow = Waiting({"risk_tier": "high"})
    assert risk_tier(workflow, '{"data":{"risk_tier":"high"}}') == "high" and workflow.walks == 1
