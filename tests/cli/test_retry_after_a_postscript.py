"""`carepath retry` of an instance whose task's postScript failed once a person had completed the task.

Fixture: tests/fixtures/bpmn/retry_positions, pathway fails_in_postscript: the postScript of "Record the
measurements" divides weight_kg by height_m, then "Follow up" opens.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.registry import register_at

RETRY_POSITIONS = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn" / "retry_positions"


@pytest.fixture
def failed_postscript(run, db_url):
    """fails_in_postscript for P1, its task completed with a height of 0; returns (run, instance id)."""
    assert run("init-db").exit_code == 0
    assert run("deploy", RETRY_POSITIONS).exit_code == 0
    register_at(db_url, "P1")
    instance_id = json.loads(run("--json", "start", "fails_in_postscript", "--patient", "P1").stdout)["id"]
    task_id = json.loads(run("--json", "tasks").stdout)["tasks"][0]["id"]
    run("complete", task_id, "--set", "weight_kg=80", "--set", "height_m=0")
    assert json.loads(run("--json", "instance", "show", instance_id).stdout)["status"] == "error"
    return run, instance_id


def test_retry_with_the_fixed_data_exits_0_with_the_instance_running(failed_postscript):
    run, instance_id = failed_postscript
    result = run("--json", "retry", instance_id, "--set", "height_m=2")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "running"


def test_retry_leaves_the_task_completed_by_whoever_completed_it_and_opens_the_next(failed_postscript):
    run, instance_id = failed_postscript
    run("retry", instance_id, "--set", "height_m=2")
    listed = run("--json", "tasks", "--instance", instance_id, "--status", "all", "--sort", "created")
    tasks = json.loads(listed.stdout)["tasks"]
    assert [(t["title"], t["status"], t["completed_by"]) for t in tasks] == [
        ("Record the measurements", "completed", "operator"), ("Follow up", "open", None)]
