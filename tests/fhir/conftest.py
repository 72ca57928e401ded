"""FHIR fixtures: the API's (the web app, clients with scopes), and a patient with a care team, a care plan
record, a completed form, open and claimed tasks and a history, so that every resource has something to show."""
from __future__ import annotations

import pytest
from fhir.resources.R4B import get_fhir_model_class

from engine.service import SYSTEM, Actor, CarePlanInput
from tests.api.conftest import (  # noqa: F401 - fixtures shared with the JSON API's tests
    EVERY_SCOPE,
    FIXTURES,
    Api,
    api,
    app,
    new_client,
    patient,
    service,
    signed_in,
    users,
)

CARL = Actor.person("carl", "care_manager")


def valid(resource: dict) -> dict:
    """`resource` validated against FHIR R4 (fhir.resources' R4B models); a Bundle's entries are validated too."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    for entry in resource.get("entry") or ():
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    return resource


@pytest.fixture
def record(service, patient, users):  # noqa: F811 - pytest fixtures by name
    """MRN-1 with carl as lead care manager, a review completed (its form's answers kept) and the next one
    claimed, a goal, an intervention and a barrier in the program's care plan."""
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    service.join_care_team(patient, "carl", "care_manager", "enrolled the patient", SYSTEM, lead=True)
    instance = service.start("review_loop", patient, None, CARL)
    first = service.tasks(instance_id=instance.id)[0]
    service.complete(first.id, {"decision": "continue", "progress_note": "Walking daily"}, CARL)
    second = service.tasks(instance_id=instance.id)[0]
    service.claim(second.id, CARL)
    for fields in (CarePlanInput(kind="goal", description="Walk 30 minutes a day", target="5 days a week",
                                 target_date="2027-03-01"),
                   CarePlanInput(kind="intervention", description="Weekly call", owner="care_manager",
                                 due_date="2027-01-15"),
                   CarePlanInput(kind="barrier", description="No transport to the clinic")):
        service.add_care_plan_item(patient, fields, SYSTEM, instance_id=instance.id)
    return {"patient": patient, "instance": instance.id, "completed": first.id, "claimed": second.id}
