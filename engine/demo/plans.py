"""Care plans for the demo patients that read like real ones: a problem and a measurable goal for each of the
patient's chronic conditions, the interventions that go with them and the care team (the generic answers built
from a form would say "demo" everywhere)."""
from __future__ import annotations

from datetime import date, timedelta

# condition -> (problem, goal, measured by, target, intervention, who, how often)
BY_CONDITION = {
    "Type 2 diabetes": ("Type 2 diabetes above target", "Bring blood sugar into range", "HbA1c", "below 7.5%",
                        "Review home glucose log and diet", "dietitian", "monthly"),
    "Hypertension": ("High blood pressure", "Keep blood pressure controlled", "Home blood pressure readings",
                     "below 140/90 on most days", "Check home readings and medication adherence", "nurse",
                     "every_2_weeks"),
    "Heart failure": ("Heart failure with fluid build-up", "Stay out of hospital", "Daily weight",
                      "no gain over 2 kg in 3 days", "Daily weights and symptom check", "patient", "daily"),
    "COPD": ("COPD with flare-ups", "Fewer flare-ups", "Rescue inhaler use", "under 2 days a week",
             "Inhaler technique and action plan review", "nurse", "monthly"),
    "Chronic kidney disease": ("Chronic kidney disease", "Protect kidney function", "eGFR",
                               "stable over 6 months", "Medication review for kidney safety", "pharmacist",
                               "every_3_months"),
    "Asthma": ("Asthma not well controlled", "Sleep through the night", "Night waking with symptoms",
               "none in a typical week", "Review controller inhaler use", "nurse", "monthly"),
    "Major depressive disorder": ("Low mood", "Feel better day to day", "PHQ-9", "below 10",
                                  "Behavioural activation check-ins", "care_manager", "every_2_weeks"),
    "Osteoarthritis": ("Knee pain limiting walking", "Walk to the shops again", "Minutes walked a day",
                       "20 minutes", "Gentle exercise plan", "patient", "daily"),
    "Atrial fibrillation": ("Atrial fibrillation on a blood thinner", "No missed anticoagulant doses",
                            "Missed doses a month", "none", "Pill organiser and refill reminders", "pharmacist",
                            "monthly"),
    "Hyperlipidemia": ("High cholesterol", "Lower cholesterol", "LDL cholesterol", "below 100 mg/dL",
                       "Statin adherence check", "pharmacist", "every_3_months"),
}
DEFAULT = ("Managing several long-term conditions", "Feel confident managing my health",
           "Self-rated confidence (0-10)", "7 or more", "Teach-back on the medication schedule", "care_manager",
           "monthly")


def care_plan(conditions: list[str], today: date, primary_care_provider: str | None) -> dict:
    """plan_problems, plan_interventions and plan_care_team for the planning stage's form."""
    chosen = [BY_CONDITION[c] for c in conditions if c in BY_CONDITION][:3] or [DEFAULT]
    problems, interventions, roles = [], [], []
    for n, (problem, goal, measure, target, intervention, role, frequency) in enumerate(chosen):
        problems.append({"description": problem, "source": "condition", "goals": [{
            "description": goal, "measure": measure, "target": target,
            "target_date": (today + timedelta(days=90 * (n + 1))).isoformat()}]})
        interventions.append({"description": intervention, "role": role, "frequency": frequency})
        roles.append(role)
    team = [{"role": "primary_care_provider", "name": primary_care_provider or "Dr. Patel"},
            {"role": "care_manager", "name": "Carl Care"}]
    if "pharmacist" in roles:
        team.append({"role": "pharmacist", "name": "Pia Pharm"})
    if "dietitian" in roles:
        team.append({"role": "dietitian", "name": "Dana Diet"})
    return {"plan_problems": problems, "plan_interventions": interventions, "plan_care_team": team}
