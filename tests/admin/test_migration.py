"""Bulk migration: a plan (versions, filter, mapping), its dry run (each instance moves, or cannot and why), the
run (each instance on its own, a report of each), the history of a moved instance, and `carepath migrate` with
the same plan."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.service import Forbidden, InvalidInput, InvalidState, MigrationFilters
from tests.admin.conftest import ADMIN, CARL, REVIEW_LOOP, REVIEW_LOOP_V2
from tests.registry import register_at


def _plan(service, version_two, mapping=None, **filters):
    plan = service.plan_migration(1, version_two, MigrationFilters(**filters), mapping or {}, ADMIN)
    return service.check_migration(plan.id)


def test_the_dry_run_says_each_instance_cannot_move_and_why(pathways_admin, reviews, version_two):
    plan = _plan(pathways_admin, version_two)
    items = pathways_admin.migration_plan(plan.id, ADMIN).items
    assert {(i.movable, i.reason) for i in items} == {
        (False, "task Monthly review (review) no longer exists in review_loop v2")}


def test_the_dry_run_moves_nothing(pathways_admin, reviews, version_two):
    _plan(pathways_admin, version_two, {"review": "assess"})
    assert {pathways_admin.instance(i).instance.deployment_id for i in reviews} == {1}


def test_a_mapping_makes_the_instances_movable(pathways_admin, reviews, version_two):
    plan = _plan(pathways_admin, version_two, {"review": "assess"})
    assert (plan.status, plan.checked, plan.movable) == ("checked", 3, 3)


def test_the_filter_chooses_the_instances(pathways_admin, reviews, version_two):
    pathways_admin.suspend(reviews[0])
    plan = _plan(pathways_admin, version_two, {"review": "assess"}, status="suspended")
    assert [i.instance_id for i in pathways_admin.migration_plan(plan.id, ADMIN).items] == [reviews[0]]


def test_the_run_moves_each_instance_onto_the_mapped_task(pathways_admin, reviews, version_two):
    plan = _plan(pathways_admin, version_two, {"review": "assess"})
    pathways_admin.start_migration(plan.id, ADMIN)
    done = pathways_admin.run_migration(plan.id)
    assert (done.status, done.moved, done.refused) == ("done", 3, 0)
    assert {t.element_id for i in reviews for t in pathways_admin.tasks(instance_id=i)} == {"assess"}


def test_a_moved_instance_history_names_the_plan_and_the_mapping(pathways_admin, reviews, version_two):
    plan = _plan(pathways_admin, version_two, {"review": "assess"})
    pathways_admin.start_migration(plan.id, ADMIN)
    pathways_admin.run_migration(plan.id)
    moved = [e for e in pathways_admin.instance(reviews[0]).history if e.action == "moved_to_version"][-1]
    assert moved.details | {"from_deployment": None} == {"from_deployment": None, "from": "review_loop v1",
                                                         "to": "review_loop v2", "mapping": {"review": "assess"},
                                                         "plan": plan.id}


def test_an_instance_that_cannot_move_is_reported_and_the_others_move(pathways_admin, reviews, version_two):
    plan = _plan(pathways_admin, version_two)  # no mapping: none can move
    pathways_admin.start_migration(plan.id, ADMIN)
    done = pathways_admin.run_migration(plan.id)
    items = pathways_admin.migration_plan(plan.id, ADMIN, show="refused").items
    assert (done.moved, done.refused, len(items)) == (0, 3, 3)
    assert "no longer exists" in items[0].outcome_reason


def test_an_instance_that_ended_meanwhile_is_skipped(pathways_admin, reviews, version_two):
    plan = _plan(pathways_admin, version_two, {"review": "assess"})
    pathways_admin.terminate(reviews[1], reason="moved away")
    pathways_admin.start_migration(plan.id, ADMIN)
    pathways_admin.run_migration(plan.id)
    (skipped,) = pathways_admin.migration_plan(plan.id, ADMIN, show="skipped").items
    assert (skipped.instance_id, skipped.outcome_reason) == (reviews[1], "the instance ended")


def test_a_plan_runs_only_after_its_dry_run(pathways_admin, reviews, version_two):
    plan = pathways_admin.plan_migration(1, version_two, MigrationFilters(), {}, ADMIN)
    with pytest.raises(InvalidState, match="once its dry run has checked"):
        pathways_admin.start_migration(plan.id, ADMIN)


def test_a_plan_moves_only_to_a_newer_version_of_the_same_bundle(pathways_admin, version_two):
    with pytest.raises(InvalidInput, match="is not newer than"):
        pathways_admin.plan_migration(version_two, 1, MigrationFilters(), {}, ADMIN)


def test_a_mapping_must_name_elements_of_the_versions(pathways_admin, version_two):
    with pytest.raises(InvalidInput, match="'nowhere' is not an element of review_loop v2"):
        pathways_admin.plan_migration(1, version_two, MigrationFilters(), {"review": "nowhere"}, ADMIN)


def test_only_admins_plan_migrations(pathways_admin, version_two):
    with pytest.raises(Forbidden):
        pathways_admin.plan_migration(1, version_two, MigrationFilters(), {}, CARL)


def test_the_background_job_runs_the_dry_run(pathways_admin, reviews, version_two):
    from engine.jobs import work

    plan = pathways_admin.plan_migration(1, version_two, MigrationFilters(), {"review": "assess"}, ADMIN)

    class Context:
        service = pathways_admin

    result = work.HANDLERS["migration"](Context, {"plan_id": plan.id, "phase": "check"}, "k")
    assert (result["status"], pathways_admin.migration_plan_row(plan.id).movable) == ("checked", 3)


# ------------------------------------------------------------------------------------------------ the command line
@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CAREPATH_USER", "operator")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--database-url", url, *map(str, args)], catch_exceptions=False)

    assert run("init-db").exit_code == 0
    assert run("deploy", REVIEW_LOOP).exit_code == 0
    register_at(url, "P1", "P2")
    for patient in ("P1", "P2"):
        assert run("start", "review_loop", "--patient", patient).exit_code == 0
    assert run("deploy", REVIEW_LOOP_V2, "--name", "review_loop").exit_code == 0
    return run


def test_cli_migrate_without_execute_is_a_dry_run_naming_why(cli_db):
    out = cli_db("migrate", "--from", "review_loop:1", "--to", "review_loop:2").stdout
    assert "2 instance(s), 0 can move" in out and "cannot move: task Monthly review (review) no longer" in out


def test_cli_migrate_execute_with_a_mapping_moves_them(cli_db):
    result = cli_db("--json", "migrate", "--from", "review_loop:1", "--to", "review_loop:2", "--map", "review=assess",
                    "--execute")
    body = json.loads(result.stdout)
    assert (body["status"], body["moved"], {i["outcome"] for i in body["items"]}) == ("done", 2, {"moved"})


def test_cli_migrate_runs_a_plan_made_before(cli_db):
    made = json.loads(cli_db("--json", "migrate", "--from", "review_loop:1", "--to", "review_loop:2",
                             "--map", "review=assess").stdout)
    body = json.loads(cli_db("--json", "migrate", "--plan", made["id"], "--execute").stdout)
    assert (body["id"], body["moved"]) == (made["id"], 2)


def test_cli_migrate_of_an_unknown_version_exits_3(cli_db):
    result = cli_db("migrate", "--from", "review_loop:7", "--to", "review_loop:2")
    assert result.exit_code == 3 and "review_loop has no version 7" in result.stderr


def test_cli_migrate_as_a_care_manager_is_refused(cli_db):
    result = cli_db("--as", "carl", "--role", "care_manager", "migrate", "--from", "review_loop:1", "--to",
                    "review_loop:2")
    assert result.exit_code == 5


def test_cli_migrate_one_instance_with_a_mapping(cli_db):
    result = cli_db("--json", "migrate", "1", "--to", "review_loop:2", "--map", "review=assess")
    assert (result.exit_code, json.loads(result.stdout)["deployment_id"]) == (0, 2)


# ------------------------------------------------------------------------------------------------ the web console
def test_web_a_plan_shows_its_dry_run_and_runs(admin_browser, pathways_admin, reviews, version_two):
    admin_browser.get("/admin/migrations")
    response = admin_browser.post("/admin/migrations", {"source": "1", "target": str(version_two),
                                                        "map:review": "assess"})
    page = admin_browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 of 3 instances can move" in page
    plan_id = int(response.headers["Location"].rsplit("/", 1)[1])
    admin_browser.post(f"/admin/migrations/{plan_id}/run")
    page = admin_browser.get(f"/admin/migrations/{plan_id}").get_data(as_text=True)
    assert "Done" in page and "3 moved" in page


def test_web_the_mapping_step_offers_the_tasks_that_are_gone(admin_browser, pathways_admin, reviews, version_two):
    page = admin_browser.get(f"/admin/migrations?source=1&target={version_two}").get_data(as_text=True)
    assert 'name="map:review"' in page and 'value="assess"' in page
