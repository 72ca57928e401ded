"""Correlation properties a model declares, and deliveries that fail.

Fixture: tests/fixtures/bpmn/correlated_lab. Its messages declare `patient_id` as a correlation property,
SpiffArena style (a correlationKey and a correlationProperty whose retrieval expression is `patient_id`).
correlated_lab waits for a first `lab_value` (into `first`), flags it with `first["value"] > 8`, opens "Review
the first value", then waits for a second `lab_value` (into `second`). lab_order is started by `lab_ordered`
and opens "Draw the blood".
"""
from __future__ import annotations

import pytest
from pathway_helpers import NURSE, deploy, open_task, open_titles

from engine.config import JobSettings
from engine.jobs import Background
from tests.registry import register


@pytest.fixture
def waiting(pathways):
    """The pathway started for P1 and for P2, both waiting for their first value."""
    deploy(pathways, "correlated_lab")
    register(pathways, "P1", "P2")
    return pathways.start("correlated_lab", "P1").id, pathways.start("correlated_lab", "P2").id


def status(pathways, instance_id) -> str:
    return pathways.instance(instance_id).instance.status


def test_message_is_delivered_on_its_key_when_the_payload_lacks_the_correlation_property(pathways, waiting):
    p1, _ = waiting
    result = pathways.correlate("lab_value", {"patient_id": "P1"}, {"value": 8.1})
    assert (result.delivered, result.failed) == ([p1], [])


def test_payload_without_the_correlation_property_reaches_the_message_variable(pathways, waiting):
    p1, _ = waiting
    pathways.correlate("lab_value", {"patient_id": "P1"}, {"value": 8.1})
    assert (status(pathways, p1), open_titles(pathways, p1)) == ("running", ["Review the first value"])
    assert pathways.instance_data(p1)["first"] == {"value": 8.1}


def test_second_message_reaches_the_instance_that_holds_correlation_values(pathways, waiting):
    p1, _ = waiting
    pathways.correlate("lab_value", {"patient_id": "P1"}, {"value": 8.1})
    pathways.complete(open_task(pathways, p1, "Review the first value").id, {}, NURSE)
    result = pathways.correlate("lab_value", {"patient_id": "P1"}, {"value": 7.0})
    assert result.delivered == [p1]
    assert (status(pathways, p1), pathways.instance_data(p1)["second"]) == ("completed", {"value": 7.0})


def test_key_decides_the_correlation_values_whatever_the_payload_says(pathways, waiting):
    p1, _ = waiting
    pathways.correlate("lab_value", {"patient_id": "P1"}, {"value": 8.1, "patient_id": "P2"})
    pathways.complete(open_task(pathways, p1, "Review the first value").id, {}, NURSE)
    pathways.correlate("lab_value", {"patient_id": "P1"}, {"value": 7.0})
    assert status(pathways, p1) == "completed"


def test_delivery_the_pathway_fails_on_is_reported_failed_with_instance_element_and_reason(pathways, waiting):
    p1, _ = waiting
    result = pathways.correlate("lab_value", {"patient_id": "P1"}, {"unit": "%"})  # no "value": the script fails
    assert (result.delivered, result.matched) == ([], False)
    (failed,) = result.failed
    assert (failed["instance"], failed["element"]) == (p1, "flag_high")
    assert "value" in failed["reason"]
    assert status(pathways, p1) == "error"


def test_message_whose_correlation_property_cannot_be_read_fails_and_leaves_the_instance_waiting(pathways, waiting):
    p1, _ = waiting
    result = pathways.correlate("lab_value", {"instance_id": str(p1)}, {"value": 8.1})  # no patient_id anywhere
    (failed,) = result.failed
    assert (failed["instance"], failed["element"]) == (p1, "first_value")
    assert "patient_id" in failed["reason"]
    assert (status(pathways, p1), [m.element_id for m in pathways.instance(p1).messages]) == (
        "running", ["first_value"])


def test_message_that_failed_can_be_sent_again_under_the_same_id(pathways, waiting):
    p1, _ = waiting
    pathways.correlate("lab_value", {"instance_id": str(p1)}, {"value": 8.1}, idempotency_key="lab-7")
    again = pathways.correlate("lab_value", {"patient_id": "P1"}, {"value": 8.1}, idempotency_key="lab-7")
    assert (again.delivered, open_titles(pathways, p1)) == ([p1], ["Review the first value"])


def test_background_job_result_lists_the_failed_deliveries(pathways, waiting):
    p1, _ = waiting
    background = Background(pathways, JobSettings(sweep_seconds=0.05, redispatch_seconds=5), notifier=None)
    try:
        job_id = background.correlate("lab_value", {"patient_id": "P1"}, {"unit": "%"}, message_id="lab-9")
        background.join()
        result = background.job(job_id).result
    finally:
        background.close()
    assert (result["delivered"], [(f["instance"], f["element"]) for f in result["failed"]]) == (
        [], [(p1, "flag_high")])


def test_message_start_with_a_correlation_property_starts_the_pathway_on_its_key(pathways, waiting):
    register(pathways, "P3")
    result = pathways.correlate("lab_ordered", {"patient_id": "P3"}, {"test": "HbA1c"})
    (started,) = result.started
    assert (result.failed, status(pathways, started), open_titles(pathways, started)) == (
        [], "running", ["Draw the blood"])
