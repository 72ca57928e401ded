"""Heart failure management (pathways/bpmn/heart_failure.bpmn): the care stages, with daily weights watched.

Once the patient is engaged, observation messages from the home scale are kept in `weights` (one a day, the
last 14 days) and a gain of more than 2 kg within 3 days opens "Weight gain alert: call patient", an urgent
nurse task due within 4 hours. The monitoring ends with the program.

The weights and the alerts (with the nurse's call) live in the program's data objects weights and weight_alerts,
not in the monitoring branch's task data, so the discharge stage on the main branch gets them: the hand-off
summary to primary care gives the recent weights and every alert with what was done about it.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.pathways.answers import (
    GOALS_MET,
    HAND_OFF,
    PATIENT_CALLED,
    assess,
    discharge,
    engage,
    implement,
    month_later,
    monthly_review,
    plan,
    review,
    weight,
)
from tests.registry import register

ALERT = "Weight gain alert: call patient"


def enrolled(team, patient="MRN300"):
    register(team.pathways, patient)
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
    register(team.pathways, "MRN300")
    instance_id = team.pathways.start("heart_failure", "MRN300").id
    data = team.data(instance_id)
    assert (data["program_code"], data["program_name"], data["weights"], data["weight_alerts"]) == (
        "heart_failure", "Heart failure management", [], [])


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


def test_alert_is_kept_with_the_nurses_call(team, frozen_clock, heart_failure):
    weigh(team, [80.0, 80.6, 81.5, 82.5])
    assert team.data(heart_failure)["weight_alerts"] == [
        {"date": "2026-01-13", "weight_kg": 82.5, "gain_kg": 2.5, "window_days": 3, "status": "open"}]
    weigh(team, [82.0, 81.6], first_day="2026-01-14")  # readings go on while the call is open
    team.do(heart_failure, ALERT, PATIENT_CALLED)
    data = team.data(heart_failure)
    (alert,) = data["weight_alerts"]
    assert (alert["status"], alert["called_on"], alert["call"]["action"]) == (
        "called", frozen_clock.now().date().isoformat(), "physician_today")
    assert [w["kg"] for w in data["weights"]] == [80.0, 80.6, 81.5, 82.5, 82.0, 81.6]


# ------------------------------------------------------------------ the weights reach the discharge stage
def test_discharge_summary_gives_the_weights_and_the_alerts(team, frozen_clock, heart_failure):
    weigh(team, [80.0, 80.6, 81.5, 82.5], first_day="2026-01-05")  # alert on 2026-01-08
    team.do(heart_failure, ALERT, PATIENT_CALLED)
    assess(team, heart_failure)
    plan(team, heart_failure)
    implement(team, heart_failure)
    month_later(team, frozen_clock)  # 2026-02-06: the monthly review is due
    weigh(team, [80.0, 80.5, 82.3], first_day="2026-02-03")  # a second alert, still open at discharge
    team.do(heart_failure, "Monthly review", monthly_review("discharge", status="met"))
    team.do(heart_failure, "Discharge review", GOALS_MET)

    hand_off = team.form_data(heart_failure, "Hand-off summary to primary care")
    assert [w["date"] for w in hand_off["weights"]] == ["2026-02-03", "2026-02-04", "2026-02-05"]  # last 14 days
    assert [(a["date"], a["status"]) for a in hand_off["weight_alerts"]] == [
        ("2026-01-08", "called"), ("2026-02-05", "open")]
    summary = hand_off["handoff_summary"]
    assert ("Weights (as recorded on 2026-02-06, when the discharge began), in kg, 2026-02-03 to 2026-02-05: "
            "80.0 (02-03), 80.5 (02-04), 82.3 (02-05).") in summary
    assert "Latest: 82.3 kg on 2026-02-05." in summary
    assert ("2026-01-08: 82.5 kg, up 2.5 kg within 3 days; patient called on 2026-01-05, action: physician today."
            in summary)
    assert "2026-02-05: 82.3 kg, up 2.3 kg within 3 days; call still open at discharge." in summary

    team.do(heart_failure, "Hand-off summary to primary care", HAND_OFF)
    assert (team.status(heart_failure), team.titles(heart_failure)) == ("completed", [])  # the open call closed
    monitoring = team.data(heart_failure)["discharge"]["monitoring"]
    assert monitoring["as_of"] == "2026-02-06"
    assert [w["kg"] for w in monitoring["weights"]] == [80.0, 80.5, 82.3]
    assert [a["gain_kg"] for a in monitoring["weight_alerts"]] == [2.5, 2.3]


def test_discharge_summary_holds_the_weights_recorded_when_the_discharge_began(team, frozen_clock, heart_failure):
    """The stage gets the data objects as it starts (a call activity's inputs); what comes later is in the
    program's data, not in the summary, which says the date it was drafted from."""
    assess(team, heart_failure)
    plan(team, heart_failure)
    implement(team, heart_failure)
    month_later(team, frozen_clock)
    weigh(team, [80.0], first_day="2026-02-05")
    team.do(heart_failure, "Monthly review", monthly_review("discharge", status="met"))
    weigh(team, [80.4], first_day="2026-02-06")  # during the discharge review
    team.do(heart_failure, "Discharge review", GOALS_MET)
    hand_off = team.form_data(heart_failure, "Hand-off summary to primary care")
    assert [w["kg"] for w in hand_off["weights"]] == [80.0]
    assert "when the discharge began" in hand_off["handoff_summary"]
    assert [w["kg"] for w in team.data(heart_failure)["weights"]] == [80.0, 80.4]
