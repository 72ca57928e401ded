"""Test cases beside the pathways (SpiffArena's format with carepath's extensions), played in memory on a
simulated clock: tasks answered, time moved on, messages delivered, the path, the tasks per role."""
from __future__ import annotations

import json
import threading

import pytest

from engine.deploy.bundle import Bundle
from engine.errors import InvalidInput
from engine.runtime.runner import Runtime
from engine.studio import cases, testing
from engine.studio.runner import play
from engine.time import clock
from tests.pathways import answers as A

pytestmark = pytest.mark.dates  # cases run on their own clock: they must not care what day it is

NO_ANSWER = {"outreach_method": "phone", "outreach_outcome": "no_answer"}


def run(parsed, process, body, walk=False):
    return play(parsed, Runtime(None), process, cases.parse_case("bpmn/test_x.json", "case", body), walk=walk)


def test_every_shipped_program_and_stage_has_green_test_cases(library_bundle, library_parsed):
    report = testing.run_bundle(library_bundle, parsed=library_parsed)
    tested = {o.bpmn for o in report.outcomes}
    bpmn = {p for p in library_bundle.files if p.endswith(".bpmn")}
    failing = [(o.file, o.result.case, o.result.message) for o in report.outcomes if not o.result.passed]
    assert (failing, report.problems, bpmn - tested) == ([], [], set())


def test_a_case_answers_tasks_in_the_order_they_come(library_parsed):
    result = run(library_parsed, "engagement", {"start_data": {"program_code": "ccm"}, "tasks": {
        "outreach_attempt": {"data": [A.REACHED]}, "record_consent": {"data": [A.CONSENT_GIVEN]}}})
    assert (result.passed, result.tasks) == (True, {"care_manager": ["outreach_attempt", "record_consent"]})


def test_time_steps_fire_the_timers_that_come_due(library_parsed):
    result = run(library_parsed, "engagement", {
        "start_data": {"program_code": "ccm"}, "tasks": {"outreach_attempt": {"data": [NO_ANSWER] * 3}},
        "steps": [{"advance": "P3D", "after_tasks": 1}, {"advance": "P4D", "after_tasks": 2}],
        "expected_data": {"engaged": False, "program_end_reason": "no_contact"}})
    assert (result.passed, result.message, result.now[:10]) == (True, None, "2026-01-12")


def test_a_timer_not_yet_due_does_not_fire(library_parsed):
    result = run(library_parsed, "engagement", {
        "start_data": {"program_code": "ccm"}, "tasks": {"outreach_attempt": {"data": [NO_ANSWER]}},
        "steps": [{"advance": "P2D", "after_tasks": 1}], "expected_status": "waiting"})
    assert (result.passed, [w["kind"] for w in result.waiting]) == (True, ["timer"])


def test_a_message_reaches_the_pathway_that_waits_for_it(library_bundle, library_parsed):
    body = json.loads(library_bundle.files["bpmn/test_diabetes.json"])["high_hba1c_opens_a_plan_review"]
    result = run(library_parsed, "diabetes", body)
    assert (result.passed, "hba1c_plan_review" in result.tasks["care_manager"]) == (True, True)


def test_a_message_nothing_waits_for_fails_the_case_naming_it(library_parsed):
    result = run(library_parsed, "engagement", {"start_data": {"program_code": "ccm"},
                                                "steps": [{"message": "lab_result", "payload": {}}]})
    assert (result.passed, result.message) == (False, "nothing in the pathway waits for message 'lab_result'")


def test_a_different_path_fails_with_the_expected_and_the_actual_path(library_parsed):
    result = run(library_parsed, "engagement", {
        "start_data": {"program_code": "ccm"},
        "tasks": {"outreach_attempt": {"data": [A.REACHED]}, "record_consent": {"data": [A.CONSENT_GIVEN]}},
        "expected_path": ["ready_for_outreach", "somewhere_else"]})
    assert (result.passed, result.message.startswith("the path differs from element 2"),
            result.expected) == (False, True, ["ready_for_outreach", "somewhere_else"])
    assert result.actual[:2] == ["ready_for_outreach", "prepare_outreach"]


def test_answers_the_form_refuses_fail_the_case_at_that_step(library_parsed):
    result = run(library_parsed, "engagement", {"start_data": {"program_code": "ccm"}, "tasks": {
        "outreach_attempt": {"data": [{"outreach_method": "carrier_pigeon", "outreach_outcome": "reached"}]}}})
    assert (result.passed, result.step, "do not fit its form" in result.message) == (False, 2, True)
    assert result.steps[1] == "engagement:outreach_attempt done by care_manager"


def test_a_case_that_ends_waiting_fails_when_it_expects_the_end(library_parsed):
    result = run(library_parsed, "engagement", {"start_data": {"program_code": "ccm"},
                                                "tasks": {"outreach_attempt": {"data": [A.REACHED]}}})
    assert (result.passed, result.expected, result.actual) == (False, "completed", "waiting")


def test_answers_left_unused_fail_the_case(library_parsed):
    result = run(library_parsed, "engagement", {"start_data": {"program_code": "ccm"}, "tasks": {
        "outreach_attempt": {"data": [A.REACHED, A.REACHED]}, "record_consent": {"data": [A.CONSENT_GIVEN]}}})
    assert (result.passed, result.message) == (False, "answers left unused: outreach_attempt (1)")


def test_a_walk_stops_at_the_first_task_the_case_does_not_answer(library_parsed):
    result = run(library_parsed, "ccm", {"start_data": A.CCM_CANDIDATE}, walk=True)
    assert ([t["key"] for t in result.open_tasks], result.tasks) == (
        ["identification:review_candidate"], {"care_manager": ["review_candidate"]})


def test_dates_in_the_data_come_from_the_case_moment_not_today(library_parsed):
    result = run(library_parsed, "ccm", {"start_data": A.CCM_CANDIDATE, "start_at": "2027-03-01T09:00:00Z"},
                 walk=True)
    assert result.data["enrolled_on"] == "2027-03-01"


def test_a_case_leaves_the_process_clock_alone(library_parsed):
    before = clock.get_clock()
    run(library_parsed, "ccm", {"start_data": A.CCM_CANDIDATE, "start_at": "2030-01-01T00:00:00Z"}, walk=True)
    assert clock.get_clock() is before


def test_other_threads_keep_their_clock_while_a_case_runs(library_parsed, frozen_clock):
    seen = []
    from engine.studio import simclock

    with simclock.simulated(clock.FrozenClock(frozen_clock.now().replace(year=2031))):
        thread = threading.Thread(target=lambda: seen.append(clock.now()))
        thread.start()
        thread.join()
        mine = clock.now()
    assert (seen[0], mine.year) == (frozen_clock.now(), 2031)


def test_a_test_file_with_an_unknown_key_is_refused_naming_the_case():
    with pytest.raises(InvalidInput, match="case 'c': unknown key"):
        cases.parse_file("bpmn/test_ccm.json", b'{"c": {"tasks": {}, "expect": 1}}')


def test_a_test_file_that_is_not_json_names_the_line():
    with pytest.raises(InvalidInput, match=r"bpmn/test_ccm.json: not valid JSON \(line 1"):
        cases.parse_file("bpmn/test_ccm.json", b'{"c": ')


def test_a_test_file_without_its_bpmn_file_is_reported(library_bundle, library_parsed):
    files = dict(library_bundle.files, **{"bpmn/test_nothing.json": b'{"c": {"tasks": {}}}'})
    report = testing.run_bundle(Bundle("x", files), parsed=library_parsed, only_file="bpmn/test_nothing.json")
    assert report.problems == ["bpmn/test_nothing.json: there is no bpmn/nothing.bpmn beside it to test"]


def test_spiffarena_keys_are_kept_when_a_case_is_written_back():
    body = {"tasks": {"p:t": {"data": [{"a": 1}]}}, "expected_output_json": {"a": 1}}
    written = cases.case_to_json(cases.parse_case("bpmn/test_x.json", "c", body))
    assert (written["tasks"], written["expected_output_json"]) == (body["tasks"], body["expected_output_json"])


def test_an_output_that_differs_names_the_keys(library_parsed):
    result = run(library_parsed, "engagement", {
        "start_data": {"program_code": "ccm"},
        "tasks": {"outreach_attempt": {"data": [A.REACHED]}, "record_consent": {"data": [A.CONSENT_GIVEN]}},
        "expected_output_json": {"program_code": "ccm", "engaged": "maybe", "patient_id": "TEST-1"}})
    assert result.passed is False
    assert result.message.startswith("the output data differs at engaged; also holds ")
    assert "program_code" not in result.message and "contacted" in result.message
