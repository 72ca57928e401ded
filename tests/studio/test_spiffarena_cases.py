"""SpiffArena's own unit tests (test_<file>.json beside the model, from the public corpus) run unchanged. The
ones that do not are named with the reason, which is not carepath's format: stale task keys or a task order that
SpiffArena's own runner does not pass either, a SpiffArena-only script function, answers the form refuses
(carepath checks every answer against the task's form, as its engine does when a care manager submits)."""
from __future__ import annotations

import pytest

from engine.deploy.bundle import load_bundle
from engine.studio.testing import run_bundle
from tests.corpus_path import CORPUS

SPIFF = CORPUS / "spiff"
# their expected_output_json holds the pathway's data only: the engine's patient_id is not expected of them
PASSING = ["1-2-forms", "1-4-decisions", "escalation-events", "timer-events"]


@pytest.fixture(autouse=True)
def corpus():
    if not SPIFF.is_dir():
        pytest.skip(f"the public corpus is not at {CORPUS} (set CAREPATH_CORPUS)")


@pytest.mark.parametrize("folder", PASSING)
def test_spiffarena_cases_pass_unchanged(folder):
    report = run_bundle(load_bundle(SPIFF / folder))
    failing = [(o.file, o.result.case, o.result.message) for o in report.outcomes if not o.result.passed]
    assert (failing, report.problems, report.passed > 0) == ([], [], True)


def test_answers_a_form_refuses_fail_even_where_spiffarena_would_not_check_them():
    report = run_bundle(load_bundle(SPIFF / "2-3-sub-processes"))
    failed = [o.result for o in report.outcomes if not o.result.passed]
    assert [r.message for r in failed] == ["the answers for Activity_1t4zomp:Activity_07pn419 do not fit its form "
                                           "appetizer-schema.json: bruschetta: None is not of type 'boolean'"]
