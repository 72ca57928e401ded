"""Resources other systems post: a discharge Encounter starts TCM (its interactive contact due 2 business days
after the discharge), an Observation reaches the patient's waiting pathways as a message, each once per
identifier."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.models import Instance
from tests.fhir.conftest import valid
from tests.pathways.answers import at
from tests.pathways.library import deploy_stages
from tests.registry import register

pytestmark = pytest.mark.dates  # TCM's deadlines are business days: `make test` runs these at other moments too
RESULTS = Path(__file__).resolve().parent / "bundles" / "results"
FRIDAY_BEFORE_LABOR_DAY = "2026-09-04"


def encounter(identifier="E-100", end=f"{FRIDAY_BEFORE_LABOR_DAY}T11:30:00Z", disposition="home", patient="MRN500",
              **extra) -> dict:
    resource = {"resourceType": "Encounter", "identifier": [{"system": "urn:oid:2.16.840.1.113883.1.1", "value": identifier}],
                "status": "finished", "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                                                "code": "IMP"},
                "subject": {"reference": f"Patient/{patient}"}, "period": {"start": "2026-09-01T08:00:00Z", "end": end},
                "serviceProvider": {"display": "St Mary's Hospital"},
                "hospitalization": {"dischargeDisposition": {"coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/discharge-disposition", "code": disposition}]}}}
    return {**resource, **extra}


def observation(identifier="O-1", code="4548-4", value=8.1, unit="%", status="final", patient="P1", **extra) -> dict:
    return {"resourceType": "Observation", "identifier": [{"system": "urn:lab", "value": identifier}], "status": status,
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "subject": {"reference": f"Patient/{patient}"}, "effectiveDateTime": "2026-09-04T09:00:00Z",
            "valueQuantity": {"value": value, "unit": unit}, **extra}


@pytest.fixture
def tcm(service, frozen_clock):
    frozen_clock.set(at(f"{FRIDAY_BEFORE_LABOR_DAY}T15:00"))
    deploy_stages(service, "tcm")
    register(service, "MRN500")


def _tcm_instances(service) -> list[Instance]:
    with service.db.transaction() as session:
        return list(session.scalars(select(Instance).where(Instance.process_id == "tcm")))


def test_a_discharge_encounter_starts_tcm(api, tcm, service):
    response = api.post("/fhir/R4/Encounter", json=encounter())
    (instance,) = _tcm_instances(service)
    assert (response.status_code, instance.patient_id, instance.status) == (201, "MRN500", "running")
    assert response.headers["Location"].endswith(f"/fhir/R4/CarePlan/program-{instance.id}")


def test_the_contact_task_is_due_two_business_days_after_the_discharge(api, tcm, service):
    api.post("/fhir/R4/Encounter", json=encounter())
    (task,) = service.tasks(instance_id=_tcm_instances(service)[0].id)
    # Friday 4 September 2026: Saturday, Sunday and Labor Day do not count
    assert (task.title, task.due_at) == ("Interactive contact (2 business days)", at("2026-09-09T23:59"))


def test_the_answer_says_what_started_and_when_the_contact_is_due(api, tcm):
    outcome = valid(api.post("/fhir/R4/Encounter", json=encounter()).get_json())
    assert "Interactive contact (2 business days) due 2026-09-09T23:59:00Z" in outcome["issue"][0]["diagnostics"]


def test_the_discharge_date_comes_from_period_end(api, tcm, service):
    api.post("/fhir/R4/Encounter", json=encounter())
    data = service.current_data(_tcm_instances(service)[0].id)
    assert (data["discharge_date"], data["hospital_discharge"]["facility"]) == (FRIDAY_BEFORE_LABOR_DAY,
                                                                               "St Mary's Hospital")


def test_the_same_encounter_again_starts_nothing_and_answers_the_same(api, tcm, service):
    first = api.post("/fhir/R4/Encounter", json=encounter())
    again = api.post("/fhir/R4/Encounter", json=encounter())
    assert (again.status_code, again.headers["Idempotent-Replayed"], len(_tcm_instances(service))) == (200, "true", 1)
    assert again.get_json() == first.get_json()


def test_another_encounter_under_the_same_identifier_is_refused_naming_it(api, tcm):
    api.post("/fhir/R4/Encounter", json=encounter())
    response = api.post("/fhir/R4/Encounter", json=encounter(end="2026-09-03T10:00:00Z"))
    issue = valid(response.get_json())["issue"][0]
    assert (response.status_code, issue["code"], "E-100" in issue["diagnostics"]) == (422, "duplicate", True)


def test_a_patient_who_died_in_hospital_starts_no_tcm(api, tcm, service):
    response = api.post("/fhir/R4/Encounter", json=encounter(disposition="exp"))
    assert (response.status_code, _tcm_instances(service)) == (200, [])
    assert "died" in response.get_json()["issue"][0]["diagnostics"]


def test_an_encounter_without_a_discharge_starts_nothing(api, tcm, service):
    resource = encounter()
    del resource["hospitalization"]
    assert (api.post("/fhir/R4/Encounter", json=resource).status_code, _tcm_instances(service)) == (200, [])


def test_a_discharge_without_its_date_is_400_naming_period_end(api, tcm):
    response = api.post("/fhir/R4/Encounter", json=encounter(period={"start": "2026-09-01"}))
    assert (response.status_code, "period.end" in response.get_json()["issue"][0]["diagnostics"]) == (400, True)


def test_an_encounter_without_an_identifier_is_400(api, tcm):
    response = api.post("/fhir/R4/Encounter", json=encounter(identifier=None) | {"identifier": []})
    assert (response.status_code, "identifier" in response.get_json()["issue"][0]["diagnostics"]) == (400, True)


def test_a_discharge_of_a_patient_not_in_the_registry_is_refused_and_may_come_again(api, tcm, service):
    refused = api.post("/fhir/R4/Encounter", json=encounter(patient="MRN501"))
    register(service, "MRN501")
    again = api.post("/fhir/R4/Encounter", json=encounter(patient="MRN501"))
    assert (refused.status_code, refused.get_json()["issue"][0]["code"], again.status_code) == (
        422, "business-rule", 201)


def test_a_high_complexity_discharge_sets_the_visit_within_7_days(api, tcm, service):
    extension = [{"url": "https://carepath.example/fhir/StructureDefinition/tcm-complexity", "valueCode": "high"}]
    api.post("/fhir/R4/Encounter", json=encounter(extension=extension))
    assert service.current_data(_tcm_instances(service)[0].id)["visit_due_on"] == "2026-09-11"


# ------------------------------------------------------------------------------------------------ Observations
@pytest.fixture
def watching(service):
    service.deploy(RESULTS)
    register(service, "P1")
    return service.start("results", "P1").id


def test_an_hba1c_is_a_lab_result_for_the_waiting_pathway(api, watching, service):
    response = api.post("/fhir/R4/Observation", json=observation())
    data = service.current_data(watching)
    assert (response.status_code, data["code"], data["value"], data["unit"], data["date"]) == (
        201, "4548-4", 8.1, "%", "2026-09-04")
    assert [t.title for t in service.tasks(instance_id=watching)] == ["Lab result seen"]


def test_a_body_weight_is_an_observation(api, watching, service):
    api.post("/fhir/R4/Observation", json=observation(code="29463-7", value=82.5, unit="kg"))
    assert [t.title for t in service.tasks(instance_id=watching)] == ["Observation seen"]


def test_a_blood_pressure_brings_both_values(api, watching, service):
    resource = observation(code="85354-9")
    del resource["valueQuantity"]
    resource["component"] = [
        {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]}, "valueQuantity": {"value": 142}},
        {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]}, "valueQuantity": {"value": 91}}]
    api.post("/fhir/R4/Observation", json=resource)
    data = service.current_data(watching)
    assert (data["systolic"], data["diastolic"], data["unit"]) == (142, 91, "mm[Hg]")


def test_the_same_observation_twice_is_delivered_once(api, watching, service):
    first = api.post("/fhir/R4/Observation", json=observation())
    again = api.post("/fhir/R4/Observation", json=observation())
    assert (first.status_code, again.status_code, len(service.tasks(instance_id=watching))) == (201, 200, 1)


def test_an_observation_nobody_waits_for_matched_nothing(api, service):
    register(service, "P9")
    response = api.post("/fhir/R4/Observation", json=observation(patient="P9"))
    assert (response.status_code, "no pathway" in response.get_json()["issue"][0]["diagnostics"]) == (200, True)


def test_a_preliminary_result_is_not_sent(api, watching, service):
    response = api.post("/fhir/R4/Observation", json=observation(status="preliminary"))
    assert (response.status_code, service.tasks(instance_id=watching)) == (200, [])


def test_a_result_carepath_does_not_take_is_400_naming_the_code(api, watching):
    response = api.post("/fhir/R4/Observation", json=observation(code="2345-7"))
    assert (response.status_code, "code:" in response.get_json()["issue"][0]["diagnostics"]) == (400, True)


def test_a_result_without_a_value_is_400(api, watching):
    response = api.post("/fhir/R4/Observation", json=observation(valueQuantity={"unit": "%"}))
    assert response.status_code == 400


def test_a_resource_of_another_type_is_400(api):
    response = api.post("/fhir/R4/Encounter", json={"resourceType": "Patient"})
    assert response.status_code == 400


def test_a_body_that_is_not_json_is_400(api):
    response = api.client.post("/fhir/R4/Observation", data="nope", headers={**api.headers(),
                                                                           "Content-Type": "application/fhir+json"})
    assert (response.status_code, response.get_json()["resourceType"]) == (400, "OperationOutcome")
