"""An unbounded monthly cycle (R/P1M), a timer start event with a date, and a receive task."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.jobs.sweep import TimerSweep
from engine.models import InstanceStatus, TaskStatus
from tests.conftest import FIXTURES
from tests.registry import register

pytestmark = pytest.mark.dates  # `make test` runs these again at other dates

CCM = FIXTURES / "bpmn" / "ccm_monthly"
OUTREACH = FIXTURES / "bpmn" / "scheduled_outreach"


def open_titles(pathways, instance_id):
    return sorted(t.title for t in pathways.tasks(instance_id=instance_id))


def test_monthly_cycle_opens_a_review_each_month_without_end(pathways, frozen_clock):
    pathways.deploy(CCM)
    register(pathways, "p1")
    instance = pathways.start("ccm_monthly", "p1")
    for month in range(1, 4):
        # SpiffWorkflow turns P1M into a fixed interval measured from the first month (31 days in January)
        frozen_clock.advance(days=31, minutes=1)
        assert pathways.run_due_timers() == 1
        assert open_titles(pathways, instance.id).count("Monthly review") == month
    assert len(pathways.instance(instance.id).timers) == 1  # the cycle keeps waiting


def test_monthly_timer_row_is_due_one_month_after_enrolment(pathways, frozen_clock):
    pathways.deploy(CCM)
    register(pathways, "p1")
    instance = pathways.start("ccm_monthly", "p1")
    (timer,) = pathways.instance(instance.id).timers
    assert timer.kind == "cycle"
    assert timer.due_at == frozen_clock.now() + timedelta(days=31)  # January has 31 days


def test_receive_task_waits_for_its_message_and_takes_the_payload(pathways, care_manager):
    pathways.deploy(CCM)
    register(pathways, "p1")
    instance = pathways.start("ccm_monthly", "p1")
    coordinate = pathways.tasks(instance_id=instance.id)[0]
    pathways.complete(coordinate.id, {}, care_manager)
    (wait,) = pathways.instance(instance.id).messages
    assert wait.message_name == "discharge_summary" and wait.element_id == "await_summary"
    result = pathways.correlate("discharge_summary", {"patient_id": "p1"}, {"follow_up": "GP in 7 days"})
    assert result.delivered == [instance.id]
    assert pathways.instance(instance.id).instance.status == InstanceStatus.COMPLETED
    assert pathways.instance_data(instance.id)["summary"] == {"follow_up": "GP in 7 days"}


def test_ending_the_program_cancels_the_monthly_review_cycle(pathways, care_manager):
    pathways.deploy(CCM)
    register(pathways, "p1")
    instance = pathways.start("ccm_monthly", "p1")
    pathways.complete(pathways.tasks(instance_id=instance.id)[0].id, {}, care_manager)
    pathways.correlate("discharge_summary", {"patient_id": "p1"}, {})
    view = pathways.instance(instance.id)
    assert view.timers == [] and view.messages == []


def test_timer_start_event_waits_for_its_date_then_opens_the_task(pathways, frozen_clock):
    pathways.deploy(OUTREACH)
    register(pathways, "p1")
    when = frozen_clock.now() + timedelta(days=10)
    instance = pathways.start("scheduled_outreach", "p1", {"outreach_at": when.isoformat()})
    (timer,) = pathways.instance(instance.id).timers
    assert timer.kind == "date" and timer.due_at == when
    assert pathways.tasks(instance_id=instance.id) == []
    frozen_clock.advance(days=10, seconds=1)
    assert TimerSweep(pathways, interval_seconds=1).sweep_once() == 1
    (task,) = pathways.tasks(instance_id=instance.id)
    assert task.title == "Outreach call" and task.role == "chw" and task.status == TaskStatus.OPEN


def test_a_timer_date_already_past_fires_at_once(pathways, frozen_clock):
    pathways.deploy(OUTREACH)
    register(pathways, "p1")
    past = datetime(2020, 1, 1, tzinfo=timezone.utc).isoformat()
    instance = pathways.start("scheduled_outreach", "p1", {"outreach_at": past})
    assert open_titles(pathways, instance.id) == ["Outreach call"]
    assert pathways.instance(instance.id).timers == []
    assert pathways.run_due_timers() == 0
