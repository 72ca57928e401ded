"""Reading the risk tier a workflow holds: from where it waits, without walking it when its state has none."""
from __future__ import annotations

from types import SimpleNamespace

from engine.runtime.patient_facts import risk_tier
from engine.runtime.pending import WaitingTasks


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


def test_an_element_named_like_the_data_is_not_the_data():
    workflow = Waiting({"risk_tier": "high"})
    # a task spec `risk_tier` (the state names it as a value) without the data: no walk
    assert risk_tier(workflow, '{"tasks":[["1f0e","risk_tier",16,0.5,null,[]]]}') is None
    assert workflow.walks == 0
    # the data, as a key, in any JSON spacing
    assert risk_tier(workflow, '{"data": {"risk_tier": "high"}}') == "high" and workflow.walks == 1


def test_readers_given_the_waiting_tasks_share_one_walk():
    from engine.care.care_plans import plan_in
    from engine.runtime.report_facts import snapshot

    workflow = Waiting({"risk_tier": "rising", "care_plan": {"goals": []}, "consent": {"given": True,
                                                                                       "date": "2026-01-02"}})
    workflow.tasks[0].last_state_change = 1.0
    workflow.data_objects = {}
    waiting = WaitingTasks(workflow)
    state = '{"data":{"risk_tier":"rising","care_plan":{},"consent":{}}}'
    assert risk_tier(workflow, state, waiting) == "rising"
    assert plan_in(workflow, state, waiting) == {"goals": []}
    assert snapshot(workflow, state, waiting).columns["consent_on"].isoformat() == "2026-01-02"
    assert workflow.walks == 1
