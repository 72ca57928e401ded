from __future__ import annotations

import json


def test_init_db_twice_succeeds(run):
    assert run("init-db").exit_code == 0
    result = run("init-db")
    assert result.exit_code == 0
    assert "database ready" in result.stdout


def test_deploy_twice_says_unchanged_and_exits_0(deployed, review_loop):
    result = deployed("deploy", review_loop)
    assert result.exit_code == 0
    assert "unchanged" in result.stdout


def test_deploy_broken_bundle_exits_2(deployed, broken_bundle):
    assert deployed("deploy", broken_bundle).exit_code == 2


def test_deploy_broken_bundle_names_file_and_element_of_each_problem(deployed, broken_bundle):
    result = deployed("deploy", broken_bundle)
    assert result.stderr.startswith("error: bundle refused")
    assert "review_loop.bpmn" in result.stderr
    assert "[flow_again]" in result.stderr
    assert "[review]" in result.stderr and "missing-uischema.json" in result.stderr
    assert "Traceback" not in result.output


def test_deploy_broken_bundle_json_lists_problems(deployed, broken_bundle):
    result = deployed("deploy", broken_bundle, "--json")
    body = json.loads(result.stdout)
    assert body["type"] == "BundleRefused"
    assert {p["element"] for p in body["problems"]} >= {"flow_again", "review"}


def test_deploy_missing_folder_exits_2(deployed, tmp_path):
    result = deployed("deploy", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr


def test_versions_lists_version_and_startable_pathway(deployed):
    result = deployed("versions")
    assert result.exit_code == 0
    line = result.stdout.splitlines()[1]
    assert line.split()[:2] == ["review_loop", "1"]
    assert "review_loop (Monthly review loop)" in line


def test_versions_json_parses(deployed):
    body = json.loads(deployed("versions", "--json").stdout)
    assert [(d["name"], d["version"]) for d in body] == [("review_loop", 1)]


def test_programs_lists_the_care_programs_to_start(deployed):
    body = json.loads(deployed("programs", "--json").stdout)
    assert [p["id"] for p in body] == ["review_loop"]


def test_command_without_init_db_hints_at_init_db(run):
    result = run("tasks")
    assert result.exit_code == 4
    assert "run `carepath init-db` first" in result.stderr
    assert "Traceback" not in result.output


def test_missing_schema_hint_in_json_mode(run):
    body = json.loads(run("--json", "versions").stdout)
    assert body["type"] == "NotInitialised"


def test_instance_command_without_init_db_hints_at_init_db(run):
    result = run("suspend", 1)
    assert result.exit_code == 4
    assert "run `carepath init-db` first" in result.stderr


def test_cli_leaves_engine_logging_as_it_found_it(run):
    import logging

    logger = logging.getLogger("engine")
    before = (list(logger.handlers), logger.level, logger.propagate)
    run("init-db")
    assert (list(logger.handlers), logger.level, logger.propagate) == before
