"""Scripted answers for the program scenario tests: who does each task and what they type into its form.

Each program test reads like a story: `team.do(instance, "Interactive contact (2 business days)",
contact_made("2026-09-08"))`. The answers follow the forms in pathways/forms/; the people are the care team
of tests/engine/pathway_helpers.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from engine.care.actors import Actor
from engine.care.instances import get_instance
from engine.read import instance_data
from engine.read import task_context as taskview
from tests.engine.pathway_helpers import (
    CARE_MANAGER,
    NURSE,
    NURSE_LEAD,
    PHARMACIST,
    PHYSICIAN,
    SOCIAL_WORKER,
)

BY_ROLE = {"nurse": NURSE, "nurse_lead": NURSE_LEAD, "care_manager": CARE_MANAGER, "physician": PHYSICIAN,
           "pharmacist": PHARMACIST, "social_worker": SOCIAL_WORKER}


def at(text: str) -> datetime:
    """A UTC moment from '2026-09-08T10:00'."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@dataclass
class Team:
    """The care team working one service's inbox: open tasks by title, complete them as the task's role."""

    pathways: object

    def titles(self, instance_id: int) -> list[str]:
        return sorted(t.title for t in self.pathways.tasks(instance_id=instance_id))

    def task(self, instance_id: int, title: str):
        matches = [t for t in self.pathways.tasks(instance_id=instance_id) if t.title == title]
        assert len(matches) == 1, f"expected one open '{title}', open: {self.titles(instance_id)}"
        return matches[0]

    def do(self, instance_id: int, title: str, answers: dict | None = None, actor: Actor | None = None):
        task = self.task(instance_id, title)
        return self.pathways.complete(task.id, answers or {}, actor or BY_ROLE[task.role])

    def data(self, instance_id: int) -> dict:
        """The program's data: what its last step produced, and its data objects (results the monitoring
        recorded), as the patient page shows them."""
        with self.pathways.db.transaction() as session:
            workflow = self.pathways.runtime.load(session, get_instance(session, instance_id)).workflow
        return instance_data.with_data_objects(self.pathways.instance_data(instance_id), workflow)

    def form_data(self, instance_id: int, title: str) -> dict:
        """The data of an open task: what its form is prefilled with, what the person doing it sees."""
        task = self.task(instance_id, title)
        with self.pathways.db.transaction() as session:
            return taskview.task_context(session, self.pathways.runtime, task.id, BY_ROLE[task.role]).data

    def status(self, instance_id: int) -> str:
        return self.pathways.instance(instance_id).instance.status


# ------------------------------------------------------------------------------------------ Transitional care
def hospital_discharge(discharge_date: str, complexity: str = "high") -> dict:
    """The hospital_discharge message's payload, as the hospital's ADT feed sends it."""
    return {
        "discharge_date": discharge_date,
        "facility": "St Mary's Hospital",
        "diagnoses": [{"code": "I50.9", "name": "Heart failure, unspecified"}],
        "complexity": complexity,
        "medications": [{"name": "Furosemide", "dose": "40 mg", "route": "oral", "frequency": "twice a day"}],
    }


def contact_made(on: str, minutes: int = 20) -> dict:
    return {
        "tcm_contact": {
            "outcome": "reached_patient", "date": on, "method": "telephone", "attempts": 1,
            "condition_since_discharge": "Breathing better, ankles less swollen.",
            "warning_signs": False, "medication_concerns": True, "understands_discharge_instructions": True,
            "services_needed": ["home_health"],
        },
        "minutes_spent": minutes,
    }


def contact_not_reached(on: str, attempts: int) -> dict:
    return {"tcm_contact": {"outcome": "not_reached", "date": on, "method": "telephone", "attempts": attempts}}


MISSED_CONTACT_FOLLOWED_UP = {"missed_contact_follow_up": {"reason": "workload", "action": "reassigned"}}


def medicines_reconciled(on: str, minutes: int = 30) -> dict:
    return {
        "medication_reconciliation": {
            "date": on, "sources": ["discharge_summary", "pre_admission_list", "patient_interview"],
            "discrepancies_found": 1, "discrepancy_types": ["dose_or_frequency"], "prescriber_contacted": True,
            "changes_made": "Furosemide: the old 20 mg tablets were stopped.", "patient_understands": True,
        },
        "minutes_spent": minutes,
    }


def visit(on: str, medical_decision_making: str = "high") -> dict:
    return {"tcm_visit": {"date": on, "setting": "office", "medical_decision_making": medical_decision_making,
                          "medicines_reviewed": True, "follow_up": ["care_management"]}}


def missed_visit(action: str, rebooked_for: str | None = None) -> dict:
    answer = {"action": action} | ({"rebooked_for": rebooked_for} if rebooked_for else {})
    return {"missed_visit_follow_up": answer, "minutes_spent": 10}


# ------------------------------------------------------------------------------------------ Identification
TWO_LASTING_CONDITIONS = [{"name": "Type 2 diabetes", "lasting_12_months": True},
                          {"name": "Heart failure", "lasting_12_months": True}]
RECENT_STAY = {"length_of_stay_days": 5, "emergent_admission": True, "charlson_index": 2, "ed_visits_6_months": 1}
CCM_CANDIDATE = {"chronic_conditions": TWO_LASTING_CONDITIONS, "lace_inputs": RECENT_STAY}
ENROL = {"candidate_decision": "enrol", "minutes_spent": 10}
DO_NOT_ENROL = {"candidate_decision": "decline", "decline_reason": "enrolled_elsewhere"}

# ------------------------------------------------------------------------------------------ Engagement
REACHED = {"outreach_method": "phone", "outreach_outcome": "reached", "spoke_with": "patient"}
CONSENT_GIVEN = {"consent": {"given": True, "type": "verbal", "cost_sharing_explained": True,
                             "right_to_stop_explained": True}, "minutes_spent": 15}
CONSENT_REFUSED = {"consent": {"given": False, "declined_reason": "not_interested"}}

# ------------------------------------------------------------------------------------------ Assessment
MEDICAL_HISTORY = {
    "conditions": [{"name": "Type 2 diabetes", "icd10_code": "E11.9", "status": "active", "lasting_12_months": True},
                   {"name": "Heart failure", "icd10_code": "I50.9", "status": "active", "lasting_12_months": True}],
    "medical_history": {"hospital_admissions_12_months": 1, "ed_visits_12_months": 2,
                        "allergies": "penicillin (rash)", "tobacco_use": "former"},
}
MEDICATIONS = {
    "medications": [
        {"name": "Metformin", "dose": "500 mg", "route": "oral", "frequency": "twice a day",
         "prescriber": "Dr Lee", "indication": "diabetes"},
        {"name": "Furosemide", "dose": "40 mg", "route": "oral", "frequency": "every morning",
         "prescriber": "Dr Okafor", "indication": "heart failure"},
    ],
    "medication_adherence": {"managed_by": "self", "doses_missed_last_7_days": 1, "barriers": ["cost"]},
}
ADLS = ["bathing", "dressing", "toileting", "transferring", "continence", "feeding"]
IADLS = ["telephone", "shopping", "food_preparation", "housekeeping", "laundry", "transportation", "medications",
          "finances"]
FUNCTION = {"functional_status": {
    "adls": {name: "independent" for name in ADLS},
    "iadls": {name: "independent" for name in IADLS} | {"transportation": "needs_help"},
    "falls_12_months": 0, "lives_alone": True,
}}
SOCIAL_NEEDS = {"social_needs": {  # transportation screens positive
    "living_situation": "steady_place", "housing_problems": ["none"], "food_worried": "never_true",
    "food_did_not_last": "never_true", "transportation": "yes", "utilities": "no",
    "physically_hurt": 1, "insulted": 1, "threatened": 1, "screamed_or_cursed": 1,
}}

# ------------------------------------------------------------------------------------------ Mood screening
def phq9(total: int, item9: int = 0) -> dict:
    """PHQ-9 answers (0-3 each) adding up to `total`, item 9 answered `item9`."""
    answers, rest = {}, total - item9
    for item in range(1, 9):
        answers[f"phq9_{item}"] = min(3, rest)
        rest -= answers[f"phq9_{item}"]
    assert rest == 0, "items 1-8 add up to 24 at most"
    return answers | {"phq9_9": item9, "phq9_difficulty": "somewhat_difficult" if total else "not_difficult"}


def gad7(total: int) -> dict:
    answers, rest = {}, total
    for item in range(1, 8):
        answers[f"gad7_{item}"] = min(3, rest)
        rest -= answers[f"gad7_{item}"]
    return answers


SAFETY_ASSESSED = {"safety_risk_level": "low", "safety_next_step": "safety_plan_follow_up",
                   "safety_plan": "Safety plan made; call back tomorrow", "crisis_resources_given": True}
SEVERE_REVIEWED = {"severe_review_decision": "start_treatment", "severe_review_plan": "Start an SSRI"}

# ------------------------------------------------------------------------------------------ Planning
DRAFT_PLAN = {
    "plan_problems": [{
        "description": "Type 2 diabetes not at target", "source": "condition",
        "goals": [{"description": "Bring HbA1c down", "measure": "HbA1c", "target": "below 7 %",
                   "target_date": "2026-07-01"}],
    }],
    "plan_interventions": [{"description": "Monthly check-in call", "role": "care_manager", "frequency": "monthly"}],
    "plan_care_team": [{"role": "primary_care_provider", "name": "Dr Lee"},
                       {"role": "care_manager", "name": "Carl"}],
    "minutes_spent": 30,
}
PLAN_AGREED = {"plan_review_outcome": "agrees", "agreed_by": "patient", "agreed_on": "2026-01-20",
               "plan_copy_method": "patient_portal"}

# ------------------------------------------------------------------------------------------ Implementation
APPOINTMENTS = {
    "scheduled_appointments": [{"kind": "pcp_follow_up", "with_whom": "Dr Lee", "date": "2026-02-03",
                                "time": "10:30", "mode": "in_person"}],
    "specialist_referrals": [],
}
RECONCILED = {
    "reconciled_medications": [{"name": "Metformin", "dose": "500 mg", "frequency": "twice a day",
                                "status": "continue"}],
    "sources_reviewed": ["patient_interview", "pill_bottles"],
    "discrepancies_found": False, "patient_informed": True, "pcp_informed": True, "pcp_informed_on": "2026-01-21",
    "reconciled_on": "2026-01-21",
}
COMMUNITY = {"community_referrals": [{"domain": "transportation", "status": "referred", "to": "Ride Share for Health",
                                      "reason": "No way to get to appointments", "method": "phone",
                                      "referred_on": "2026-01-21"}]}
REMINDERS = {"reminders_to_set": [{"about": "Dr Lee, primary care follow-up", "kind": "appointment",
                                   "recipient": "patient", "channel": "text_message", "start_on": "2026-02-02",
                                   "repeat": "once"}]}
IMPLEMENTATION = {
    "Schedule appointments and specialist referrals": APPOINTMENTS,
    "Reconcile medications": RECONCILED,
    "Refer to community resources": COMMUNITY,
    "Set reminders": REMINDERS,
}

# ------------------------------------------------------------------------------------------ Evaluation
def monthly_review(decision: str, status: str = "on_track") -> dict:
    """The care manager's monthly review of the plan's one goal (G1), ending in `decision`."""
    answers = {"goal_progress": [{"goal_id": "G1", "status": status}], "review_decision": decision,
               "minutes_spent": 20}
    if decision == "adjust":
        answers["adjustment_reason"] = "Add a walking goal"
    if decision == "discharge":
        answers["proposed_discharge_reason"] = "goals_met"
    return answers


# ------------------------------------------------------------------------------------------ Discharge
GOALS_MET = {"discharge_reason": "goals_met", "discharge_criteria_met": True, "discharge_date": "2026-06-10"}
HAND_OFF = {"handoff_summary": "Goals met.", "pcp_name": "Dr Lee", "handoff_sent_on": "2026-06-11",
            "handoff_method": "direct_message"}


# ------------------------------------------------------------------------------------------ stage walks
def enrol(team: Team, instance_id: int) -> None:
    team.do(instance_id, "Review candidate", ENROL)


def engage(team: Team, instance_id: int) -> None:
    team.do(instance_id, "Outreach attempt", REACHED)
    team.do(instance_id, "Record consent", CONSENT_GIVEN)


def screen_mood(team: Team, instance_id: int, phq9_answers: dict | None = None,
                gad7_answers: dict | None = None) -> None:
    team.do(instance_id, "PHQ-9 depression screen", phq9_answers or phq9(8))
    team.do(instance_id, "GAD-7 anxiety screen", gad7_answers or gad7(3))


def assess(team: Team, instance_id: int) -> None:
    team.do(instance_id, "Medical history and conditions", MEDICAL_HISTORY)
    team.do(instance_id, "Medication list", MEDICATIONS)
    team.do(instance_id, "Functional status", FUNCTION)
    screen_mood(team, instance_id)
    team.do(instance_id, "Social needs screening", SOCIAL_NEEDS)


def plan(team: Team, instance_id: int) -> None:
    team.do(instance_id, "Draft the care plan", DRAFT_PLAN)
    team.do(instance_id, "Review plan with patient", PLAN_AGREED)


def implement(team: Team, instance_id: int) -> None:
    """Do every implementation task as it opens (reminders open once the rest is done)."""
    for _ in range(10):
        open_now = [title for title in team.titles(instance_id) if title in IMPLEMENTATION]
        if not open_now:
            return
        for title in open_now:
            team.do(instance_id, title, IMPLEMENTATION[title])
    raise AssertionError(f"implementation did not finish: {team.titles(instance_id)}")


def month_later(team: Team, clock) -> None:
    """A month and a day pass, and the due timers fire (the monthly review opens)."""
    clock.advance(days=32)
    team.pathways.run_due_timers()


def review(team: Team, clock, instance_id: int, decision: str, status: str = "on_track") -> None:
    month_later(team, clock)
    team.do(instance_id, "Monthly review", monthly_review(decision, status))


def discharge(team: Team, instance_id: int) -> None:
    team.do(instance_id, "Discharge review", GOALS_MET)
    team.do(instance_id, "Hand-off summary to primary care", HAND_OFF)


# ------------------------------------------------------------------------------------------ Monitoring messages
def hba1c(value: float, on: str = "2026-01-20", code: str = "4548-4", unit: str = "%") -> dict:
    """A lab_result message's payload from the lab system."""
    return {"code": code, "name": "HbA1c", "value": value, "unit": unit, "date": on}


LDL_CHOLESTEROL = {"code": "13457-7", "name": "LDL cholesterol", "value": 3.9, "unit": "mmol/L",
                   "date": "2026-01-20"}
PLAN_REVIEWED = {"hba1c_plan_review": {"patient_contacted": True, "likely_causes": ["missed_medicines"],
                                       "actions": ["adherence_support", "physician_medication_review"]}}


def weight(kg: float, on: str, unit: str = "kg") -> dict:
    """An observation message's payload from the home scale hub (LOINC 29463-7, body weight)."""
    return {"code": "29463-7", "name": "Body weight", "value": kg, "unit": unit, "date": on}


PATIENT_CALLED = {"weight_gain_call": {"reached": True, "weight_confirmed": True, "symptoms": ["swelling"],
                                       "possible_causes": ["salt"], "action": "physician_today"}}
