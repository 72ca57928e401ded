"""Starting a program through the API under an Idempotency-Key: the first answer is kept with the start, the same
key answers it again and never starts a second instance, another request under the key is refused naming it."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.models import IdempotencyRecord, Instance
from tests.api.conftest import FIXTURES
from tests.registry import register


@pytest.fixture
def programs(service):
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    register(service, "P1", "P2")


def _start(api, patient="P1", key="start-1", program="review_loop"):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(f"/api/v1/patients/{patient}/programs", json={"program": program}, headers=headers)


def _instances(service) -> int:
    with service.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Instance))


def test_a_start_answers_201_with_the_instance(api, programs):
    response = _start(api)
    body = response.get_json()
    assert (response.status_code, body["status"], body["patient_id"], body["replayed"]) == (201, "running", "P1",
                                                                                          False)


def test_the_same_key_returns_the_first_answer_again(api, programs):
    first, again = _start(api).get_json(), _start(api)
    assert again.get_json() == {**first, "replayed": True}
    assert again.headers["Idempotent-Replayed"] == "true"


def test_the_same_key_never_starts_a_second_instance(api, programs, service):
    for _ in range(3):
        _start(api)
    assert _instances(service) == 1


def test_the_answer_is_kept_with_the_start(api, programs, service):
    instance_id = _start(api).get_json()["instance_id"]
    with service.db.transaction() as session:
        record = session.scalars(select(IdempotencyRecord)).one()
    assert (record.instance_id, record.answer["instance_id"], record.operation) == (instance_id, instance_id, "start")


def test_the_same_key_for_another_patient_is_422_naming_the_key(api, programs):
    _start(api, "P1")
    response = _start(api, "P2")
    body = response.get_json()
    assert (response.status_code, body["type"], body["key"]) == (422, "urn:carepath:problem:idempotency-key-reused",
                                                                 "start-1")
    assert "start-1" in body["detail"]


def test_keys_of_different_clients_never_meet(new_client, programs):
    one, two = new_client("one"), new_client("two")
    assert (_start(one, "P1", "k").status_code, _start(two, "P2", "k").status_code) == (201, 201)


def test_a_new_key_for_a_program_running_already_is_409(api, programs):
    _start(api, key="a")
    response = _start(api, key="b")
    assert (response.status_code, response.get_json()["type"]) == (409, "urn:carepath:problem:conflict")


def test_a_start_without_a_key_works_once(api, programs, service):
    assert (_start(api, key=None).status_code, _start(api, key=None).status_code) == (201, 409)


def test_a_patient_not_in_the_registry_is_404(api, programs):
    assert _start(api, "NOPE").status_code == 404


def test_a_program_nobody_can_start_is_400_naming_it(api, programs):
    response = _start(api, program="no_such_program")
    assert response.status_code == 400 and "no_such_program" in response.get_json()["detail"]


@pytest.mark.parametrize("key", ["x" * 201, "with space ", "bad\u00e9key"])
def test_an_idempotency_key_that_cannot_be_one_is_400(api, programs, key):
    response = api.post("/api/v1/patients/P1/programs", json={"program": "review_loop"},
                        headers={"Idempotency-Key": key.encode("utf-8").decode("latin-1")})
    assert response.status_code == 400


def test_a_refused_start_keeps_no_key(api, programs, service):
    _start(api, "NOPE", key="k")
    register(service, "NOPE")
    assert _start(api, "NOPE", key="k").status_code == 201  # the key was not spent on the refusal
