"""The patient registry: adding, validating, searching and audited reading."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.care import patients
from engine.care.patients import PatientInput, PatientInvalid
from engine.errors import InvalidInput, NotFound
from engine.models import AuditEvent


def ada(**changes) -> PatientInput:
    fields = dict(mrn="MRN-1001", given_name="Ada", family_name="Lovelace", birth_date="1950-12-10", sex="female")
    fields.update(changes)
    return PatientInput(**fields)


@pytest.fixture
def session(database):
    with database.transaction() as s:
        yield s


def test_a_patient_is_known_by_its_mrn(session):
    patient = patients.add_patient(session, ada(), by="carl")
    assert (patient.id, patient.name) == ("MRN-1001", "Ada Lovelace")


def test_every_wrong_field_is_named_at_once(session):
    with pytest.raises(PatientInvalid) as refused:
        patients.add_patient(session, ada(mrn="", given_name=" ", birth_date="10/12/1950", sex="x"), by="carl")
    assert set(refused.value.errors) == {"mrn", "given_name", "birth_date", "sex"}


def test_a_birth_date_in_the_future_is_refused(session, frozen_clock):
    with pytest.raises(PatientInvalid, match="in the future"):
        patients.add_patient(session, ada(birth_date="2099-01-01"), by="carl")


def test_a_second_patient_with_the_same_mrn_is_refused(session):
    patients.add_patient(session, ada(), by="carl")
    with pytest.raises(PatientInvalid, match="already exists"):
        patients.add_patient(session, ada(given_name="Other"), by="carl")


def test_conditions_become_identification_start_data(session):
    patient = patients.add_patient(session, ada(conditions=["Type 2 diabetes", " COPD "]), by="carl")
    assert patient.conditions == [{"name": "Type 2 diabetes", "lasting_12_months": True},
                                  {"name": "COPD", "lasting_12_months": True}]


def test_search_finds_a_patient_by_family_name_prefix(session):
    patients.add_patient(session, ada(), by="carl")
    assert [p.id for p in patients.search(session, "love")] == ["MRN-1001"]


def test_search_finds_a_patient_by_the_name_as_shown(session):
    patients.add_patient(session, ada(), by="carl")
    assert [p.id for p in patients.search(session, "Ada Love")] == ["MRN-1001"]


def test_search_finds_a_patient_by_exact_mrn(session):
    patients.add_patient(session, ada(), by="carl")
    assert [p.id for p in patients.search(session, "MRN-1001")] == ["MRN-1001"]


def test_search_treats_percent_as_a_plain_character(session):
    patients.add_patient(session, ada(), by="carl")
    assert patients.search(session, "%") == []


def test_viewing_a_patient_is_an_audit_event(database):
    with database.transaction() as session:
        patients.add_patient(session, ada(), by="carl")
    with database.transaction() as session:
        patients.get_patient(session, "MRN-1001", viewer="nina")
    with database.transaction() as session:
        viewed = session.scalars(select(AuditEvent).where(AuditEvent.action == "patient_viewed")).one()
        assert (viewed.actor, viewed.patient_id) == ("nina", "MRN-1001")


def test_an_unknown_patient_is_not_found(session):
    with pytest.raises(NotFound, match="no patient 'nope'"):
        patients.get_patient(session, "nope")


@pytest.mark.parametrize("field", ["mrn", "given_name", "family_name", "phone", "email", "address",
                                   "primary_care_provider", "preferred_language"])
def test_a_field_with_a_nul_is_refused_naming_the_field(session, field):
    with pytest.raises(PatientInvalid) as refused:
        patients.add_patient(session, ada(**{field: "x\x00y"}), by="carl")
    assert refused.value.errors[field].startswith("Contains a control character (U+0000)")


@pytest.mark.parametrize("character", ["\x01", "\x1b", "\x7f", "\x85"])
def test_a_field_with_another_control_character_is_refused(session, character):
    with pytest.raises(PatientInvalid, match="family_name: Contains a control character"):
        patients.add_patient(session, ada(family_name=f"Love{character}lace"), by="carl")


def test_a_condition_with_a_control_character_is_refused(session):
    with pytest.raises(PatientInvalid) as refused:
        patients.add_patient(session, ada(conditions=["COPD", "Asthma\x00"]), by="carl")
    assert refused.value.errors == {"conditions": "A condition contains a control character (U+0000); only tabs "
                                                  "and line breaks may be used, remove it"}


def test_tabs_and_line_breaks_are_allowed_in_an_address(session):
    patient = patients.add_patient(session, ada(address="1 Main St\r\nSpringfield\tIL"), by="carl")
    assert patient.address == "1 Main St\r\nSpringfield\tIL"


def test_a_search_with_a_control_character_is_refused_naming_it(session):
    with pytest.raises(InvalidInput, match="the search text contains a control character"):
        patients.search(session, "Ada\x00")


def test_a_patient_id_with_a_control_character_is_not_found(session):
    patients.add_patient(session, ada(), by="carl")
    with pytest.raises(NotFound, match=r"no patient 'MRN-1001\\x00'"):
        patients.get_patient(session, "MRN-1001\x00")
