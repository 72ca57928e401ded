"""Pruning history never changes behaviour: every fixture walked with and without pruning ends the same.

Each scenario is walked twice on the same database, once as shipped and once with
`engine.runtime.state_codec.prune_history` patched to do nothing; the inbox rows (title, role, status, in order), the final
status and the final data must be equal.
"""
from __future__ import annotations

import pytest
from pathway_helpers import (
    CARE_MANAGER,
    NURSE,
    NURSE_LEAD,
    PHARMACIST,
    PHYSICIAN,
    SOCIAL_WORKER,
    all_tasks,
    deploy,
    open_task,
    phq9_answers,
    workflow_of,
)

import engine.runtime.state_codec
from tests.registry import register


def do(pathways, instance_id, title, data, actor):
    pathways.complete(open_task(pathways, instance_id, title).id, data, actor)


def review_loop(pathways, clock, patient):
    instance = pathways.start("review_loop", patient)
    for _ in range(5):
        do(pathways, instance.id, "Monthly review", {"decision": "continue"}, CARE_MANAGER)
        clock.advance(days=30)
    do(pathways, instance.id, "Monthly review", {"decision": "discharge"}, CARE_MANAGER)
    return instance.id


def tcm_visit(pathways, clock, patient):
    instance = pathways.start("tcm_contact", patient)
    clock.advance(hours=12, minutes=1)
    pathways.run_due_timers()
    do(pathways, instance.id, "Interactive contact", {"reached": True, "symptoms": "none"}, NURSE)
    clock.advance(days=7, minutes=1)
    pathways.run_due_timers()
    do(pathways, instance.id, "Face-to-face visit", {"visit_date": "2026-01-13"}, NURSE)
    return instance.id


def tcm_escalation(pathways, clock, patient):
    instance = pathways.start("tcm_contact", patient)
    for _ in range(4):
        clock.advance(hours=12, minutes=1)
        pathways.run_due_timers()
    do(pathways, instance.id, "Escalate missed contact", {"action": "call_caregiver"}, NURSE_LEAD)
    return instance.id


def lab_high(pathways, clock, patient):
    instance = pathways.start("lab_followup", patient)
    clock.advance(days=20)
    pathways.correlate("lab_result", {"patient_id": patient}, {"hba1c": 9.2})
    do(pathways, instance.id, "Plan review", {"change": "adjust_medication"}, PHYSICIAN)
    return instance.id


def discharge(pathways, clock, patient):
    (instance_id,) = pathways.correlate("hospital_discharge", {"patient_id": patient},
                                        {"discharge_date": "2026-01-04"}).started
    do(pathways, instance_id, "Discharge call", {"reached": False, "note": "voicemail"}, NURSE)
    return instance_id


def phq9_referral(pathways, clock, patient):
    instance = pathways.start("assessment_program", patient)
    do(pathways, instance.id, "PHQ-9", phq9_answers(12), CARE_MANAGER)
    do(pathways, instance.id, "Behavioural health referral", {"service": "psychiatry"}, PHYSICIAN)
    return instance.id


def phq9_minimal(pathways, clock, patient):
    instance = pathways.start("assessment_program", patient)
    do(pathways, instance.id, "PHQ-9", phq9_answers(3), CARE_MANAGER)
    return instance.id


def bmi_retry(pathways, clock, patient):
    instance = pathways.start("bmi_check", patient)
    do(pathways, instance.id, "Record measurements", {"weight_kg": 92, "height_m": 0}, NURSE)
    pathways.retry(instance.id, data={"height_m": 1.82})
    do(pathways, instance.id, "Review BMI", {"plan": "dietitian"}, NURSE)
    return instance.id


def parallel(pathways, clock, patient):
    instance = pathways.start("care_plan_setup", patient)
    do(pathways, instance.id, "Social needs referral", {"need": "food"}, SOCIAL_WORKER)
    do(pathways, instance.id, "Medication reconciliation", {"medications_reviewed": 4}, PHARMACIST)
    do(pathways, instance.id, "Confirm plan", {"confirmed": True}, CARE_MANAGER)
    return instance.id


SCENARIOS = {
    "review_loop": ("review_loop", review_loop),
    "tcm_visit": ("tcm_contact", tcm_visit),
    "tcm_escalation": ("tcm_contact", tcm_escalation),
    "lab_high": ("lab_followup", lab_high),
    "discharge": ("tcm_on_discharge", discharge),
    "phq9_referral": ("assessment_program", phq9_referral),
    "phq9_minimal": ("assessment_program", phq9_minimal),
    "bmi_retry": ("script_error", bmi_retry),
    "parallel": ("parallel_care", parallel),
}


def outcome(pathways, instance_id):
    instance = pathways.instance(instance_id).instance
    data = pathways.instance_data(instance_id)
    workflow_data = dict(workflow_of(pathways, instance_id).data)  # data objects; final data once completed
    for found in (data, workflow_data):
        assert found.pop("patient_id", "unpruned") in ("pruned", "unpruned")
    return {
        "status": instance.status,
        "tasks": [(t.title, t.role, t.status) for t in all_tasks(pathways, instance_id)],
        "data": data,
        "workflow_data": workflow_data,
    }


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_pruning_never_changes_behaviour(pathways, frozen_clock, monkeypatch, scenario):
    bundle, walk = SCENARIOS[scenario]
    deploy(pathways, bundle)
    register(pathways, "pruned", "unpruned")
    pruned = outcome(pathways, walk(pathways, frozen_clock, "pruned"))
    monkeypatch.setattr(engine.runtime.state_codec, "prune_history", lambda workflow: 0)
    unpruned = outcome(pathways, walk(pathways, frozen_clock, "unpruned"))
    assert pruned == unpruned
    assert pruned["status"] == "completed"
