"""Webhooks: a client subscribes its receiver to task.created, task.completed and instance.error; each event is
written to the outbox in the transaction that made it, sent by background work signed with the subscription's
secret (HMAC-SHA256), retried with back-off when the receiver fails, and visible with its status."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from engine.config import ApiSettings, JobSettings
from engine.jobs import Background, work
from engine.models import WebhookDelivery
from engine.service import Actor
from tests.api.conftest import FIXTURES
from tests.registry import register

CARL = Actor.person("carl", "care_manager")


class Receiver:
    """A webhook receiver on 127.0.0.1: records what it is sent, answers `status` after `delay` seconds."""

    def __init__(self):
        self.received: list[dict] = []
        self.status, self.delay = 200, 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(receiver.delay)
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def hooks(service, receiver, new_client):
    """A client subscribed to every event at the local receiver (private hosts allowed, a short time limit)."""
    service.use_api_settings(ApiSettings(webhook_private_hosts=True, webhook_timeout=1.0, webhook_attempts=3))
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    register(service, "P1")
    api = new_client("ehr", ["webhooks:manage", "tasks:write"])
    created = api.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["task.created", "task.completed",
                                                                                "instance.error"]})
    assert created.status_code == 201, created.get_json()
    return api, created.get_json()


@pytest.fixture
def jobs(service):
    background = Background(service, JobSettings(redispatch_seconds=0.01), notifier=None)
    yield background
    background.close()


def send_due(jobs) -> None:
    """What the sweep does: ring for the due deliveries; then wait for the in-process worker to send them."""
    work.redispatch(jobs.ctx)
    jobs.join()


def _deliveries(service) -> list[WebhookDelivery]:
    with service.db.transaction() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_the_secret_is_shown_once_when_subscribing(hooks):
    api, created = hooks
    assert created["secret"].startswith("whsec_")
    assert "secret" not in api.get(f"/api/v1/webhooks/{created['id']}").get_json()


def test_a_start_writes_task_created_in_its_own_transaction(hooks, service):
    service.start("review_loop", "P1", None, CARL)
    assert [(d.event, d.status) for d in _deliveries(service)] == [("task.created", "pending")]


def test_a_completion_writes_task_completed_and_the_next_task_created(hooks, service):
    instance = service.start("review_loop", "P1", None, CARL)
    service.complete(service.tasks(instance_id=instance.id)[0].id, {"decision": "continue"}, CARL)
    assert [d.event for d in _deliveries(service)] == ["task.created", "task.completed", "task.created"]


def test_an_instance_in_error_writes_instance_error_without_the_message(hooks, service):
    service.deploy(FIXTURES / "bpmn" / "script_error")
    register(service, "P2")
    instance = service.start("bmi_check", "P2")
    measure = service.tasks(instance_id=instance.id)[0]
    service.complete(measure.id, {"weight_kg": 80, "height_m": 0}, Actor.person("nina", "nurse"))
    errors = [d.payload["data"] for d in _deliveries(service) if d.event == "instance.error"]
    assert errors == [{"instance_id": instance.id, "patient_id": "P2",
                       "error": {"element": "compute_bmi", "name": "Compute BMI", "type": "WorkflowTaskException",
                                 "line": 2}}]


def test_a_delivery_is_signed_with_the_subscriptions_secret(hooks, service, jobs, receiver):
    _, created = hooks
    service.start("review_loop", "P1", None, CARL)
    send_due(jobs)
    (request,) = receiver.received
    signature = dict(part.split("=", 1) for part in request["headers"]["Carepath-Signature"].split(","))
    expected = hmac.new(created["secret"].encode(), f"{signature['t']}.".encode() + request["body"],
                        hashlib.sha256).hexdigest()
    assert signature["v1"] == expected


def test_a_delivery_names_the_task_with_its_id(hooks, service, jobs, receiver):
    instance = service.start("review_loop", "P1", None, CARL)
    send_due(jobs)
    body = json.loads(receiver.received[0]["body"])
    task = service.tasks(instance_id=instance.id)[0]
    assert (body["type"], body["data"]["task"]["id"], body["data"]["patient_id"]) == ("task.created", task.id, "P1")


def test_a_delivered_event_is_not_sent_again(hooks, service, jobs, receiver):
    service.start("review_loop", "P1", None, CARL)
    send_due(jobs)
    send_due(jobs)
    assert (len(receiver.received), [d.status for d in _deliveries(service)]) == (1, ["delivered"])


def test_a_failing_receiver_is_retried_with_back_off(hooks, service, jobs, receiver, frozen_clock):
    receiver.status = 503
    service.start("review_loop", "P1", None, CARL)
    send_due(jobs)
    (delivery,) = _deliveries(service)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 503)
    send_due(jobs)  # not yet: it waits for its back-off
    frozen_clock.advance(timedelta(minutes=1))
    receiver.status = 200
    send_due(jobs)
    assert ([d.status for d in _deliveries(service)], len(receiver.received)) == (["delivered"], 2)


def test_a_receiver_failing_every_attempt_ends_failed(hooks, service, jobs, receiver, frozen_clock):
    receiver.status = 500
    service.start("review_loop", "P1", None, CARL)
    for _ in range(3):
        send_due(jobs)
        frozen_clock.advance(timedelta(hours=1))
    (delivery,) = _deliveries(service)
    assert (delivery.status, delivery.attempts, delivery.error) == ("failed", 3, "the receiver answered 500")


def test_a_slow_receiver_never_slows_a_step(hooks, service, receiver):
    receiver.delay = 2.0
    started = time.monotonic()
    instance = service.start("review_loop", "P1", None, CARL)
    service.complete(service.tasks(instance_id=instance.id)[0].id, {"decision": "continue"}, CARL)
    assert time.monotonic() - started < 1.5 and receiver.received == []


def test_a_receiver_slower_than_the_time_limit_is_a_failed_attempt(hooks, service, jobs, receiver):
    receiver.delay = 1.5  # the time limit is 1 s
    service.start("review_loop", "P1", None, CARL)
    send_due(jobs)
    (delivery,) = _deliveries(service)
    assert (delivery.status, delivery.error) == ("pending", "could not reach the receiver: TimeoutError")


def test_deliveries_are_visible_with_their_status(hooks, service, jobs, receiver):
    api, created = hooks
    service.start("review_loop", "P1", None, CARL)
    send_due(jobs)
    items = api.get(f"/api/v1/webhooks/{created['id']}/deliveries").get_json()["items"]
    assert [(d["event"], d["status"], d["attempts"], d["response_status"]) for d in items] == [
        ("task.created", "delivered", 1, 200)]


def test_a_failed_delivery_can_be_sent_again(hooks, service, jobs, receiver, frozen_clock):
    api, created = hooks
    receiver.status = 500
    service.start("review_loop", "P1", None, CARL)
    for _ in range(3):
        send_due(jobs)
        frozen_clock.advance(timedelta(hours=1))
    receiver.status = 200
    delivery = _deliveries(service)[0].id
    retried = api.post(f"/api/v1/webhooks/{created['id']}/deliveries/{delivery}/retry").get_json()
    send_due(jobs)
    assert (retried["status"], [d.status for d in _deliveries(service)]) == ("pending", ["delivered"])


def test_ending_a_subscription_cancels_what_was_not_sent(hooks, service):
    api, created = hooks
    service.start("review_loop", "P1", None, CARL)
    ended = api.delete(f"/api/v1/webhooks/{created['id']}").get_json()
    assert (ended["active"], [d.status for d in _deliveries(service)]) == (False, ["cancelled"])


def test_an_ended_subscription_gets_no_more_events(hooks, service):
    api, created = hooks
    api.delete(f"/api/v1/webhooks/{created['id']}")
    service.start("review_loop", "P1", None, CARL)
    assert _deliveries(service) == []


def test_a_client_sees_only_its_own_subscriptions(hooks, new_client):
    _, created = hooks
    other = new_client("other", ["webhooks:manage"])
    assert (other.get("/api/v1/webhooks").get_json()["items"], other.get(f"/api/v1/webhooks/{created['id']}")
            .status_code) == ([], 404)


def test_without_private_hosts_a_webhook_must_be_https_and_public(new_client):
    api = new_client("ehr", ["webhooks:manage"])
    refused = [api.post("/api/v1/webhooks", json={"url": url, "events": ["task.created"]}).status_code
               for url in ("http://example.org/h", "https://127.0.0.1/h", "https://localhost/h", "https://10.0.0.1/h")]
    assert refused == [400, 400, 400, 400]


def test_an_unknown_event_is_refused_by_name(new_client):
    api = new_client("ehr", ["webhooks:manage"])
    response = api.post("/api/v1/webhooks", json={"url": "https://example.org/h", "events": ["task.eaten"]})
    assert response.status_code == 400 and response.get_json()["errors"][0]["pointer"] == "#/events/0"


def test_no_subscription_no_outbox_rows(service):
    service.deploy(FIXTURES / "bpmn" / "review_loop")
    register(service, "P1")
    service.start("review_loop", "P1", None, CARL)
    assert _deliveries(service) == []
