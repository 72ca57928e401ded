"""Risk tier (DMN risk_tier): low, rising, high and complex, read top down (hit policy FIRST)."""
from __future__ import annotations

import pytest

from tests.pathways.decisions import decide


def tier(lace_band=None, conditions=0, phq9_severity="minimal", social_needs=0) -> str:
    return decide("risk_tier", lace_band=lace_band, qualifying_condition_count=conditions,
                  phq9_severity=phq9_severity, social_needs_count=social_needs)["risk_tier"]


def test_no_risk_factor_is_low():
    assert tier() == "low"


def test_one_chronic_condition_and_mild_depression_is_low():
    assert tier("low", 1, "mild") == "low"


@pytest.mark.parametrize("kwargs", [{"lace_band": "moderate"}, {"conditions": 2}, {"phq9_severity": "moderate"},
                                    {"social_needs": 1}], ids=["lace-moderate", "2-conditions", "phq9-moderate",
                                                               "1-social-need"])
def test_one_emerging_risk_is_rising(kwargs):
    assert tier(**kwargs) == "rising"


@pytest.mark.parametrize("kwargs", [{"lace_band": "high"}, {"conditions": 3},
                                    {"phq9_severity": "moderately_severe"}, {"phq9_severity": "severe"},
                                    {"lace_band": "moderate", "conditions": 2}],
                         ids=["lace-high", "3-conditions", "phq9-moderately-severe", "phq9-severe",
                              "lace-moderate-2-conditions"])
def test_serious_medical_or_mental_health_risk_is_high(kwargs):
    assert tier(**kwargs) == "high"


@pytest.mark.parametrize("kwargs", [{"conditions": 2, "phq9_severity": "moderately_severe"},
                                    {"conditions": 2, "social_needs": 2},
                                    {"lace_band": "high", "phq9_severity": "severe"},
                                    {"lace_band": "high", "social_needs": 3}],
                         ids=["conditions-depression", "conditions-social", "lace-depression", "lace-social"])
def test_medical_risk_with_serious_depression_or_several_social_needs_is_complex(kwargs):
    assert tier(**kwargs) == "complex"


def test_two_conditions_with_one_social_need_is_rising_not_complex():
    assert tier(conditions=2, social_needs=1) == "rising"


def test_missing_lace_score_does_not_raise_the_tier():
    assert tier(None, 1, "minimal", 0) == "low"
