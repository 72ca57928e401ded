"""Time in a pathway: boundary timers (interrupting and cycle) and intermediate duration timers.

Fixture: tests/fixtures/bpmn/tcm_contact. "Interactive contact" (nurse) has an interrupting 'P2D' boundary
timer leading to "Escalate missed contact" (nurse_lead) and a non-interrupting 'R3/PT12H' reminder cycle
counting reminders in the data object `reminders`; after the contact a 'P7D' timer waits before the
"Face-to-face visit".
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from pathway_helpers import (
    NURSE,
    NURSE_LEAD,
    all_tasks,
    audit_actions,
    deploy,
    open_task,
    open_titles,
    timer_rows,
    workflow_of,
)

from engine.models import TaskStatus
from tests.registry import register

pytestmark = pytest.mark.dates  # `make test` runs these again at other dates


@pytest.fixture
def contact(pathways):
    deploy(pathways, "tcm_contact")
    register(pathways, "p1", "p2")
    return pathways.start("tcm_contact", "p1")


def reminders(pathways, instance_id):
    return workflow_of(pathways, instance_id).data_objects["reminders"]


def test_contact_task_opens_for_the_nurse_lane(pathways, contact):
    task = open_task(pathways, contact.id, "Interactive contact")
    assert task.role == "nurse"


def test_contact_inbox_due_at_is_the_boundary_timer_due_time(pathways, contact, frozen_clock):
    task = open_task(pathways, contact.id, "Interactive contact")
    assert task.due_at == frozen_clock.now() + timedelta(days=2)
    assert task.due_at == timer_rows(pathways, contact.id)["missed_contact"]


def test_contact_waits_on_both_boundary_timers(pathways, contact, frozen_clock):
    start = frozen_clock.now()
    assert timer_rows(pathways, contact.id) == {
        "missed_contact": start + timedelta(days=2),
        "reminder_cycle": start + timedelta(hours=12),
    }


def test_nothing_fires_before_the_first_timer_is_due(pathways, contact, frozen_clock):
    frozen_clock.advance(hours=11, minutes=59)
    assert pathways.run_due_timers() == 0
    assert open_titles(pathways, contact.id) == ["Interactive contact"]


def test_boundary_timer_does_not_interrupt_before_two_days(pathways, contact, frozen_clock):
    for _ in range(3):
        frozen_clock.advance(hours=12, minutes=1)
        pathways.run_due_timers()
    frozen_clock.set(contact.started_at + timedelta(days=2) - timedelta(minutes=1))
    assert pathways.run_due_timers() == 0
    assert open_titles(pathways, contact.id) == ["Interactive contact"]


def test_due_boundary_timer_cancels_contact_and_opens_escalation_for_nurse_lead(pathways, contact,
                                                                                frozen_clock):
    frozen_clock.advance(days=2, minutes=1)
    assert pathways.run_due_timers() >= 1
    rows = {t.title: t for t in all_tasks(pathways, contact.id)}
    assert rows["Interactive contact"].status == TaskStatus.CANCELLED
    escalate = open_task(pathways, contact.id, "Escalate missed contact")
    assert escalate.role == "nurse_lead"
    assert escalate.priority_name == "urgent"


def test_interrupted_contact_can_no_longer_be_completed(pathways, contact, frozen_clock):
    from engine.errors import Conflict

    task = open_task(pathways, contact.id, "Interactive contact")
    frozen_clock.advance(days=2, minutes=1)
    pathways.run_due_timers()
    with pytest.raises(Conflict):
        pathways.complete(task.id, {"reached": True}, NURSE)


def test_interrupting_timer_drops_every_boundary_timer_row(pathways, contact, frozen_clock):
    frozen_clock.advance(days=2, minutes=1)
    pathways.run_due_timers()
    assert timer_rows(pathways, contact.id) == {}


def test_firing_a_timer_is_audited(pathways, contact, frozen_clock):
    frozen_clock.advance(days=2, minutes=1)
    pathways.run_due_timers()
    assert "timer_fired" in audit_actions(pathways, contact.id)
    assert "task_cancelled" in audit_actions(pathways, contact.id)


def test_escalation_completes_the_pathway(pathways, contact, frozen_clock):
    frozen_clock.advance(days=2, minutes=1)
    pathways.run_due_timers()
    escalate = open_task(pathways, contact.id, "Escalate missed contact")
    pathways.complete(escalate.id, {"action": "home_visit"}, NURSE_LEAD)
    assert pathways.instance(contact.id).instance.status == "completed"


def test_reminder_does_not_interrupt_the_contact(pathways, contact, frozen_clock):
    frozen_clock.advance(hours=12, minutes=1)
    assert pathways.run_due_timers() == 1
    assert open_titles(pathways, contact.id) == ["Interactive contact"]
    assert reminders(pathways, contact.id) == 1


def test_reminder_cycle_moves_its_due_time_on_by_twelve_hours(pathways, contact, frozen_clock):
    start = frozen_clock.now()
    frozen_clock.advance(hours=12, minutes=1)
    pathways.run_due_timers()
    assert timer_rows(pathways, contact.id)["reminder_cycle"] == start + timedelta(hours=24)


def test_reminder_cycle_fires_three_times_then_stops(pathways, contact, frozen_clock):
    for _ in range(3):
        frozen_clock.advance(hours=12, minutes=1)
        assert pathways.run_due_timers() == 1
    assert reminders(pathways, contact.id) == 3
    assert "reminder_cycle" not in timer_rows(pathways, contact.id)
    assert open_titles(pathways, contact.id) == ["Interactive contact"]


def test_reminder_count_survives_the_escalation(pathways, contact, frozen_clock):
    for _ in range(4):
        frozen_clock.advance(hours=12, minutes=1)
        pathways.run_due_timers()
    assert open_titles(pathways, contact.id) == ["Escalate missed contact"]
    assert reminders(pathways, contact.id) == 3


def test_completing_the_contact_drops_its_boundary_timers(pathways, contact, frozen_clock):
    frozen_clock.advance(hours=5)
    pathways.complete(open_task(pathways, contact.id, "Interactive contact").id, {"reached": True}, NURSE)
    assert set(timer_rows(pathways, contact.id)) == {"wait_week"}


def test_intermediate_timer_is_due_seven_days_after_the_contact(pathways, contact, frozen_clock):
    frozen_clock.advance(hours=5)
    done_at = frozen_clock.now()
    pathways.complete(open_task(pathways, contact.id, "Interactive contact").id, {"reached": True}, NURSE)
    assert timer_rows(pathways, contact.id)["wait_week"] == done_at + timedelta(days=7)


def test_no_task_opens_while_the_week_runs(pathways, contact, frozen_clock):
    pathways.complete(open_task(pathways, contact.id, "Interactive contact").id, {"reached": True}, NURSE)
    frozen_clock.advance(days=7, minutes=-1)
    assert pathways.run_due_timers() == 0
    assert open_titles(pathways, contact.id) == []


def test_visit_opens_when_the_week_is_over(pathways, contact, frozen_clock):
    pathways.complete(open_task(pathways, contact.id, "Interactive contact").id, {"reached": True}, NURSE)
    frozen_clock.advance(days=7, minutes=1)
    assert pathways.run_due_timers() == 1
    visit = open_task(pathways, contact.id, "Face-to-face visit")
    assert visit.role == "nurse"
    assert timer_rows(pathways, contact.id) == {}


def test_run_due_timers_at_an_explicit_moment(pathways, contact, frozen_clock):
    """`now` given to the sweep decides which rows are due (the scheduler passes its own tick time)."""
    later = frozen_clock.now() + timedelta(hours=12, minutes=1)
    assert pathways.run_due_timers(now=frozen_clock.now()) == 0
    frozen_clock.set(later)
    assert pathways.run_due_timers(now=later) == 1


def test_one_sweep_fires_every_due_instance(pathways, contact, frozen_clock):
    other = pathways.start("tcm_contact", "p2")
    frozen_clock.advance(hours=12, minutes=1)
    assert pathways.run_due_timers() == 2
    assert reminders(pathways, contact.id) == reminders(pathways, other.id) == 1


def test_a_completed_pathway_leaves_no_timer_rows(pathways, contact, frozen_clock):
    frozen_clock.advance(days=2, minutes=1)
    pathways.run_due_timers()
    pathways.complete(open_task(pathways, contact.id, "Escalate missed contact").id, {"action": "close"},
                      NURSE_LEAD)
    assert pathways.instance(contact.id).instance.status == "completed"
    assert timer_rows(pathways, contact.id) == {}


def test_timer_is_not_fired_at_its_exact_moment_only_after_it(pathways, contact, frozen_clock):
    """SpiffWorkflow fires a timer once its moment has passed; the sweep must not report or audit it before."""
    frozen_clock.advance(hours=12)
    assert pathways.run_due_timers() == 0
    assert "timer_fired" not in audit_actions(pathways, contact.id)
    frozen_clock.advance(seconds=1)
    assert pathways.run_due_timers() == 1
    assert audit_actions(pathways, contact.id).count("timer_fired") == 1
    assert reminders(pathways, contact.id) == 1
