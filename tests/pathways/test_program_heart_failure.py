"""Heart failure management (pathways/bpmn/heart_failure.bpmn): the care stages, with daily weights watched.

Once the patient is engaged, observation messages from the home scale are kept in `weights` (one a day, the
last 14 days) and a gain of more than 2 kg within 3 days opens "Weight gain alert: call patient", an urgent
nurse task due within 4 hours. The monitoring ends with the program.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.pathways.answers import (
    PATIENT_CALLED,
    Team,
    assess,
    discharge,
    engage,
    implement,
    plan,
    review,
    weight,
)
from tests.pathways.library import deploy_library

ALERT = "Weight gain alert: call patient"


@pytest.fixture
def team(pathways):
    deploy_library(pathways)
    return Team(pathways)


def enrolled(team, patient="MRN300"):
    instance_id = team.pathways.start("heart_failure", patient).id
    engage(team, instance_id)
    return instance_id


@pytest.fixture
def heart_failure(team):
    return enrolled(team)


def weigh(team, readings, patient="MRN300", first_day="2026-01-10"):
    """Daily weights, one a day from `first_day`."""
    start = date.fromisoformat(first_day)
    for offset, kg in enumerate(readings):
        team.pathways.correlate("observation", {"patient_id": patient},
                                weight(kg, (start + timedelta(days=offset)).isoformat()))


def alerts(team, instance_id):
    return [title for title in team.titles(instance_id) if title == ALERT]


def test_set_up_records_the_program(team):
    instance_id = team.pathways.start("heart_failure", "MRN300").id
    data = team.data(instance_id)
    assert (data["program_code"], data["program_name"], data["weights"]) == (
        "heart_failure", "Heart failure management", [])


def test_gain_of_2_5_kg_in_3_days_opens_an_urgent_call_for_the_nurse(team, heart_failure, frozen_clock):
    weigh(team, [80.0, 80.6, 81.5, 82.5])
    task = team.task(heart_failure, ALERT)
    assert (task.role, task.priority_name) == ("nurse", "urgent")
    assert task.due_at == frozen_clock.now() + timedelta(hours=4)


def test_gain_of_1_5_kg_in_3_days_opens_nothing(team, heart_failure):
    weigh(team, [80.0, 80.5, 81.0, 81.5])
    assert alerts(team, heart_failure) == []


def test_gain_spread_over_more_than_3_days_opens_nothing(team, heart_failure):
    weigh(team, [80.0, 80.5, 81.0, 81.5, 82.1])  # +2.1 kg, but over 4 days
    assert alerts(team, heart_failure) == []


def test_gain_is_measured_from_the_lowest_reading_of_the_last_3_days(team, heart_failure):
    weigh(team, [80.0, 80.0, 81.0])
    assert team.data(heart_failure)["weight_gain_kg"] == 1.0


def test_weights_in_pounds_are_kept_in_kg(team, heart_failure):
    team.pathways.correlate("observation", {"patient_id": "MRN300"}, weight(176.4, "2026-01-10", unit="[lb_av]"))
    assert team.data(heart_failure)["weights"] == [{"date": "2026-01-10", "kg": 80.01}]


def test_only_the_last_14_days_of_weights_are_kept(team, heart_failure):
    weigh(team, [80.0] * 30)
    weights = team.data(heart_failure)["weights"]
    assert (len(weights), weights[0]["date"], weights[-1]["date"]) == (15, "2026-01-25", "2026-02-08")


def test_a_second_reading_on_the_alert_day_opens_no_second_call(team, heart_failure):
    weigh(team, [80.0, 80.6, 81.5, 82.5])
    team.pathways.correlate("observation", {"patient_id": "MRN300"}, weight(82.7, "2026-01-13"))
    assert alerts(team, heart_failure) == [ALERT]


def test_nurse_call_is_recorded(team, heart_failure):
    weigh(team, [80.0, 80.6, 81.5, 82.5])
    team.do(heart_failure, ALERT, PATIENT_CALLED)
    assert alerts(team, heart_failure) == []


def test_weights_of_another_patient_never_reach_this_one(team, heart_failure):
    other = enrolled(team, patient="MRN301")
    weigh(team, [80.0, 80.6, 81.5, 82.5], patient="MRN301")
    assert (alerts(team, heart_failure), alerts(team, other)) == ([], [ALERT])


def test_monitoring_stops_when_the_program_ends(team, frozen_clock, heart_failure):
    assess(team, heart_failure)
    plan(team, heart_failure)
    implement(team, heart_failure)
    review(team, frozen_clock, heart_failure, "discharge", status="met")
    discharge(team, heart_failure)
    view = team.pathways.instance(heart_failure)
    assert (view.instance.status, view.messages) == ("completed", [])
    assert not team.pathways.correlate("observation", {"patient_id": "MRN300"}, weight(85.0, "2026-03-01")).matched
