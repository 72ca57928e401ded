"""The assessment stage (pathways/bpmn/assessment.bpmn), started on its own as a program.

Five parts at once: medical history (nurse), medication list (pharmacist), functional status (nurse), the
mood screening stage (call activity) and social needs (social worker, DMN social_needs); after the join the
risk tier (DMN risk_tier) and a summary.
"""
from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from engine.care.actors import Actor
from engine.care.instances import get_instance
from engine.care.task_forms import FormInvalid
from tests.pathways.answers import ADLS, IADLS, MEDICATIONS
from tests.pathways.library import deploy_library, deploy_stages
from tests.registry import register

NURSE = Actor.person("nina", "nurse")
PHARMACIST = Actor.person("pia", "pharmacist")
SOCIAL_WORKER = Actor.person("sam", "social_worker")
FORMS = Path(__file__).resolve().parents[2] / "pathways" / "forms"
CARE_MANAGER = Actor.person("carl", "care_manager")

PARTS = ["Medical history and conditions", "Medication list", "Functional status", "PHQ-9 depression screen",
         "Social needs screening"]
CHRONIC_CONDITIONS = [{"name": "Type 2 diabetes", "lasting_12_months": True},
                      {"name": "Heart failure", "lasting_12_months": True}]
MEDICAL_HISTORY = {
    "conditions": [{"name": "Type 2 diabetes", "icd10_code": "E11.9", "status": "active", "lasting_12_months": True},
                   {"name": "Heart failure", "icd10_code": "I50.9", "status": "active", "lasting_12_months": True},
                   {"name": "Appendicitis", "status": "resolved", "lasting_12_months": False}],
    "medical_history": {"hospital_admissions_12_months": 1, "ed_visits_12_months": 2,
                        "allergies": "penicillin (rash)", "tobacco_use": "former"},
}
FUNCTION = {"functional_status": {
    "adls": {name: "independent" for name in ADLS} | {"bathing": "needs_help"},
    "iadls": {name: "independent" for name in IADLS} | {"shopping": "needs_help", "transportation": "dependent"},
    "falls_12_months": 1, "mobility_aid": "cane", "lives_alone": True,
}}
PHQ9_MILD = {f"phq9_{i}": 1 for i in range(1, 9)} | {"phq9_9": 0}  # 8: mild
GAD7_MINIMAL = {f"gad7_{i}": 0 for i in range(1, 8)}
SOCIAL_NEEDS = {"social_needs": {  # food (question 3) and transportation (question 5) screen positive
    "living_situation": "steady_place", "housing_problems": ["none"], "food_worried": "sometimes_true",
    "food_did_not_last": "never_true", "transportation": "yes", "utilities": "no",
    "physically_hurt": 1, "insulted": 1, "threatened": 1, "screamed_or_cursed": 1,
}}
NO_SOCIAL_NEEDS = {"social_needs": SOCIAL_NEEDS["social_needs"] | {"food_worried": "never_true",
                                                                   "transportation": "no"}}


@pytest.fixture
def assessment(pathways):
    deploy_stages(pathways, "assessment", "mood_screening")
    register(pathways, "MRN300")
    return pathways.start("assessment", "MRN300", {"chronic_conditions": CHRONIC_CONDITIONS})


def titles(pathways, instance_id):
    return sorted(t.title for t in pathways.tasks(instance_id=instance_id))


def open_task(pathways, instance_id, title):
    tasks = [t for t in pathways.tasks(instance_id=instance_id) if t.title == title]
    assert len(tasks) == 1, titles(pathways, instance_id)
    return tasks[0]


def complete(pathways, instance_id, title, answers, actor):
    pathways.complete(open_task(pathways, instance_id, title).id, answers, actor)


def take_history(pathways, instance_id, answers=MEDICAL_HISTORY):
    complete(pathways, instance_id, "Medical history and conditions", answers, NURSE)


def list_medications(pathways, instance_id, answers=MEDICATIONS):
    complete(pathways, instance_id, "Medication list", answers, PHARMACIST)


def assess_function(pathways, instance_id, answers=FUNCTION):
    complete(pathways, instance_id, "Functional status", answers, NURSE)


def screen_mood(pathways, instance_id, phq9=PHQ9_MILD, gad7=GAD7_MINIMAL):
    complete(pathways, instance_id, "PHQ-9 depression screen", phq9, CARE_MANAGER)
    complete(pathways, instance_id, "GAD-7 anxiety screen", gad7, CARE_MANAGER)


def screen_social_needs(pathways, instance_id, answers=SOCIAL_NEEDS):
    complete(pathways, instance_id, "Social needs screening", answers, SOCIAL_WORKER)


def complete_all(pathways, instance_id, social_needs=SOCIAL_NEEDS):
    take_history(pathways, instance_id)
    list_medications(pathways, instance_id)
    assess_function(pathways, instance_id)
    screen_mood(pathways, instance_id)
    screen_social_needs(pathways, instance_id, social_needs)


def data_of(pathways, instance_id):
    return pathways.instance_data(instance_id)


def form_data(pathways, instance_id, title):
    """The data an open task's form starts from."""
    row = open_task(pathways, instance_id, title)
    with pathways.db.transaction() as session:
        workflow = pathways.runtime.load(session, get_instance(session, instance_id)).workflow
        return dict(workflow.get_task_from_id(UUID(row.task_uuid)).data)


def test_assessment_deploys_with_the_whole_library(pathways):
    deployment = deploy_library(pathways)
    assert "assessment" in {process["id"] for process in deployment.processes}


def test_every_part_of_the_assessment_opens_at_once(pathways, assessment):
    assert titles(pathways, assessment.id) == sorted(PARTS)


def test_each_part_waits_in_its_role_worklist(pathways, assessment):
    roles = {t.title: t.role for t in pathways.tasks(instance_id=assessment.id)}
    assert roles == {"Medical history and conditions": "nurse", "Medication list": "pharmacist",
                     "Functional status": "nurse", "PHQ-9 depression screen": "care_manager",
                     "Social needs screening": "social_worker"}


def test_medical_history_is_prefilled_with_the_chronic_conditions(pathways, assessment):
    conditions = form_data(pathways, assessment.id, "Medical history and conditions")["conditions"]
    assert [c["name"] for c in conditions] == ["Type 2 diabetes", "Heart failure"]


def test_assessment_completes_when_every_part_is_done(pathways, assessment):
    complete_all(pathways, assessment.id)
    assert pathways.instance(assessment.id).instance.status == "completed"


def test_risk_tier_waits_for_the_last_part(pathways, assessment):
    take_history(pathways, assessment.id)
    list_medications(pathways, assessment.id)
    assess_function(pathways, assessment.id)
    screen_mood(pathways, assessment.id)
    assert "risk_tier" not in data_of(pathways, assessment.id)


def test_risk_tier_is_decided_after_the_join(pathways, assessment):
    complete_all(pathways, assessment.id)
    # two lasting conditions with two positive social needs: complex
    assert data_of(pathways, assessment.id)["risk_tier"] == "complex"


def test_risk_tier_without_social_needs_is_rising(pathways, assessment):
    complete_all(pathways, assessment.id, social_needs=NO_SOCIAL_NEEDS)
    assert data_of(pathways, assessment.id)["risk_tier"] == "rising"


def test_positive_social_needs_are_listed(pathways, assessment):
    complete_all(pathways, assessment.id)
    data = data_of(pathways, assessment.id)
    assert (data["social_needs_positive"], data["social_needs_count"]) == (["food", "transportation"], 2)


def test_no_positive_social_need_leaves_an_empty_list(pathways, assessment):
    complete_all(pathways, assessment.id, social_needs=NO_SOCIAL_NEEDS)
    data = data_of(pathways, assessment.id)
    assert (data["social_needs_positive"], data["social_needs_count"]) == ([], 0)


def test_medication_list_keeps_every_medicine(pathways, assessment):
    complete_all(pathways, assessment.id)
    medications = data_of(pathways, assessment.id)["medications"]
    assert [(m["name"], m["dose"], m["route"], m["frequency"]) for m in medications] == [
        ("Metformin", "500 mg", "oral", "twice a day"), ("Furosemide", "40 mg", "oral", "every morning")]


def test_medicine_without_a_route_is_refused(pathways, assessment):
    no_route = {k: v for k, v in MEDICATIONS["medications"][0].items() if k != "route"}
    with pytest.raises(FormInvalid):
        list_medications(pathways, assessment.id, MEDICATIONS | {"medications": [no_route]})


def test_medication_form_uses_no_morisky_scale(pathways, assessment):
    text = (FORMS / "assessment-medications-schema.json").read_text()
    assert "morisky" not in text.lower() and "mmas" not in text.lower()


def test_functional_status_lists_the_activities_needing_help(pathways, assessment):
    complete_all(pathways, assessment.id)
    status = data_of(pathways, assessment.id)["functional_status"]
    assert (status["adl_help_needed"], status["iadl_help_needed"]) == (["bathing"], ["shopping", "transportation"])


def test_mood_screening_results_come_back_from_the_call(pathways, assessment):
    complete_all(pathways, assessment.id)
    data = data_of(pathways, assessment.id)
    assert (data["phq9_total"], data["phq9_severity"], len(data["mood_screenings"])) == (8, "mild", 1)


def test_every_part_keeps_its_results_whichever_finishes_last(pathways, assessment):
    screen_social_needs(pathways, assessment.id)
    screen_mood(pathways, assessment.id)
    assess_function(pathways, assessment.id)
    list_medications(pathways, assessment.id)
    take_history(pathways, assessment.id)
    data = data_of(pathways, assessment.id)
    assert (len(data["conditions"]), len(data["medications"]), data["social_needs_count"],
            data["phq9_total"], data["functional_status"]["falls_12_months"]) == (3, 2, 2, 8, 1)


def test_resolved_conditions_do_not_count_as_qualifying(pathways, assessment):
    complete_all(pathways, assessment.id)
    assert data_of(pathways, assessment.id)["qualifying_condition_count"] == 2


def test_summary_names_the_risk_tier_and_its_drivers(pathways, assessment):
    complete_all(pathways, assessment.id)
    summary = data_of(pathways, assessment.id)["assessment_summary"]
    assert (summary["risk_tier"], summary["conditions"], summary["medication_count"],
            summary["social_needs_positive"]) == ("complex", ["Type 2 diabetes", "Heart failure"], 2,
                                                  ["food", "transportation"])


def test_minutes_of_every_part_are_added_to_earlier_care_minutes(pathways):
    deploy_stages(pathways, "assessment", "mood_screening")
    register(pathways, "MRN301")
    instance = pathways.start("assessment", "MRN301", {"care_minutes": {"2025-12": 30}})
    screen_mood(pathways, instance.id, phq9=PHQ9_MILD | {"minutes_spent": 5})
    complete(pathways, instance.id, "Medical history and conditions", MEDICAL_HISTORY | {"minutes_spent": 20},
             NURSE)
    complete(pathways, instance.id, "Medication list", MEDICATIONS | {"minutes_spent": 15}, PHARMACIST)
    screen_social_needs(pathways, instance.id, SOCIAL_NEEDS | {"minutes_spent": 10})
    assess_function(pathways, instance.id)
    care_minutes = data_of(pathways, instance.id)["care_minutes"]
    assert (care_minutes["2025-12"], sum(care_minutes.values())) == (30, 80)


def test_current_data_shows_answers_given_inside_a_running_stage(pathways, assessment):
    from engine.care.instances import get_instance
    from engine.read import instance_data

    complete(pathways, assessment.id, "PHQ-9 depression screen", PHQ9_MILD, CARE_MANAGER)
    with pathways.db.transaction() as s:
        data = instance_data.current_data(s, pathways.runtime, get_instance(s, assessment.id))
    assert data["phq9_1"] == 1
