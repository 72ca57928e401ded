"""The roles of a care team: who may work which tasks, and who leads whom.

Lanes in the pathways name these roles; user accounts hold one or more of them.
"""
from __future__ import annotations

ADMIN = "admin"
CLINICAL_LEAD = "clinical_lead"
CARE_MANAGER = "care_manager"
PRIVACY_OFFICER = "privacy_officer"  # reads the audit trail; works no tasks

# role -> what people see
ROLE_LABELS: dict[str, str] = {
    "admin": "Administrator",
    "clinical_lead": "Clinical lead",
    "care_manager": "Care manager",
    "nurse": "Nurse",
    "nurse_lead": "Nurse lead",
    "social_worker": "Social worker",
    "pharmacist": "Pharmacist",
    "dietitian": "Dietitian",
    "chw": "Community health worker",
    "physician": "Physician",
    "privacy_officer": "Privacy officer",
}

ROLES: tuple[str, ...] = tuple(ROLE_LABELS)

# roles whose tasks appear in inboxes (lanes of the pathways)
TEAM_ROLES: tuple[str, ...] = tuple(r for r in ROLES if r not in (ADMIN, CLINICAL_LEAD, PRIVACY_OFFICER))


def label(role: str | None) -> str:
    if not role:
        return "Any care team member"
    return ROLE_LABELS.get(role, role.replace("_", " ").capitalize())


def unknown_roles(roles) -> list[str]:
    """The names in `roles` that are not roles of carepath, in the order given."""
    return [r for r in roles if r not in ROLE_LABELS]
