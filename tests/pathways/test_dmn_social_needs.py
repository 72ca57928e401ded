"""Social needs (DMN social_needs): the AHC HRSN core domains screen positive by the tool's own rules."""
from __future__ import annotations

import pytest

from tests.pathways.decisions import decide

NO_NEEDS = {
    "living_situation": "steady_place", "housing_problems": ["none"], "food_worried": "never_true",
    "food_did_not_last": "never_true", "transportation": "no", "utilities": "no",
    "physically_hurt": 1, "insulted": 1, "threatened": 1, "screamed_or_cursed": 1,
}


def positive(**answers) -> list[str]:
    return decide("social_needs", social_needs={**NO_NEEDS, **answers}).get("social_needs_positive", [])


def test_no_need_adds_nothing_to_the_data():
    assert decide("social_needs", social_needs=NO_NEEDS) == {}


@pytest.mark.parametrize("answer", ["worried_about_losing_it", "no_steady_place"])
def test_living_situation_answers_2_and_3_screen_housing_positive(answer):
    assert positive(living_situation=answer) == ["housing"]


def test_a_problem_with_the_place_screens_housing_positive():
    assert positive(housing_problems=["mold", "water_leaks"]) == ["housing"]


def test_housing_is_listed_once_when_both_housing_questions_are_positive():
    assert positive(living_situation="no_steady_place", housing_problems=["pests"]) == ["housing"]


@pytest.mark.parametrize("answer", ["often_true", "sometimes_true"])
def test_worry_that_food_runs_out_screens_food_positive(answer):
    assert positive(food_worried=answer) == ["food"]


@pytest.mark.parametrize("answer", ["often_true", "sometimes_true"])
def test_food_that_did_not_last_screens_food_positive(answer):
    assert positive(food_did_not_last=answer) == ["food"]


def test_food_is_listed_once_when_both_food_questions_are_positive():
    assert positive(food_worried="often_true", food_did_not_last="often_true") == ["food"]


def test_transportation_yes_screens_positive():
    assert positive(transportation="yes") == ["transportation"]


@pytest.mark.parametrize("answer", ["yes", "already_shut_off"])
def test_utility_shut_off_threat_or_shut_off_screens_positive(answer):
    assert positive(utilities=answer) == ["utilities"]


def test_safety_score_of_10_is_negative():
    assert positive(physically_hurt=1, insulted=3, threatened=3, screamed_or_cursed=3) == []


def test_safety_score_of_11_screens_positive():
    assert positive(physically_hurt=2, insulted=3, threatened=3, screamed_or_cursed=3) == ["safety"]


def test_every_domain_positive_lists_all_five_in_order():
    assert positive(living_situation="no_steady_place", food_worried="sometimes_true", transportation="yes",
                    utilities="yes", physically_hurt=5, insulted=5, threatened=5, screamed_or_cursed=5) == [
        "housing", "food", "transportation", "utilities", "safety"]
