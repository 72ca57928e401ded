"""The CLI on every configured backend (SQLite always; PostgreSQL when CAREPATH_TEST_DATABASE_URL is set)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from engine.cli import cli
from tests.registry import register_at


def test_start_and_complete_on_each_backend(database, review_loop):
    def run(*args):
        return CliRunner().invoke(cli, ["--database-url", database.url, "--json", *map(str, args)],
                                  catch_exceptions=False)

    assert run("init-db").exit_code == 0
    assert run("deploy", review_loop).exit_code == 0
    register_at(database.url, "P1")
    instance_id = json.loads(run("start", "review_loop", "--patient", "P1").stdout)["id"]
    task_id = json.loads(run("tasks", "--instance", instance_id).stdout)["tasks"][0]["id"]
    assert json.loads(run("complete", task_id, "--set", "decision=discharge").stdout)["instance"]["status"] \
        == "completed"
