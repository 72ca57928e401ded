"""Chronic Care Management (pathways/bpmn/ccm.bpmn): the stages of care management as one program.

identification -> engagement -> assessment -> planning -> implementation -> evaluation (adjust: back to
planning) -> discharge. A patient who is not enrolled or not engaged leaves with the reason recorded.
"""
from __future__ import annotations

import pytest

from tests.pathways.answers import (
    CCM_CANDIDATE,
    CONSENT_REFUSED,
    DO_NOT_ENROL,
    REACHED,
    assess,
    discharge,
    engage,
    enrol,
    implement,
    plan,
    review,
)
from tests.registry import register


@pytest.fixture
def ccm(team):
    register(team.pathways, "MRN100")
    return team.pathways.start("ccm", "MRN100", CCM_CANDIDATE).id


def enrolled_with_plan(team, ccm):
    enrol(team, ccm)
    engage(team, ccm)
    assess(team, ccm)
    plan(team, ccm)
    implement(team, ccm)


def test_set_up_records_the_program(team, ccm):
    data = team.data(ccm)
    assert (data["program_code"], data["program_name"], data["program_status"]) == (
        "ccm", "Chronic Care Management", "active")
    assert data["enrolled_on"] == "2026-01-05"


def test_ccm_starts_with_the_candidate_review(team, ccm):
    assert team.titles(ccm) == ["Review candidate"]


def test_candidate_not_enrolled_ends_the_program(team, ccm):
    team.do(ccm, "Review candidate", DO_NOT_ENROL)
    data = team.data(ccm)
    assert (team.status(ccm), data["program_status"], data["program_end_reason"]) == (
        "completed", "closed", "declined_enrolment")


def test_no_consent_ends_the_program_with_no_consent(team, ccm):
    enrol(team, ccm)
    team.do(ccm, "Outreach attempt", REACHED)
    team.do(ccm, "Record consent", CONSENT_REFUSED)
    data = team.data(ccm)
    assert (team.status(ccm), data["program_status"], data["program_end_reason"]) == (
        "completed", "closed", "no_consent")
    assert team.titles(ccm) == []


def test_engaged_patient_is_assessed(team, ccm):
    enrol(team, ccm)
    engage(team, ccm)
    assert "Medical history and conditions" in team.titles(ccm)


def test_adjust_at_a_review_goes_back_to_planning(team, frozen_clock, ccm):
    enrolled_with_plan(team, ccm)
    review(team, frozen_clock, ccm, "adjust")
    assert team.titles(ccm) == ["Draft the care plan"]


def test_continue_at_a_review_waits_for_the_next_month(team, frozen_clock, ccm):
    enrolled_with_plan(team, ccm)
    review(team, frozen_clock, ccm, "continue")
    assert team.titles(ccm) == []
    assert team.status(ccm) == "running"


def test_enrolment_to_discharge_with_a_plan_adjustment(team, frozen_clock, ccm):
    enrolled_with_plan(team, ccm)
    review(team, frozen_clock, ccm, "continue")
    review(team, frozen_clock, ccm, "adjust")
    plan(team, ccm)
    implement(team, ccm)
    assert team.data(ccm)["care_plan"]["version"] == 2
    review(team, frozen_clock, ccm, "discharge", status="met")
    discharge(team, ccm)
    data = team.data(ccm)
    assert team.status(ccm) == "completed"
    assert (data["program_status"], data["program_end_reason"], data["care_plan"]["status"]) == (
        "closed", "goals_met", "closed")
    assert [r["decision"] for r in data["reviews"]] == ["continue", "adjust", "discharge"]


def test_care_minutes_add_up_across_the_stages(team, frozen_clock, ccm):
    enrolled_with_plan(team, ccm)
    review(team, frozen_clock, ccm, "discharge", status="met")
    discharge(team, ccm)
    minutes = team.data(ccm)["care_minutes"]
    assert minutes["2026-01"] >= 10 + 15 + 30  # candidate review, consent, care plan (and more)
    assert minutes["2026-02"] == 20  # the February review
