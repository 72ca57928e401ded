"""`carepath correlate` on a model that declares its message's correlation property, and on a delivery that fails.

Fixture: tests/fixtures/bpmn/correlated_lab (its message `lab_value` declares `patient_id` as a correlation
property; the first value goes through `first["value"] > 8`, so a payload without `value` fails there).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.registry import register_at

CORRELATED_LAB = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn" / "correlated_lab"


@pytest.fixture
def waiting(run, db_url):
    """correlated_lab started for P1, waiting for its first value; returns (run, instance id)."""
    assert run("init-db").exit_code == 0
    assert run("deploy", CORRELATED_LAB).exit_code == 0
    register_at(db_url, "P1")
    result = run("--json", "start", "correlated_lab", "--patient", "P1")
    assert result.exit_code == 0, result.output
    return run, json.loads(result.stdout)["id"]


def test_correlate_with_the_key_beside_the_payload_delivers_and_exits_0(waiting):
    run, instance_id = waiting
    result = run("correlate", "lab_value", "--key", "patient_id=P1", "--set", "value=8.1")
    assert result.exit_code == 0, result.output
    assert f"delivered to instance(s) {instance_id}" in result.stdout
    assert json.loads(run("--json", "instance", "show", instance_id).stdout)["status"] == "running"


def test_correlate_that_fails_at_every_instance_exits_4(waiting):
    run, _ = waiting
    assert run("correlate", "lab_value", "--key", "patient_id=P1", "--set", "unit=%").exit_code == 4


def test_correlate_failure_names_instance_element_and_reason(waiting):
    run, instance_id = waiting
    result = run("correlate", "lab_value", "--key", "patient_id=P1", "--set", "unit=%")
    assert f"failed for instance {instance_id} at flag_high: " in result.stderr
    assert "value" in result.stderr.split("flag_high: ", 1)[1]


def test_correlate_json_lists_the_failed_deliveries(waiting):
    run, instance_id = waiting
    body = json.loads(run("--json", "correlate", "lab_value", "--key", "patient_id=P1", "--set", "unit=%").stdout)
    assert (body["delivered"], [(f["instance"], f["element"]) for f in body["failed"]]) == (
        [], [(instance_id, "flag_high")])
