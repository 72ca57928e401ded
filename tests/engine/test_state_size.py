"""The stored state stays small and flat: its size follows the work in flight, not the instance's age.

Fixture: tests/fixtures/bpmn/review_loop (a monthly review that loops while the decision is 'continue').
"""
from __future__ import annotations

import pytest
from pathway_helpers import CARE_MANAGER, deploy, open_task, state_text

import engine.runtime.state_codec
from tests.registry import register


@pytest.fixture
def review(pathways):
    deploy(pathways, "review_loop")
    register(pathways, "p1")
    return pathways.start("review_loop", "p1")


def loop(pathways, instance_id, times):
    for _ in range(times):
        task = open_task(pathways, instance_id, "Monthly review")
        pathways.complete(task.id, {"decision": "continue", "progress_note": "steady"}, CARE_MANAGER)


def test_state_after_200_loops_is_within_ten_percent_of_two_loops(pathways, review):
    loop(pathways, review.id, 2)
    after_two = len(state_text(pathways, review.id))
    loop(pathways, review.id, 198)
    after_200 = len(state_text(pathways, review.id))
    assert abs(after_200 - after_two) <= after_two * 0.10


def test_state_holds_no_process_spec(pathways, review):
    loop(pathways, review.id, 1)
    text = state_text(pathways, review.id)
    assert '"spec"' not in text and "subprocess_specs" not in text


def test_without_pruning_the_state_grows_with_every_loop(pathways, review, monkeypatch):
    """The control for the test above: what pruning saves."""
    monkeypatch.setattr(engine.runtime.state_codec, "prune_history", lambda workflow: 0)
    loop(pathways, review.id, 2)
    after_two = len(state_text(pathways, review.id))
    loop(pathways, review.id, 18)
    assert len(state_text(pathways, review.id)) > 3 * after_two


def test_loops_keep_working_after_pruning(pathways, review):
    loop(pathways, review.id, 50)
    task = open_task(pathways, review.id, "Monthly review")
    pathways.complete(task.id, {"decision": "discharge"}, CARE_MANAGER)
    assert pathways.instance(review.id).instance.status == "completed"
    assert pathways.instance_data(review.id)["decision"] == "discharge"
