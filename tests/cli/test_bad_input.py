"""`--json` on every command, in either place; ids past what a row can have; control characters in answers."""
from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from engine.cli import cli


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    """(path, command) for every command and subcommand of the group, the loaded plugins (serve, demo) too."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


COMMANDS = [path for path, _ in _commands(cli)]


def test_the_walk_finds_the_groups_and_their_subcommands():
    assert {("instance", "data"), ("task", "show"), ("users", "passwd"), ("serve",)} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_takes_json_after_its_name(path):
    result = CliRunner().invoke(cli, [*path, "--json", "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_declares_json(path):
    command = dict(_commands(cli))[path]
    assert any("--json" in param.opts for param in command.params)


def test_instance_data_takes_json_after_its_id(started):
    run, instance_id, _ = started
    result = run("instance", "data", instance_id, "--json")
    assert result.exit_code == 0 and isinstance(json.loads(result.stdout), dict)


def test_a_subcommand_of_a_group_takes_json_before_its_name(started):
    run, instance_id, _ = started
    assert run("instance", "--json", "show", instance_id).stdout.lstrip().startswith("{")


# --- ids past the largest a row can have ----------------------------------------------------------------------

@pytest.mark.parametrize("number", [99_999_999_999, 2**63])
def test_task_show_of_an_id_past_the_largest_is_not_found(database, number):
    def run(*args):
        return CliRunner().invoke(cli, ["--database-url", database.url, *map(str, args)], catch_exceptions=False)

    assert run("init-db").exit_code == 0
    result = run("task", "show", number)
    assert (result.exit_code, result.stderr.strip()) == (3, f"error: task {number} does not exist")


@pytest.mark.parametrize("args", [("instance", "show"), ("instance", "data"), ("suspend",), ("claim",),
                                  ("complete",), ("tasks", "--instance")], ids=" ".join)
def test_an_id_past_the_largest_is_not_found_by_every_command(deployed, args):
    result = deployed(*args, 2**63)  # past SQLite's 64-bit integers too
    assert result.exit_code == 3 and f"{2**63} does not exist" in result.stderr


def test_an_id_that_is_not_a_number_is_a_usage_error(deployed):
    result = deployed("task", "show", "seven")
    assert result.exit_code == 2 and "'seven' is not a task id" in result.stderr


def test_a_tasks_page_past_any_there_can_be_is_refused(deployed):
    result = deployed("tasks", "--page", 2**63 - 1)
    assert result.exit_code == 2 and "the page must be a number from 1 to 2147483647" in result.stderr


def test_a_priority_past_any_there_can_be_is_refused(deployed):
    result = deployed("tasks", "--priority", 10**20)
    assert result.exit_code == 2 and f"the priority {10**20} is out of range" in result.stderr


# --- control characters in answers -----------------------------------------------------------------------------

def test_complete_with_a_nul_in_an_answer_exits_2_naming_the_field(started):
    run, _, task_id = started
    result = run("complete", task_id, "--set", "decision=discharge", "--set", 'progress_note="walks\\u0000daily"')
    assert result.exit_code == 2
    assert "progress_note: contains a control character (U+0000)" in result.stderr
    assert json.loads(run("--json", "task", "show", task_id).stdout)["status"] == "open"


def test_a_control_character_in_a_nested_answer_is_named_by_its_path(started):
    run, _, task_id = started
    result = run("--json", "complete", task_id, "--set", "decision=discharge",
                 "--set", 'goals={"items": ["walk", "swim\\u0001"]}')
    assert result.exit_code == 2
    assert [p["field"] for p in json.loads(result.stdout)["problems"]] == ["goals.items.1"]


def test_a_control_character_in_a_field_name_is_refused(started):
    run, _, task_id = started
    result = run("complete", task_id, "--set", "decision=discharge", "--set", 'goals={"wa\\u001blk": 1}')
    assert result.exit_code == 2 and "the field name contains a control character (U+001B)" in result.stderr
