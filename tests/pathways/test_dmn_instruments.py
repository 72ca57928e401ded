"""PHQ-9 and GAD-7 severity bands, at every band boundary (Kroenke et al. 2001; Spitzer et al. 2006)."""
from __future__ import annotations

import pytest

from tests.pathways.decisions import decide

PHQ9_BANDS = [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
              (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"), (27, "severe")]
GAD7_BANDS = [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
              (15, "severe"), (21, "severe")]


@pytest.mark.parametrize("total, severity", PHQ9_BANDS)
def test_phq9_total_falls_in_its_published_severity_band(total, severity):
    assert decide("phq9_severity", phq9_total=total) == {"phq9_severity": severity}


@pytest.mark.parametrize("total", [-1, 28])
def test_phq9_total_outside_0_to_27_has_no_severity(total):
    assert decide("phq9_severity", phq9_total=total) == {}


@pytest.mark.parametrize("total, severity", GAD7_BANDS)
def test_gad7_total_falls_in_its_published_severity_band(total, severity):
    assert decide("gad7_severity", gad7_total=total) == {"gad7_severity": severity}


@pytest.mark.parametrize("total", [-1, 22])
def test_gad7_total_outside_0_to_21_has_no_severity(total):
    assert decide("gad7_severity", gad7_total=total) == {}
