"""Messages from other systems through the API: delivered to the waiting pathways or starting one, once per
message_id however often they are sent; the answer says delivered, started, queued or matched nothing."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.models import AuditEvent
from engine.service import SYSTEM
from tests.registry import register
from webapp.extensions import background

WAITS = Path(__file__).resolve().parents[1] / "cli" / "bundles" / "waits"


@pytest.fixture
def waiting(service):
    """Patient P1's `waits` pathway waits for a lab_result message (after its manual task)."""
    service.deploy(WAITS)
    register(service, "P1")
    instance = service.start("waits", "P1")
    service.complete(service.tasks(instance_id=instance.id)[0].id, {}, SYSTEM)
    return instance.id


def _send(api, message_id="m-1", value=8.1, name="lab_result", patient="P1", **kw):
    body = {"name": name, "keys": {"patient_id": patient}, "payload": {"value": value}}
    if message_id:
        body["message_id"] = message_id
    return api.post("/api/v1/messages", json=body, **kw)


def _deliveries(service) -> int:
    with service.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "message_correlated"))


def test_a_message_to_a_waiting_pathway_is_delivered(api, waiting):
    body = _send(api).get_json()
    assert (body["outcome"], body["delivered"], body["replayed"]) == ("delivered", [waiting], False)


def test_the_same_message_id_is_delivered_once(api, waiting, service):
    first, again = _send(api).get_json(), _send(api).get_json()
    assert (_deliveries(service), again) == (1, {**first, "replayed": True})


def test_the_same_message_id_with_another_message_is_422(api, waiting):
    _send(api)
    response = _send(api, value=9.9)
    assert (response.status_code, response.get_json()["key"]) == (422, "m-1")


def test_a_message_nobody_waits_for_matched_nothing(api, waiting):
    assert _send(api, name="observation").get_json()["outcome"] == "matched_nothing"


def test_without_a_message_id_each_sending_is_a_new_message(api, waiting, service):
    _send(api, message_id=None)
    assert _send(api, message_id=None).get_json()["outcome"] == "matched_nothing"  # the wait was used up
    assert _deliveries(service) == 1


def test_a_message_that_can_be_queued_answers_202(api, waiting, app):
    response = _send(api, message_id="m-async", headers={"Prefer": "respond-async"})
    body = response.get_json()
    assert (response.status_code, body["outcome"], isinstance(body["job_id"], int)) == (202, "queued", True)


def test_a_queued_message_is_delivered_by_background_work(api, waiting, app, service):
    _send(api, message_id="m-async", headers={"Prefer": "respond-async"})
    with app.app_context():
        background().join()
    assert _deliveries(service) == 1


def test_a_message_without_keys_is_400_naming_the_field(api, waiting):
    response = api.post("/api/v1/messages", json={"name": "lab_result", "keys": {}})
    assert response.status_code == 400 and response.get_json()["errors"][0]["pointer"] == "#/keys"


def test_a_message_starting_a_pathway_for_an_unknown_patient_is_refused_not_kept(api, service):
    service.deploy(Path(__file__).resolve().parents[1] / "fixtures" / "bpmn" / "tcm_on_discharge")
    first = _send(api, name="hospital_discharge", patient="NEW").get_json()
    register(service, "NEW")
    again = _send(api, name="hospital_discharge", patient="NEW").get_json()
    assert (first["outcome"], again["outcome"]) == ("refused", "started")
