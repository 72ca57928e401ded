"""The risk tier a program's assessment works out reaches the patient's record (the patient list shows it)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.care import patients
from engine.care.patients import PatientInput
from engine.models import AuditEvent
from tests.pathways.answers import CCM_CANDIDATE, assess, engage, enrol
from tests.registry import register


@pytest.fixture
def patient_id(pathways):
    with pathways.db.transaction() as s:
        return patients.add_patient(s, PatientInput(mrn="MRN100", given_name="Ada", family_name="Lovelace",
                                                    birth_date="1950-12-10", sex="female"), by="test").id


def risk_on_record(pathways, patient_id):
    with pathways.db.transaction() as s:
        return patients.get_patient(s, patient_id).risk_tier


def test_the_assessed_risk_tier_is_written_to_the_patient_record(team, patient_id):
    ccm = team.pathways.start("ccm", patient_id, CCM_CANDIDATE).id
    enrol(team, ccm)
    engage(team, ccm)
    assert risk_on_record(team.pathways, patient_id) is None
    assess(team, ccm)
    assert risk_on_record(team.pathways, patient_id) == team.data(ccm)["risk_tier"]


def test_the_record_change_is_audited_as_coming_from_the_pathway(team, patient_id):
    ccm = team.pathways.start("ccm", patient_id, CCM_CANDIDATE).id
    enrol(team, ccm)
    engage(team, ccm)
    assess(team, ccm)
    with team.pathways.db.transaction() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "patient_updated")).one()
    assert event.patient_id == patient_id and event.instance_id == ccm
    assert event.details == {"risk_tier": {"before": None, "after": team.data(ccm)["risk_tier"]},
                             "source": "pathway"}


def test_a_patient_without_a_record_is_assessed_all_the_same(team):
    """An instance started before a pathway needed a registered patient: its patient has no record."""
    register(team.pathways, "MRN-NOT-LISTED")
    ccm = team.pathways.start("ccm", "MRN-NOT-LISTED", CCM_CANDIDATE).id
    with team.pathways.db.transaction() as s:
        s.delete(patients.get_patient(s, "MRN-NOT-LISTED"))
    enrol(team, ccm)
    engage(team, ccm)
    assess(team, ccm)
    assert team.data(ccm)["risk_tier"] in patients.RISK_TIERS
    assert team.titles(ccm)  # the program went on to planning
