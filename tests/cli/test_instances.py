from __future__ import annotations

import json
from pathlib import Path

DIVIDE = Path(__file__).resolve().parent / "bundles" / "divide"


def test_start_unknown_program_exits_3(deployed):
    result = deployed("start", "nope", "--patient", "P1")
    assert result.exit_code == 3
    assert "no deployed pathway called 'nope'" in result.stderr


def test_start_for_a_patient_not_in_the_registry_exits_3_naming_them(deployed):
    result = deployed("start", "review_loop", "--patient", "P404")
    assert result.exit_code == 3
    assert "patient 'P404' is not in the registry" in result.stderr


def test_start_of_a_pathway_that_errors_at_once_exits_4_naming_the_element_and_error(deployed):
    deployed("deploy", DIVIDE)
    result = deployed("start", "divide", "--patient", "P1", "--set", "divisor=0")
    assert result.exit_code == 4
    assert "compute (Compute dose), line 1: ZeroDivisionError" in result.stderr


def test_start_of_a_pathway_that_errors_at_once_still_emits_the_instance_it_created(deployed):
    deployed("deploy", DIVIDE)
    body = json.loads(deployed("--json", "start", "divide", "--patient", "P1", "--set", "divisor=0").stdout)
    assert (body["status"], body["error"]["element"]) == ("error", "compute")


def test_start_without_patient_is_a_usage_error(deployed):
    assert deployed("start", "review_loop").exit_code == 2


def test_start_with_set_values_stores_them_as_json(deployed):
    body = json.loads(deployed("--json", "start", "review_loop", "--patient", "P1",
                               "--set", "score=3", "--set", "flag=true", "--set", "note=hello").stdout)
    data = json.loads(deployed("instance", "data", body["id"]).stdout)
    assert (data["score"], data["flag"], data["note"]) == (3, True, "hello")


def test_instance_show_lists_the_open_task(started):
    run, instance_id, _ = started
    out = run("instance", "show", instance_id).stdout
    assert "status:   running" in out
    assert "Monthly review" in out.split("current tasks:")[1].split("waiting for:")[0]


def test_instance_show_history_records_start(started):
    run, instance_id, _ = started
    body = json.loads(run("--json", "instance", "show", instance_id).stdout)
    assert body["history"][0]["action"] == "started"


def test_instance_show_unknown_exits_3(deployed):
    assert deployed("instance", "show", 42).exit_code == 3


def test_instances_lists_started_instance(started):
    run, instance_id, _ = started
    body = json.loads(run("instances", "--json").stdout)
    assert [(i["id"], i["patient_id"], i["status"]) for i in body] == [(instance_id, "P1", "running")]


def test_suspend_then_complete_exits_4(started):
    run, instance_id, task_id = started
    assert run("suspend", instance_id, "--reason", "in hospital").exit_code == 0
    result = run("complete", task_id, "--set", "decision=discharge")
    assert result.exit_code == 4
    assert "suspended" in result.stderr


def test_resume_a_running_instance_exits_4(started):
    run, instance_id, _ = started
    assert run("resume", instance_id).exit_code == 4


def test_suspend_then_resume_runs_again(started):
    run, instance_id, _ = started
    run("suspend", instance_id)
    result = run("resume", instance_id)
    assert result.exit_code == 0
    assert "now running" in result.stdout


def test_terminate_cancels_the_open_task(started):
    run, instance_id, _ = started
    assert run("terminate", instance_id).exit_code == 0
    assert json.loads(run("--json", "tasks", "--status", "cancelled").stdout)["total"] == 1


def test_retry_an_instance_not_in_error_exits_4(started):
    run, instance_id, _ = started
    assert run("retry", instance_id, "--set", "x=1").exit_code == 4


def test_instance_show_names_the_failed_element_and_line(failed):
    run, instance_id = failed
    out = run("instance", "show", instance_id).stdout
    assert "error:    compute (Compute dose), line 1: ZeroDivisionError" in out


def test_retry_with_fixed_data_completes_the_instance(failed):
    run, instance_id = failed
    result = run("retry", instance_id, "--set", "divisor=2")
    assert result.exit_code == 0
    assert "now completed" in result.stdout


def test_retry_upgrade_runs_the_fixed_pathway_version(failed, tmp_path):
    import shutil
    from pathlib import Path

    run, instance_id = failed
    fixed = tmp_path / "divide"
    shutil.copytree(Path(__file__).resolve().parent / "bundles" / "divide", fixed)
    bpmn = fixed / "divide.bpmn"
    bpmn.write_text(bpmn.read_text().replace("dose = 10 / divisor", "dose = 10 / divisor if divisor else 0"))
    assert run("deploy", fixed, "--name", "divide").exit_code == 0
    result = run("retry", instance_id, "--upgrade")
    assert result.exit_code == 0, result.output
    assert "now completed" in result.stdout


def test_retry_upgrade_without_a_newer_version_exits_4(failed):
    run, instance_id = failed
    result = run("retry", instance_id, "--upgrade")
    assert result.exit_code == 4
    assert "deploy the fixed pathway first" in result.stderr


def test_migrate_moves_an_instance_onto_the_newest_version_where_it_stands(started, tmp_path):
    import shutil

    from tests.conftest import FIXTURES

    run, instance_id, _ = started
    newer = tmp_path / "review_loop"
    shutil.copytree(FIXTURES / "bpmn" / "review_loop", newer)
    bpmn = newer / "review_loop.bpmn"
    bpmn.write_text(bpmn.read_text().replace('name="Monthly review loop"', 'name="Monthly review loop (v2)"'))
    assert run("deploy", newer, "--name", "review_loop").exit_code == 0
    newest = json.loads(run("--json", "versions").stdout)[-1]
    moved = json.loads(run("--json", "migrate", instance_id).stdout)
    assert (moved["status"], moved["deployment_id"], newest["version"]) == ("running", newest["id"], 2)


def test_migrate_without_a_newer_version_exits_4(started):
    run, instance_id, _ = started
    assert run("migrate", instance_id).exit_code == 4
