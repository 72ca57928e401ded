"""LACE index points and risk band (van Walraven et al., CMAJ 2010;182:551-557)."""
from __future__ import annotations

import pytest

from tests.pathways.decisions import decide

NEUTRAL = {"length_of_stay_days": 0, "emergent_admission": False, "charlson_index": 0, "ed_visits_6_months": 0}


def points(**lace_inputs) -> dict:
    result = decide("lace_points", lace_inputs={**NEUTRAL, **lace_inputs})
    return dict(zip(result["component"], result["points"], strict=True))


def score(**lace_inputs) -> int:
    return sum(points(**lace_inputs).values())


def band(lace_score) -> str:
    return decide("lace_band", lace_score=lace_score)["lace_band"]


def test_each_component_is_scored_once_in_the_order_l_a_c_e():
    assert decide("lace_points", lace_inputs=NEUTRAL)["component"] == ["L", "A", "C", "E"]


@pytest.mark.parametrize("days, expected", [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (6, 4), (7, 5), (13, 5),
                                            (14, 7), (45, 7)])
def test_length_of_stay_points(days, expected):
    assert points(length_of_stay_days=days)["L"] == expected


@pytest.mark.parametrize("emergent, expected", [(True, 3), (False, 0)])
def test_acute_admission_points(emergent, expected):
    assert points(emergent_admission=emergent)["A"] == expected


@pytest.mark.parametrize("charlson, expected", [(0, 0), (1, 1), (2, 2), (3, 3), (4, 5), (9, 5)])
def test_charlson_index_points(charlson, expected):
    assert points(charlson_index=charlson)["C"] == expected


@pytest.mark.parametrize("visits, expected", [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (12, 4)])
def test_emergency_visit_points(visits, expected):
    assert points(ed_visits_6_months=visits)["E"] == expected


def test_worked_example_5_day_emergency_stay_charlson_5_two_visits_scores_14():
    # 5 days (+4), acute (+3), Charlson 5 (+5), 2 ED visits (+2): LACE 14 (the cliot R package's example 1)
    assert score(length_of_stay_days=5, emergent_admission=True, charlson_index=5, ed_visits_6_months=2) == 14


def test_worked_example_score_14_is_high_risk():
    assert band(14) == "high"


def test_worked_example_2_day_elective_stay_without_comorbidity_scores_2_low_risk():
    # 2 days (+2), elective (0), Charlson 0, no ED visit: LACE 2 (the cliot R package's example 2)
    assert band(score(length_of_stay_days=2)) == "low"


def test_highest_possible_score_is_19():
    assert score(length_of_stay_days=14, emergent_admission=True, charlson_index=4, ed_visits_6_months=4) == 19


@pytest.mark.parametrize("lace_score, expected", [(0, "low"), (4, "low"), (5, "moderate"), (9, "moderate"),
                                                  (10, "high"), (19, "high")])
def test_lace_band_boundaries(lace_score, expected):
    assert band(lace_score) == expected
