"""The engagement stage (pathways/bpmn/engagement.bpmn), started on its own as a program.

Up to three outreach attempts over 7 days (3 days after the first, 4 after the second), then consent once
the patient is reached. No contact or no consent ends the stage with engaged false and an end reason.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.care.actors import Actor
from engine.care.task_forms import FormInvalid
from tests.pathways.library import deploy_library, deploy_stages
from tests.registry import register

CARE_MANAGER = Actor.person("carl", "care_manager")
NO_ANSWER = {"outreach_method": "phone", "outreach_outcome": "no_answer"}
REACHED = {"outreach_method": "phone", "outreach_outcome": "reached", "spoke_with": "patient"}
VERBAL_CONSENT = {"given": True, "type": "verbal", "cost_sharing_explained": True, "right_to_stop_explained": True}


@pytest.fixture
def outreach(pathways):
    deploy_stages(pathways, "engagement")
    register(pathways, "MRN200")
    return pathways.start("engagement", "MRN200")


def titles(pathways, instance_id):
    return [t.title for t in pathways.tasks(instance_id=instance_id)]


def open_task(pathways, instance_id, title):
    tasks = [t for t in pathways.tasks(instance_id=instance_id) if t.title == title]
    assert len(tasks) == 1, titles(pathways, instance_id)
    return tasks[0]


def attempt(pathways, instance_id, answers):
    pathways.complete(open_task(pathways, instance_id, "Outreach attempt").id, answers, CARE_MANAGER)


def wait_days(pathways, frozen_clock, days):
    frozen_clock.advance(days=days, seconds=1)
    return pathways.run_due_timers()


def miss_twice_then(pathways, frozen_clock, instance_id, third):
    attempt(pathways, instance_id, NO_ANSWER)
    wait_days(pathways, frozen_clock, 3)
    attempt(pathways, instance_id, NO_ANSWER | {"outreach_method": "text_message"})
    wait_days(pathways, frozen_clock, 4)
    attempt(pathways, instance_id, third)


def reach_on_second_attempt(pathways, frozen_clock, instance_id):
    attempt(pathways, instance_id, {"outreach_method": "phone", "outreach_outcome": "left_message"})
    wait_days(pathways, frozen_clock, 3)
    attempt(pathways, instance_id, REACHED)


def give_consent(pathways, instance_id, consent):
    task = open_task(pathways, instance_id, "Record consent")
    pathways.complete(task.id, {"consent": consent}, CARE_MANAGER)


def data_of(pathways, instance_id):
    return pathways.instance_data(instance_id)


def status(pathways, instance_id):
    return pathways.instance(instance_id).instance.status


def test_engagement_deploys_with_the_whole_library(pathways):
    deployment = deploy_library(pathways)
    assert "engagement" in {process["id"] for process in deployment.processes}


def test_first_outreach_attempt_waits_for_the_care_manager(pathways, outreach):
    task = open_task(pathways, outreach.id, "Outreach attempt")
    assert (task.role, task.form_schema) == ("care_manager", "engagement-outreach_attempt-schema.json")


def test_second_attempt_comes_three_days_after_the_first(pathways, outreach, frozen_clock):
    attempt(pathways, outreach.id, NO_ANSWER)
    timers = pathways.instance(outreach.id).timers
    assert [t.due_at for t in timers] == [frozen_clock.now() + timedelta(days=3)]


def test_no_attempt_opens_before_the_wait_is_over(pathways, outreach, frozen_clock):
    attempt(pathways, outreach.id, NO_ANSWER)
    frozen_clock.advance(days=2, hours=23)
    pathways.run_due_timers()
    assert titles(pathways, outreach.id) == []


def test_third_attempt_comes_four_days_after_the_second(pathways, outreach, frozen_clock):
    attempt(pathways, outreach.id, NO_ANSWER)
    wait_days(pathways, frozen_clock, 3)
    attempt(pathways, outreach.id, NO_ANSWER)
    timers = pathways.instance(outreach.id).timers
    assert [t.due_at for t in timers] == [frozen_clock.now() + timedelta(days=4)]


def test_three_unanswered_attempts_end_with_no_contact(pathways, outreach, frozen_clock):
    miss_twice_then(pathways, frozen_clock, outreach.id, NO_ANSWER)
    data = data_of(pathways, outreach.id)
    assert (data["engaged"], data["contacted"], data["program_end_reason"]) == (False, False, "no_contact")


def test_no_contact_ends_the_stage_seven_days_after_the_first_attempt(pathways, outreach, frozen_clock):
    first = frozen_clock.now()
    miss_twice_then(pathways, frozen_clock, outreach.id, NO_ANSWER)
    assert status(pathways, outreach.id) == "completed"
    assert frozen_clock.now() - first == timedelta(days=7, seconds=2)


def test_every_attempt_is_recorded_with_its_method_and_outcome(pathways, outreach, frozen_clock):
    miss_twice_then(pathways, frozen_clock, outreach.id, {"outreach_method": "letter",
                                                          "outreach_outcome": "wrong_number"})
    attempts = data_of(pathways, outreach.id)["outreach_attempts"]
    assert [(a["attempt"], a["method"], a["outcome"]) for a in attempts] == [
        (1, "phone", "no_answer"), (2, "text_message", "no_answer"), (3, "letter", "wrong_number")]


def test_attempt_date_given_on_the_form_is_kept(pathways, outreach):
    attempt(pathways, outreach.id, NO_ANSWER | {"attempted_on": "2026-01-04"})
    assert data_of(pathways, outreach.id)["outreach_attempts"][0]["date"] == "2026-01-04"


def test_reached_on_the_second_attempt_opens_consent(pathways, outreach, frozen_clock):
    reach_on_second_attempt(pathways, frozen_clock, outreach.id)
    assert titles(pathways, outreach.id) == ["Record consent"]


def test_reached_patient_is_contacted(pathways, outreach, frozen_clock):
    reach_on_second_attempt(pathways, frozen_clock, outreach.id)
    assert data_of(pathways, outreach.id)["contacted"] is True


def test_consent_given_engages_the_patient(pathways, outreach, frozen_clock):
    reach_on_second_attempt(pathways, frozen_clock, outreach.id)
    give_consent(pathways, outreach.id, VERBAL_CONSENT)
    data = data_of(pathways, outreach.id)
    assert (status(pathways, outreach.id), data["engaged"], data["consent"]["type"]) == (
        "completed", True, "verbal")


def test_engaged_patient_has_no_end_reason(pathways, outreach, frozen_clock):
    reach_on_second_attempt(pathways, frozen_clock, outreach.id)
    give_consent(pathways, outreach.id, VERBAL_CONSENT)
    assert "program_end_reason" not in data_of(pathways, outreach.id)


def test_consent_is_dated(pathways, outreach, frozen_clock):
    reach_on_second_attempt(pathways, frozen_clock, outreach.id)
    give_consent(pathways, outreach.id, VERBAL_CONSENT | {"date": "2026-01-08"})
    assert data_of(pathways, outreach.id)["consent"]["date"] == "2026-01-08"


def test_no_consent_ends_with_no_consent(pathways, outreach, frozen_clock):
    reach_on_second_attempt(pathways, frozen_clock, outreach.id)
    give_consent(pathways, outreach.id, {"given": False, "declined_reason": "not_interested"})
    data = data_of(pathways, outreach.id)
    assert (data["engaged"], data["program_end_reason"]) == (False, "no_consent")


def test_declining_during_outreach_ends_with_no_consent(pathways, outreach):
    attempt(pathways, outreach.id, {"outreach_method": "phone", "outreach_outcome": "declined",
                                    "spoke_with": "patient"})
    data = data_of(pathways, outreach.id)
    assert (data["engaged"], data["consent"]["given"], data["program_end_reason"]) == (False, False, "no_consent")


def test_written_consent_is_refused_without_the_document_reference(pathways, outreach, frozen_clock):
    reach_on_second_attempt(pathways, frozen_clock, outreach.id)
    with pytest.raises(FormInvalid) as refused:
        give_consent(pathways, outreach.id, VERBAL_CONSENT | {"type": "written"})
    assert "document_reference" in str(refused.value)


def test_refused_consent_form_leaves_the_task_open(pathways, outreach, frozen_clock):
    reach_on_second_attempt(pathways, frozen_clock, outreach.id)
    with pytest.raises(FormInvalid):
        give_consent(pathways, outreach.id, VERBAL_CONSENT | {"type": "written"})
    assert titles(pathways, outreach.id) == ["Record consent"]


def test_written_consent_with_its_document_reference_engages(pathways, outreach, frozen_clock):
    reach_on_second_attempt(pathways, frozen_clock, outreach.id)
    give_consent(pathways, outreach.id, VERBAL_CONSENT | {"type": "written", "document_reference": "DOC-4711"})
    data = data_of(pathways, outreach.id)
    assert (data["engaged"], data["consent"]["document_reference"]) == (True, "DOC-4711")


def test_consent_needs_cost_sharing_explained(pathways, outreach, frozen_clock):
    reach_on_second_attempt(pathways, frozen_clock, outreach.id)
    with pytest.raises(FormInvalid):
        give_consent(pathways, outreach.id, VERBAL_CONSENT | {"cost_sharing_explained": False})


def test_consent_needs_the_right_to_stop_explained(pathways, outreach, frozen_clock):
    reach_on_second_attempt(pathways, frozen_clock, outreach.id)
    consent = {k: v for k, v in VERBAL_CONSENT.items() if k != "right_to_stop_explained"}
    with pytest.raises(FormInvalid):
        give_consent(pathways, outreach.id, consent)


def test_reaching_someone_needs_to_say_who(pathways, outreach):
    with pytest.raises(FormInvalid):
        attempt(pathways, outreach.id, {"outreach_method": "phone", "outreach_outcome": "reached"})


def test_outreach_minutes_count_towards_care_minutes(pathways, outreach, frozen_clock):
    attempt(pathways, outreach.id, NO_ANSWER | {"minutes_spent": 5})
    wait_days(pathways, frozen_clock, 3)
    attempt(pathways, outreach.id, REACHED | {"minutes_spent": 10})
    assert sum(data_of(pathways, outreach.id)["care_minutes"].values()) == 15
