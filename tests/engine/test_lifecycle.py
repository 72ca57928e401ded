"""Suspend, resume and terminate: what each does to tasks, timers and messages.

Fixtures: tests/fixtures/bpmn/tcm_contact (timers) and tests/fixtures/bpmn/lab_followup (a message wait).
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from pathway_helpers import NURSE, all_tasks, audit_actions, deploy, open_task, open_titles, timer_rows

from engine.errors import Conflict, InvalidState
from engine.models import TaskStatus
from tests.registry import register


@pytest.fixture
def contact(pathways):
    deploy(pathways, "tcm_contact")
    register(pathways, "p1")
    return pathways.start("tcm_contact", "p1")


def test_suspend_blocks_completion(pathways, contact):
    task = open_task(pathways, contact.id, "Interactive contact")
    pathways.suspend(contact.id, reason="in hospital again")
    with pytest.raises(InvalidState):
        pathways.complete(task.id, {"reached": True}, NURSE)
    assert open_titles(pathways, contact.id) == ["Interactive contact"]


def test_suspend_keeps_the_task_and_timer_rows(pathways, contact):
    before = timer_rows(pathways, contact.id)
    pathways.suspend(contact.id)
    assert timer_rows(pathways, contact.id) == before
    assert open_titles(pathways, contact.id) == ["Interactive contact"]


def test_suspend_is_audited_with_its_reason(pathways, contact):
    pathways.suspend(contact.id, reason="in hospital again")
    (event,) = [e for e in pathways.instance(contact.id).history if e.action == "suspended"]
    assert event.details == {"reason": "in hospital again"}


def test_timers_do_not_fire_while_suspended(pathways, contact, frozen_clock):
    pathways.suspend(contact.id)
    frozen_clock.advance(days=3)
    assert pathways.run_due_timers() == 0
    assert open_titles(pathways, contact.id) == ["Interactive contact"]
    assert "timer_fired" not in audit_actions(pathways, contact.id)


def test_resume_fires_what_came_due_while_suspended(pathways, contact, frozen_clock):
    pathways.suspend(contact.id)
    frozen_clock.advance(days=3)
    pathways.resume(contact.id)
    assert pathways.instance(contact.id).instance.status == "running"
    assert open_titles(pathways, contact.id) == ["Escalate missed contact"]


def test_resume_before_anything_is_due_changes_nothing(pathways, contact, frozen_clock):
    before = timer_rows(pathways, contact.id)
    pathways.suspend(contact.id)
    frozen_clock.advance(hours=1)
    pathways.resume(contact.id)
    assert timer_rows(pathways, contact.id) == before
    assert open_titles(pathways, contact.id) == ["Interactive contact"]


def test_resumed_instance_accepts_completion(pathways, contact):
    task = open_task(pathways, contact.id, "Interactive contact")
    pathways.suspend(contact.id)
    pathways.resume(contact.id)
    pathways.complete(task.id, {"reached": True}, NURSE)
    assert "wait_week" in timer_rows(pathways, contact.id)


def test_suspend_twice_is_invalid_state(pathways, contact):
    pathways.suspend(contact.id)
    with pytest.raises(InvalidState):
        pathways.suspend(contact.id)


def test_resume_of_a_running_instance_is_invalid_state(pathways, contact):
    with pytest.raises(InvalidState):
        pathways.resume(contact.id)


def test_terminate_cancels_open_tasks(pathways, contact):
    pathways.terminate(contact.id, reason="moved out of area")
    (row,) = all_tasks(pathways, contact.id)
    assert row.status == TaskStatus.CANCELLED
    assert pathways.instance(contact.id).instance.status == "terminated"


def test_terminate_drops_timer_rows(pathways, contact, frozen_clock):
    pathways.terminate(contact.id)
    assert timer_rows(pathways, contact.id) == {}
    frozen_clock.advance(days=3)
    assert pathways.run_due_timers() == 0


def test_terminate_drops_message_rows(pathways):
    deploy(pathways, "lab_followup")
    register(pathways, "p1")
    instance = pathways.start("lab_followup", "p1")
    pathways.terminate(instance.id)
    assert pathways.instance(instance.id).messages == []
    assert not pathways.correlate("lab_result", {"patient_id": "p1"}, {"hba1c": 9}).matched


def test_terminated_task_cannot_be_completed(pathways, contact):
    task = open_task(pathways, contact.id, "Interactive contact")
    pathways.terminate(contact.id)
    with pytest.raises(Conflict):
        pathways.complete(task.id, {"reached": True}, NURSE)


def test_terminate_a_suspended_instance(pathways, contact):
    pathways.suspend(contact.id)
    pathways.terminate(contact.id)
    instance = pathways.instance(contact.id).instance
    assert instance.status == "terminated"
    assert instance.ended_at is not None


def test_terminate_twice_is_invalid_state(pathways, contact):
    pathways.terminate(contact.id)
    with pytest.raises(InvalidState):
        pathways.terminate(contact.id)


def test_terminated_instance_cannot_be_resumed(pathways, contact):
    pathways.terminate(contact.id)
    with pytest.raises(InvalidState):
        pathways.resume(contact.id)


def test_ended_at_is_the_termination_time(pathways, contact, frozen_clock):
    frozen_clock.advance(hours=3)
    pathways.terminate(contact.id)
    assert pathways.instance(contact.id).instance.ended_at == contact.started_at + timedelta(hours=3)
