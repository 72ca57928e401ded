"""Each demo patient's care team, set as their program starts: Carl leads every team (he is the demo's care
manager), and the others join some teams each, so that My patients differs from one person to the next and a
record outside someone's teams is closed to them (they may break the glass). The members are the demo users who
work each role's tasks (`seed.by_role`), so the tasks routed to them are the ones the demo works as them.

Drawn from a generator of its own per patient: the rest of the demo comes out as it did without teams."""
from __future__ import annotations

import random

from engine.service import Actor

DEMO = Actor.system_actor("demo")
# role -> (member, share of the patients, or the programs whose every patient has them)
MEMBERS = {
    "nurse": ("nina", 0.7, {"tcm", "heart_failure"}),
    "social_worker": ("sam", 0.5, set()),
    "pharmacist": ("pia", 0.4, {"tcm"}),
    "dietitian": ("dana", 0.1, {"diabetes"}),
    "chw": ("chris", 0.3, set()),
    "physician": ("phil", 0.5, {"behavioural_health"}),
}
REASONS = {"nurse": "Nursing care", "social_worker": "Social needs", "pharmacist": "Medication review",
           "dietitian": "Nutrition", "chw": "Home visits", "physician": "Medical oversight"}


def team_for(seed: int, patient_id: str, program: str) -> dict[str, str]:
    """role -> user name of the patient's team; "lead" is the lead care manager."""
    rng = random.Random(f"{seed}:care-team:{patient_id}")
    team = {"lead": "carl"}
    for role, (member, share, always) in MEMBERS.items():
        if program in always or rng.random() < share:
            team[role] = member
    return team


def join(service, seed: int, patient_id: str, program: str, program_name: str) -> None:
    """Put the patient's team together (nothing when they have one already)."""
    if service.care_team(patient_id, DEMO).members:
        return
    for key, username in team_for(seed, patient_id, program).items():
        lead = key == "lead"
        role = "care_manager" if lead else key
        reason = f"{program_name}: " + ("lead care manager" if lead else REASONS[role].lower())
        service.join_care_team(patient_id, username, role, reason, DEMO, lead=lead)
