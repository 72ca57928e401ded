"""Behavioural health, collaborative care (pathways/bpmn/behavioural_health.bpmn).

engagement -> intake mood screening (PHQ-9 and GAD-7; item 9 above 0 or severe scores go to the physician
inside the screening) -> planning -> implementation -> evaluation, which repeats the screening every third
monthly review and records response and remission -> discharge.
"""
from __future__ import annotations

import pytest

from tests.pathways.answers import (
    SAFETY_ASSESSED,
    discharge,
    engage,
    gad7,
    implement,
    month_later,
    monthly_review,
    phq9,
    plan,
    review,
    screen_mood,
)
from tests.registry import register

PHQ9 = "PHQ-9 depression screen"
SAFETY = "Safety assessment (PHQ-9 item 9)"


@pytest.fixture
def bh(team):
    register(team.pathways, "MRN400")
    instance_id = team.pathways.start("behavioural_health", "MRN400").id
    engage(team, instance_id)
    return instance_id


def treated_until_the_third_review(team, clock, bh, phq9_at_three_months, decision="discharge"):
    """Intake PHQ-9 16 (moderately severe); plan, treatment, two monthly reviews, then the 3-month screening."""
    screen_mood(team, bh, phq9(16), gad7(9))
    plan(team, bh)
    implement(team, bh)
    review(team, clock, bh, "continue")
    review(team, clock, bh, "continue")
    month_later(team, clock)
    screen_mood(team, bh, phq9(phq9_at_three_months), gad7(2))
    team.do(bh, "Monthly review", monthly_review(decision, status="met"))


def test_set_up_records_the_program(team, bh):
    data = team.data(bh)
    assert (data["program_code"], data["program_name"], data["program_status"]) == (
        "behavioural_health", "Behavioural health (collaborative care)", "active")


def test_intake_starts_with_the_phq9_for_the_care_manager(team, bh):
    assert (team.titles(bh), team.task(bh, PHQ9).role) == ([PHQ9], "care_manager")


def test_item_9_positive_at_intake_opens_the_urgent_physician_task(team, bh):
    team.do(bh, PHQ9, phq9(6, item9=1))
    task = team.task(bh, SAFETY)
    assert (task.role, task.priority_name) == ("physician", "urgent")


def test_planning_waits_for_the_safety_assessment(team, bh):
    screen_mood(team, bh, phq9(6, item9=1), gad7(3))
    assert team.titles(bh) == [SAFETY]
    team.do(bh, SAFETY, SAFETY_ASSESSED)
    assert team.titles(bh) == ["Draft the care plan"]


def test_mild_intake_goes_straight_to_planning(team, bh):
    screen_mood(team, bh, phq9(8), gad7(3))
    assert team.titles(bh) == ["Draft the care plan"]


def test_third_review_repeats_the_screening(team, frozen_clock, bh):
    screen_mood(team, bh, phq9(16), gad7(9))
    plan(team, bh)
    implement(team, bh)
    review(team, frozen_clock, bh, "continue")
    review(team, frozen_clock, bh, "continue")
    month_later(team, frozen_clock)
    assert team.titles(bh) == [PHQ9]


def test_remission_after_treatment_is_recorded(team, frozen_clock, bh):
    treated_until_the_third_review(team, frozen_clock, bh, phq9_at_three_months=3)
    discharge(team, bh)
    outcomes = team.data(bh)["bh_outcomes"]
    assert (outcomes["baseline_phq9"], outcomes["latest_phq9"], outcomes["response"], outcomes["remission"]) == (
        16, 3, True, True)


def test_response_without_remission_is_recorded(team, frozen_clock, bh):
    treated_until_the_third_review(team, frozen_clock, bh, phq9_at_three_months=7)
    discharge(team, bh)
    outcomes = team.data(bh)["bh_outcomes"]
    assert (outcomes["response"], outcomes["remission"]) == (True, False)


def test_discharge_after_remission_closes_the_program(team, frozen_clock, bh):
    treated_until_the_third_review(team, frozen_clock, bh, phq9_at_three_months=3)
    discharge(team, bh)
    data = team.data(bh)
    assert (team.status(bh), data["program_status"], data["program_end_reason"]) == (
        "completed", "closed", "goals_met")
    assert [s["phq9_total"] for s in data["mood_screenings"]] == [16, 3]
