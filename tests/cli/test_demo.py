from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.dates  # `make test` runs these again at other dates


def test_demo_on_empty_pathways_falls_back_and_completes(run, tmp_path):
    empty = tmp_path / "pathways"
    empty.mkdir()
    result = run("walk", "--pathways", empty)
    assert result.exit_code == 0, result.output
    assert "using the test pathway review_loop" in result.stdout
    assert "is completed" in result.stdout


def test_demo_walks_the_loop_until_discharge(run, review_loop):
    body = json.loads(run("walk", "--pathways", review_loop, "--json").stdout)
    assert [s["data"]["decision"] for s in body["steps"]] == ["continue", "discharge"]
    assert body["instance"]["status"] == "completed"


def test_demo_adds_its_patient_to_the_registry_before_it_starts(run, review_loop):
    body = json.loads(run("--json", "walk", "--pathways", review_loop).stdout)
    assert (body["patient_registered"], body["instance"]["patient_id"]) == (True, "DEMO-001")


def test_demo_deploys_a_pathways_folder_as_one_bundle(run, review_loop):
    body = json.loads(run("--json", "walk", "--pathways", review_loop).stdout)
    assert body["deploy"]["deployment"]["name"] == "carepath-pathways"


def test_demo_stops_at_max_steps(run, review_loop):
    body = json.loads(run("--json", "walk", "--pathways", review_loop, "--max-steps", "1").stdout)
    assert len(body["steps"]) == 1
    assert body["instance"]["status"] == "running"


def test_demo_prints_the_timer_and_message_it_waits_for(run, waits_bundle):
    result = run("walk", "--pathways", waits_bundle)
    assert result.exit_code == 0, result.output
    assert "timer A week later: due" in result.stdout
    assert "carepath correlate 'lab_result' --key patient_id=DEMO-001" in result.stdout


def test_demo_without_any_pathway_exits_3(run, tmp_path, monkeypatch):
    from engine.demo import pathways

    monkeypatch.setattr(pathways, "FALLBACK", tmp_path / "missing")
    result = run("walk", "--pathways", tmp_path)
    assert result.exit_code == 3
    assert "nothing to run" in result.stderr
