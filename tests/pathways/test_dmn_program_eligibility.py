"""Program eligibility (DMN program_eligibility): CCM's CMS criterion and this library's rules for the others."""
from __future__ import annotations

import pytest

from tests.pathways.decisions import decide


def eligible(program_code, conditions=0, lace_band=None) -> bool:
    return decide("program_eligibility", program_code=program_code, qualifying_condition_count=conditions,
                  lace_band=lace_band)["eligible"]


def test_ccm_with_two_chronic_conditions_lasting_12_months_is_eligible():
    assert eligible("ccm", 2)


def test_ccm_with_one_chronic_condition_is_not_eligible():
    assert not eligible("ccm", 1)


def test_ccm_eligibility_does_not_depend_on_the_readmission_risk():
    assert eligible("ccm", 3, "low")


def test_ccm_reason_names_the_two_condition_rule():
    result = decide("program_eligibility", program_code="ccm", qualifying_condition_count=1, lace_band=None)
    assert "2 or more chronic conditions" in result["eligibility_reason"]


@pytest.mark.parametrize("lace_band", ["moderate", "high"])
def test_tcm_with_moderate_or_high_readmission_risk_is_eligible(lace_band):
    assert eligible("tcm", 0, lace_band)


def test_tcm_with_low_readmission_risk_is_not_eligible():
    assert not eligible("tcm", 3, "low")


def test_tcm_without_a_lace_score_is_eligible():
    assert eligible("tcm", 0, None)


@pytest.mark.parametrize("program_code", ["diabetes", "heart_failure", "behavioural_health"])
def test_condition_programs_take_a_patient_with_the_condition(program_code):
    assert eligible(program_code, 1)


@pytest.mark.parametrize("program_code", ["diabetes", "heart_failure", "behavioural_health"])
def test_condition_programs_refuse_a_patient_without_a_qualifying_condition(program_code):
    assert not eligible(program_code, 0, "high")


def test_unknown_program_is_not_eligible():
    assert decide("program_eligibility", program_code="yoga", qualifying_condition_count=5, lace_band="high") == {
        "eligible": False, "eligibility_reason": "unknown program"}
