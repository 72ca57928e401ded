"""The program dashboard: each chart's figures from the rows the pathways wrote, its filters (program, team,
date range), and the patients or tasks behind each number (the same count)."""
from __future__ import annotations

from datetime import date

import pytest

from engine.service import InvalidInput
from tests.reports.world import ADA, NINA, at, discharge, enrol, review

pytestmark = pytest.mark.dates

RANGE = {"start": "2026-10-01", "end": "2027-03-15"}


@pytest.fixture
def programs(reports, frozen_clock):
    """Three CCM patients (one complex, one of nina's) with reviews, scores and measurements, and a TCM
    discharge."""
    a = enrol(reports, frozen_clock, "D1", consent_on="2026-11-02", plan_on="2026-11-04", tier="rising")
    b = enrol(reports, frozen_clock, "D2", consent_on="2027-01-11", plan_on="2027-01-12", tier="complex")
    enrol(reports, frozen_clock, "D3", consent_on="2027-02-01", plan_on=None, by=NINA)
    review(reports, frozen_clock, a, "2026-12-01", phq9=16, gad7=12, hba1c=9.1, kg=88.0)
    review(reports, frozen_clock, a, "2027-02-01", phq9=9, gad7=10, hba1c=8.2, kg=86.5)
    review(reports, frozen_clock, b, "2027-02-02", phq9=7, hba1c=7.8, claimed_hour=9, hour=15)
    review(reports, frozen_clock, b, "2027-03-01", phq9=6, decision="discharge")
    discharge(reports, frozen_clock, "D4", "2027-03-10")
    frozen_clock.set(at("2027-03-15"))
    return reports


@pytest.fixture(autouse=True, params=["worked out live", "read from the summary"])
def source(request, monkeypatch):
    """Every chart twice: asked of the rows while one waits, and with open work and throughput read from the
    summary background work keeps (engine.reports.work_summary), brought up to date just before each read."""
    if request.param == "read from the summary" and "programs" in request.fixturenames:
        service = request.getfixturevalue("programs")
        live = service.dashboard

        def from_summary(viewer, **filters):
            service.refresh_report_summaries()
            board = live(viewer, **filters)
            assert (board.work_as_of is not None) == (filters.get("team") is None), "the summary was not read"
            return board

        monkeypatch.setattr(service, "dashboard", from_summary)
    return request.param


def _chart(board, key):
    return next(c for c in board.charts if c.key == key)


def _values(chart):
    return {row.label: row.values for row in chart.rows}


def test_enrolment_counts_programs_started_in_each_month(programs):
    chart = _chart(programs.dashboard(ADA, **RANGE), "enrolment")
    counts = {row.label: sum(row.values) for row in chart.rows}
    assert counts["Nov 2026"] == 1 and counts["Jan 2027"] == 1 and counts["Feb 2027"] == 1
    assert counts["Mar 2027"] == 1 and sum(counts.values()) == 4


def test_a_short_range_is_shown_by_week():
    from engine.reports.dashboard import _buckets
    from engine.reports.periods import DateRange

    weeks = _buckets(DateRange(date(2027, 3, 3), date(2027, 3, 15)))
    assert [label for _, _, label in weeks] == ["week of 01 Mar 2027", "week of 08 Mar 2027",
                                                "week of 15 Mar 2027"]


def test_patients_per_stage_lists_every_stage_and_the_programs_that_ended(programs):
    rows = _values(_chart(programs.dashboard(ADA, **RANGE), "funnel"))
    assert list(rows)[:8] == ["Identification", "Engagement", "Assessment", "Mood screening", "Planning",
                              "Implementation", "Evaluation", "Transition or discharge"]
    assert rows["Evaluation"] == [2] and rows["Ended in the period"] == [1]
    assert rows["Transitional Care Management"] == [1]


def test_open_and_overdue_tasks_are_counted_by_role_and_by_person(programs):
    board = programs.dashboard(ADA, **RANGE)
    by_role, by_person = _values(_chart(board, "tasks_by_role")), _values(_chart(board, "tasks_by_person"))
    assert by_role["Care manager"] == [2, 2]  # two monthly reviews, due a week after they opened
    assert by_role["Nurse"] == [1, 1]  # the TCM contact, due on Friday 12 March, the 2nd business day
    assert by_person["Waiting in a queue"][0] == 3


def test_throughput_counts_the_tasks_completed_each_week(programs):
    rows = {row.key: row.values for row in _chart(programs.dashboard(ADA, **RANGE), "throughput").rows}
    # D1's and D2's reviews (both after their week's due time), D3's consent and draft plan
    assert rows["2027-02-01/2027-02-07"] == [4, 2]


def test_risk_tiers_come_from_the_patient_records(programs):
    rows = _values(_chart(programs.dashboard(ADA, **RANGE), "risk"))
    assert rows["Rising"] == [1] and rows["Complex"] == [1] and rows["High"] == [1] and rows["Not assessed"] == [1]


def test_mood_outcomes_compare_each_patients_first_and_latest_score(programs):
    rows = _values(_chart(programs.dashboard(ADA, **RANGE), "mood"))
    screened, followed, improved, share, first, latest = rows["PHQ-9"]
    assert (screened, followed, improved, share) == (2, 2, 1, 0.5)  # D1 16 -> 9 improved by 7; D2 7 -> 6
    assert (first, latest) == (11.5, 7.5)
    assert rows["GAD-7"][:3] == [1, 1, 0]


def test_hba1c_and_weight_trends_are_monthly_means(programs):
    board = programs.dashboard(ADA, **RANGE)
    hba1c, weight = _values(_chart(board, "hba1c")), _values(_chart(board, "weight"))
    assert hba1c["December 2026"] == [1, 9.1, 0.0] and hba1c["February 2027"] == [2, 8.0, 0.0]
    assert weight["February 2027"] == [1, 86.5, -1.5]


def test_the_program_filter_keeps_one_program(programs):
    board = programs.dashboard(ADA, program="tcm", **RANGE)
    assert _values(_chart(board, "funnel")) == {"Transitional Care Management": [1], "Ended in the period": [0]}


def test_the_program_filter_keeps_one_programs_open_work_and_throughput(programs):
    board = programs.dashboard(ADA, program="tcm", **RANGE)
    assert _values(_chart(board, "tasks_by_role")) == {"Nurse": [1, 1]}
    assert sum(row.values[0] for row in _chart(board, "throughput").rows) == 0


def test_the_team_filter_keeps_the_patients_of_a_care_team_role(programs):
    board = programs.dashboard(ADA, team="nurse", **RANGE)  # nina, a nurse, enrolled D3
    assert sum(sum(row.values) for row in _chart(board, "enrolment").rows) == 1


@pytest.mark.parametrize("chart,key,series", [
    ("enrolment", "2026-11-01/2026-11-30", "ccm"), ("funnel", "Evaluation", "patients"),
    ("funnel", "Ended in the period", "patients"), ("tasks_by_role", "care_manager", "overdue"),
    ("tasks_by_person", "-", "open"), ("throughput", "2027-02-01/2027-02-07", "completed"),
    ("risk", "complex", "patients"), ("mood", "phq9", "improved"), ("hba1c", "2027-02", "patients"),
])
def test_the_list_behind_a_number_holds_as_many_as_it_counts(programs, chart, key, series):
    board = programs.dashboard(ADA, **RANGE)
    found = _chart(board, chart)
    row = next(r for r in found.rows if r.key == key)
    number = row.values[[k for k, _ in found.series].index(series)]
    behind = programs.dashboard_drill(ADA, chart, key, series, **RANGE)
    assert behind.total == number and len(behind.lines) == number


@pytest.mark.parametrize("filters,message", [
    ({"program": "nope"}, "no program"), ({"team": "wizards"}, "no team"),
    ({"start": "2027-03-10", "end": "2027-03-01"}, "starts after it ends"), ({"start": "yesterday"}, "YYYY-MM-DD"),
])
def test_a_wrong_filter_is_refused_by_name(programs, filters, message):
    with pytest.raises(InvalidInput, match=message):
        programs.dashboard(ADA, **filters)


def test_the_list_behind_an_unknown_chart_is_refused(programs):
    with pytest.raises(InvalidInput, match="no chart"):
        programs.dashboard_drill(ADA, "pie", "x", "y")
