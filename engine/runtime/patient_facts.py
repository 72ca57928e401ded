"""Facts a pathway works out about its patient that the patient record keeps, so that lists of patients show them
without loading any workflow: the risk tier (low, rising, high, complex) that the assessment's decision table
sets as `risk_tier`.

The runtime reads the tier where the workflow waits when it loads an instance and again when it saves it; only
when a step changed it is the patient row written (with an audit event), so a step that does not touch the tier
costs no database work. A patient id without a patient row (pathways started by another system for a patient
this app does not list) is left alone.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.models import Patient
from engine.models.patient import RISK_TIERS
from engine.runtime.pending import WaitingTasks, data_marker, waiting_tasks
from engine.store import audit
from engine.time import clock

_KEY = data_marker("risk_tier")  # how the key appears in a stored state (JSON) that has it


def risk_tier(workflow, state: str | None = None, waiting: WaitingTasks | None = None) -> str | None:
    """The tier the pathway holds now: from the data of the tasks it waits at (the last one that has a valid
    tier), or, once it has ended, from its last step. `state`, the workflow's stored form (engine.runtime.state_codec), when
    given, spares the walk over the tasks for a pathway whose data has no tier anywhere (most steps);
    `waiting`, the tasks it waits at when the caller has found them already (the runtime shares one walk)."""
    if state is not None and _KEY not in state:
        return None
    tier = None
    for task in waiting_tasks(workflow, waiting):
        value = task.data.get("risk_tier")
        if value in RISK_TIERS:
            tier = value
    if tier is None and workflow.completed and workflow.last_task is not None:
        value = workflow.last_task.data.get("risk_tier")
        tier = value if value in RISK_TIERS else None
    return tier


def record_risk_tier(session: Session, patient_id: str, before: str | None, after: str | None, actor: str,
                     instance=None) -> bool:
    """Write `after` to the patient's record when the step changed the tier (and it is a tier at all).
    Returns True when the record changed."""
    if after is None or after == before or session.get(Patient, patient_id) is None:
        return False  # unchanged, or a patient this app does not list
    return set_risk_tier(session, patient_id, after, actor, instance=instance, source="pathway")


def set_risk_tier(session: Session, patient_id: str, tier: str | None, by: str, *, instance=None,
                  source: str | None = None) -> bool:
    """Record the patient's risk tier, audited with its previous value (and `source`, say "pathway");
    returns whether the record changed."""
    if tier is not None and tier not in RISK_TIERS:
        raise InvalidInput(f"risk tier '{tier}' is not one of {', '.join(RISK_TIERS)}")
    patient = session.get(Patient, patient_id)
    if patient.risk_tier == tier:
        return False
    details: dict = {"risk_tier": {"before": patient.risk_tier, "after": tier}}
    if source:
        details["source"] = source
    audit.record(session, "patient_updated", by, instance=instance, patient_id=patient.id, details=details)
    patient.risk_tier = tier
    patient.updated_at = clock.now()
    return True

