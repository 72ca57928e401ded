from __future__ import annotations

import json


def test_start_then_tasks_lists_the_review_task(deployed):
    assert deployed("start", "review_loop", "--patient", "P1").exit_code == 0
    result = deployed("tasks")
    assert result.exit_code == 0
    row = result.stdout.splitlines()[1]
    assert "Monthly review" in row and "P1" in row and "care_manager" in row


def test_tasks_json_parses(started):
    run, instance_id, task_id = started
    body = json.loads(run("tasks", "--json").stdout)
    assert body["total"] == 1
    assert body["tasks"][0]["id"] == task_id
    assert body["tasks"][0]["instance_id"] == instance_id


def test_tasks_shows_relative_due_time(started):
    run, _, _ = started
    assert "(in 7 days)" in run("tasks").stdout


def test_tasks_filter_by_other_patient_is_empty(started):
    run, _, _ = started
    assert json.loads(run("--json", "tasks", "--patient", "P2").stdout)["tasks"] == []


def test_tasks_with_unknown_status_exits_2(started):
    run, _, _ = started
    result = run("tasks", "--status", "open,bogus")
    assert result.exit_code == 2
    assert "bogus" in result.stderr


def test_complete_with_set_discharge_completes_the_instance(started):
    run, instance_id, task_id = started
    assert run("complete", task_id, "--set", "decision=discharge").exit_code == 0
    assert "status:   completed" in run("instance", "show", instance_id).stdout


def test_complete_with_continue_opens_the_next_review(started):
    run, instance_id, task_id = started
    body = json.loads(run("--json", "complete", task_id, "--set", "decision=continue").stdout)
    assert body["instance"]["status"] == "running"
    assert [t["title"] for t in body["next_tasks"]] == ["Monthly review"]


def test_complete_with_data_file(started, tmp_path):
    run, instance_id, task_id = started
    data = tmp_path / "answers.json"
    data.write_text(json.dumps({"decision": "discharge", "progress_note": "doing well"}))
    assert run("complete", task_id, "--data", data).exit_code == 0


def test_complete_with_clear_of_an_unknown_field_exits_2_naming_it(started):
    run, _, task_id = started
    result = run("complete", task_id, "--set", "decision=continue", "--clear", "bogus")
    assert result.exit_code == 2
    assert "cannot clear 'bogus'" in result.stderr


def test_complete_with_invalid_value_exits_2_naming_the_field(started):
    run, _, task_id = started
    result = run("complete", task_id, "--set", "decision=maybe")
    assert result.exit_code == 2
    assert any(line.strip().startswith("decision:") for line in result.stderr.splitlines())


def test_complete_without_required_field_json_lists_it(started):
    run, _, task_id = started
    body = json.loads(run("--json", "complete", task_id).stdout)
    assert body["type"] == "FormInvalid"
    assert body["problems"] == [{"field": "decision", "message": "is required"}]


def test_complete_with_malformed_set_exits_2(started):
    run, _, task_id = started
    assert run("complete", task_id, "--set", "decision").exit_code == 2


def test_completing_a_task_claimed_by_someone_else_exits_5(started):
    run, _, task_id = started
    assert run("--as", "carl", "--role", "care_manager", "claim", task_id).exit_code == 0
    result = run("--as", "nina", "--role", "care_manager", "complete", task_id, "--set", "decision=discharge")
    assert result.exit_code == 5
    assert "claimed by carl" in result.stderr


def test_task_of_a_role_not_held_exits_5(started):
    run, _, task_id = started
    assert run("--as", "sam", "--role", "social_worker", "claim", task_id).exit_code == 5


def test_unknown_task_id_exits_3(deployed):
    result = deployed("complete", 999, "--set", "decision=discharge")
    assert result.exit_code == 3
    assert result.stderr.strip() == "error: task 999 does not exist"


def test_completing_an_already_completed_task_exits_4(started):
    run, _, task_id = started
    assert run("complete", task_id, "--set", "decision=discharge").exit_code == 0
    result = run("complete", task_id, "--set", "decision=discharge")
    assert result.exit_code == 4
    assert "already completed" in result.stderr


def test_release_returns_task_to_queue(started):
    run, _, task_id = started
    run("--as", "carl", "--role", "care_manager", "claim", task_id)
    assert run("--as", "carl", "--role", "care_manager", "release", task_id).exit_code == 0
    assert json.loads(run("--json", "tasks").stdout)["tasks"][0]["status"] == "open"


def add_user(run, username: str, role: str) -> None:
    result = run("users", "add", username, "--role", role, "--password-stdin", input="correct horse battery\n")
    assert result.exit_code == 0, result.output


def test_assign_sets_the_assignee(started):
    run, _, task_id = started
    add_user(run, "carl", "care_manager")
    body = json.loads(run("--json", "assign", task_id, "carl").stdout)
    assert (body["assignee"], body["status"]) == ("carl", "claimed")


def test_assign_to_someone_without_the_role_is_refused_as_on_the_web(started):
    run, _, task_id = started
    add_user(run, "sam", "social_worker")
    result = run("assign", task_id, "sam")
    assert result.exit_code == 2 and "sam does not hold the care_manager role" in result.stderr


def test_assign_to_an_unknown_user_is_refused_naming_them(started):
    run, _, task_id = started
    result = run("assign", task_id, "nobody")
    assert result.exit_code == 2 and "nobody signs in as 'nobody'" in result.stderr


def test_mine_lists_only_my_tasks(started):
    run, _, task_id = started
    add_user(run, "carl", "care_manager")
    run("assign", task_id, "carl")
    assert json.loads(run("--as", "carl", "--json", "tasks", "--mine").stdout)["total"] == 1
    assert json.loads(run("--as", "nina", "--json", "tasks", "--mine").stdout)["total"] == 0


def test_task_show_lists_form_fields(started):
    run, _, task_id = started
    result = run("task", "show", task_id)
    assert result.exit_code == 0
    assert any(line.split()[:3] == ["decision", "string", "yes"] for line in result.stdout.splitlines())
