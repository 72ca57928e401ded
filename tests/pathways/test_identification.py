"""The identification stage (pathways/bpmn/identification.bpmn), started on its own as a program.

A candidate's LACE score and chronic conditions are scored from the start data, the program's criteria
checked (DMN program_eligibility), and a care manager reviews the candidate: enrol, do not enrol, or correct
the details and score again.
"""
from __future__ import annotations

import pytest

from engine.care.actors import Actor
from engine.care.task_forms import FormInvalid
from tests.pathways.library import deploy_library, deploy_stages
from tests.registry import register

CARE_MANAGER = Actor.person("carl", "care_manager")
TWO_LASTING_CONDITIONS = [
    {"name": "Type 2 diabetes", "lasting_12_months": True},
    {"name": "Heart failure", "lasting_12_months": True},
]
# L: 5 days -> 4, A: emergency -> 3, C: Charlson 2 -> 2, E: 1 visit -> 1; LACE 10 (high)
RECENT_STAY = {"length_of_stay_days": 5, "emergent_admission": True, "charlson_index": 2, "ed_visits_6_months": 1}


def start(pathways, **data):
    deploy_stages(pathways, "identification")
    register(pathways, "MRN100")
    return pathways.start("identification", "MRN100", data)


def open_task(pathways, instance_id, title):
    tasks = [t for t in pathways.tasks(instance_id=instance_id) if t.title == title]
    assert len(tasks) == 1, [t.title for t in pathways.tasks(instance_id=instance_id)]
    return tasks[0]


def review(pathways, instance_id, answers):
    pathways.complete(open_task(pathways, instance_id, "Review candidate").id, answers, CARE_MANAGER)


def data_of(pathways, instance_id):
    return pathways.instance_data(instance_id)


@pytest.fixture
def candidate(pathways):
    return start(pathways, chronic_conditions=TWO_LASTING_CONDITIONS, lace_inputs=RECENT_STAY)


@pytest.fixture
def one_condition(pathways):
    return start(pathways, chronic_conditions=TWO_LASTING_CONDITIONS[:1], lace_inputs=RECENT_STAY)


def test_identification_deploys_with_the_whole_library(pathways):
    deployment = deploy_library(pathways)
    assert "identification" in {process["id"] for process in deployment.processes}


def test_review_candidate_waits_in_the_care_manager_worklist(pathways, candidate):
    task = open_task(pathways, candidate.id, "Review candidate")
    assert (task.role, task.stage) == ("care_manager", "Identification")


def test_review_candidate_names_its_form(pathways, candidate):
    task = open_task(pathways, candidate.id, "Review candidate")
    assert (task.form_schema, task.form_ui_schema) == ("identification-review_candidate-schema.json",
                                                       "identification-review_candidate-uischema.json")


def test_lace_points_are_kept_per_component(pathways, candidate):
    assert data_of(pathways, candidate.id)["lace_points"] == {"L": 4, "A": 3, "C": 2, "E": 1}


def test_lace_score_is_the_sum_of_the_points(pathways, candidate):
    assert data_of(pathways, candidate.id)["lace_score"] == 10


def test_lace_score_of_ten_is_a_high_band(pathways, candidate):
    assert data_of(pathways, candidate.id)["lace_band"] == "high"


def test_conditions_lasting_twelve_months_are_counted(pathways):
    conditions = TWO_LASTING_CONDITIONS + [{"name": "Sprained ankle", "lasting_12_months": False}]
    instance = start(pathways, chronic_conditions=conditions)
    assert data_of(pathways, instance.id)["qualifying_condition_count"] == 2


def test_two_lasting_conditions_make_a_ccm_candidate_eligible(pathways, candidate):
    assert data_of(pathways, candidate.id)["eligible"] is True


def test_enrolled_candidate_is_identified(pathways, candidate):
    review(pathways, candidate.id, {"candidate_decision": "enrol"})
    data = data_of(pathways, candidate.id)
    assert (data["identified"], data["candidate_decision"]) == (True, "enrol")


def test_enrolment_ends_the_stage_without_an_end_reason(pathways, candidate):
    review(pathways, candidate.id, {"candidate_decision": "enrol"})
    assert pathways.instance(candidate.id).instance.status == "completed"
    assert "program_end_reason" not in data_of(pathways, candidate.id)


def test_one_lasting_condition_is_not_eligible_for_ccm(pathways, one_condition):
    assert data_of(pathways, one_condition.id)["eligible"] is False


def test_ineligible_candidate_ends_with_not_eligible(pathways, one_condition):
    review(pathways, one_condition.id, {"candidate_decision": "decline", "decline_reason": "not_eligible"})
    data = data_of(pathways, one_condition.id)
    assert (data["identified"], data["program_end_reason"]) == (False, "not_eligible")


def test_enrolling_an_ineligible_candidate_is_refused_though_the_submission_leaves_eligibility_out(
        pathways, one_condition):
    with pytest.raises(FormInvalid) as refused:
        review(pathways, one_condition.id, {"candidate_decision": "enrol"})
    assert list(refused.value.errors) == ["candidate_decision"]
    assert open_task(pathways, one_condition.id, "Review candidate").status == "open"


def test_a_submission_cannot_make_an_ineligible_candidate_eligible(pathways, one_condition):
    with pytest.raises(FormInvalid) as refused:
        review(pathways, one_condition.id, {"eligible": True, "candidate_decision": "enrol"})
    assert refused.value.errors == {"eligible": "is read-only: the pathway sets it, a submission cannot change it"}
    assert data_of(pathways, one_condition.id)["eligible"] is False


def test_a_submission_may_send_a_read_only_field_back_as_it_was_shown(pathways, candidate):
    review(pathways, candidate.id, {"eligible": True, "qualifying_condition_count": 2, "candidate_decision": "enrol"})
    assert data_of(pathways, candidate.id)["identified"] is True


def test_form_refuses_enrolment_when_shown_the_candidate_is_not_eligible(pathways, one_condition):
    with pytest.raises(FormInvalid):
        review(pathways, one_condition.id, {"eligible": False, "candidate_decision": "enrol"})


def test_not_enrolling_needs_a_reason(pathways, candidate):
    with pytest.raises(FormInvalid) as refused:
        review(pathways, candidate.id, {"candidate_decision": "decline"})
    assert "decline_reason" in refused.value.errors


def test_eligible_candidate_not_enrolled_ends_with_declined_enrolment(pathways, candidate):
    review(pathways, candidate.id, {"candidate_decision": "decline", "decline_reason": "enrolled_elsewhere"})
    data = data_of(pathways, candidate.id)
    assert (data["identified"], data["program_end_reason"]) == (False, "declined_enrolment")


def test_correct_the_details_opens_the_correction_task(pathways, candidate):
    review(pathways, candidate.id, {"candidate_decision": "correct"})
    assert [t.title for t in pathways.tasks(instance_id=candidate.id)] == ["Correct candidate details"]


def test_corrected_details_are_scored_again(pathways, candidate):
    review(pathways, candidate.id, {"candidate_decision": "correct"})
    correction = open_task(pathways, candidate.id, "Correct candidate details")
    shorter_stay = RECENT_STAY | {"length_of_stay_days": 2, "emergent_admission": False}
    pathways.complete(correction.id, {"chronic_conditions": TWO_LASTING_CONDITIONS, "lace_inputs": shorter_stay,
                                      "correction_note": "stay was 2 days, elective (discharge summary)"},
                      CARE_MANAGER)
    open_task(pathways, candidate.id, "Review candidate")
    data = data_of(pathways, candidate.id)
    assert (data["lace_points"], data["lace_score"], data["lace_band"]) == (
        {"L": 2, "A": 0, "C": 2, "E": 1}, 5, "moderate")


def test_a_corrected_condition_makes_the_candidate_eligible(pathways, one_condition):
    review(pathways, one_condition.id, {"candidate_decision": "correct"})
    correction = open_task(pathways, one_condition.id, "Correct candidate details")
    pathways.complete(correction.id, {"chronic_conditions": TWO_LASTING_CONDITIONS,
                                      "correction_note": "heart failure was missing from the problem list"},
                      CARE_MANAGER)
    review(pathways, one_condition.id, {"candidate_decision": "enrol"})
    assert data_of(pathways, one_condition.id)["identified"] is True


def test_correction_is_kept_with_its_note(pathways, candidate):
    review(pathways, candidate.id, {"candidate_decision": "correct"})
    correction = open_task(pathways, candidate.id, "Correct candidate details")
    pathways.complete(correction.id, {"chronic_conditions": TWO_LASTING_CONDITIONS,
                                      "correction_note": "checked with the GP"}, CARE_MANAGER)
    assert [c["note"] for c in data_of(pathways, candidate.id)["candidate_corrections"]] == ["checked with the GP"]


def test_correction_needs_a_note(pathways, candidate):
    review(pathways, candidate.id, {"candidate_decision": "correct"})
    correction = open_task(pathways, candidate.id, "Correct candidate details")
    with pytest.raises(FormInvalid):
        pathways.complete(correction.id, {"chronic_conditions": TWO_LASTING_CONDITIONS}, CARE_MANAGER)


def test_without_start_data_the_candidate_has_no_qualifying_conditions(pathways):
    instance = start(pathways)
    data = data_of(pathways, instance.id)
    assert (data["chronic_conditions"], data["qualifying_condition_count"], data["eligible"]) == ([], 0, False)


def test_without_a_hospital_stay_the_readmission_risk_is_unknown(pathways):
    instance = start(pathways, chronic_conditions=TWO_LASTING_CONDITIONS)
    data = data_of(pathways, instance.id)
    assert (data["lace_points"], data["lace_score"], data["lace_band"]) == ({}, None, None)


def test_missing_stay_details_count_as_zero(pathways):
    instance = start(pathways, lace_inputs={"length_of_stay_days": 14})
    data = data_of(pathways, instance.id)
    assert (data["lace_points"], data["lace_score"]) == ({"L": 7, "A": 0, "C": 0, "E": 0}, 7)


def test_minutes_spent_on_the_review_count_towards_care_minutes(pathways, candidate):
    review(pathways, candidate.id, {"candidate_decision": "enrol", "minutes_spent": 12})
    data = data_of(pathways, candidate.id)
    assert (sum(data["care_minutes"].values()), "minutes_spent" in data) == (12, False)
