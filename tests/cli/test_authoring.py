"""`carepath lint` and `carepath layout` on the command line: output, --json, exit codes."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

LINT = Path(__file__).resolve().parents[1] / "fixtures" / "lint"


def test_lint_clean_bundle_exits_0(run):
    result = run("lint", LINT / "clean")
    assert result.exit_code == 0 and "clean" in result.stdout


def test_lint_with_problems_exits_2_and_names_file_line_and_element(run):
    result = run("lint", LINT / "missing_shape")
    assert result.exit_code == 2
    assert "program.bpmn:45 [count_conditions]: error:" in result.stdout


def test_lint_reports_every_problem_at_once(run, tmp_path):
    bundle = Path(shutil.copytree(LINT / "unknown_role_lane", tmp_path / "two"))
    shutil.copy(LINT / "unnamed_task" / "program.bpmn", bundle / "program.bpmn")
    text = (bundle / "program.bpmn").read_text().replace('name="physician"', 'name="Receptionist"')
    (bundle / "program.bpmn").write_text(text)
    body = json.loads(run("--json", "lint", bundle).stdout)
    assert {(f["check"], f["element"]) for f in body["findings"]} == {("roles", "physician_review"),
                                                                      ("names", "count_conditions")}


def test_lint_json_lists_findings_with_severity(run):
    result = run("lint", LINT / "unnamed_task", "--json")
    body = json.loads(result.stdout)
    assert result.exit_code == 2 and body["clean"] is False
    assert body["findings"] == [{"severity": "warning", "check": "names", "file": "program.bpmn",
                                 "element": "count_conditions", "line": 45, "message": "scriptTask has no name"}]
    assert body["counts"] == {"error": 0, "warning": 1, "info": 0}


def test_lint_info_only_exits_0(run):
    assert run("lint", LINT / "loop_back").exit_code == 0


def test_lint_fail_on_error_lets_warnings_pass(run):
    assert run("lint", LINT / "unnamed_task", "--fail-on", "error").exit_code == 0


def test_lint_fail_on_info_fails_on_a_loop(run):
    assert run("lint", LINT / "loop_back", "--fail-on", "info").exit_code == 2


def test_lint_missing_path_exits_2(run, tmp_path):
    result = run("lint", tmp_path / "nowhere")
    assert result.exit_code == 2 and "no such file or folder" in result.stderr


def test_lint_single_file_uses_the_forms_beside_it(run):
    assert run("lint", LINT / "clean" / "program.bpmn").exit_code == 0


def test_layout_writes_the_file_and_then_has_nothing_to_do(run, tmp_path):
    file = Path(shutil.copy(LINT / "no_diagram" / "scoring.bpmn", tmp_path / "scoring.bpmn"))
    first = run("layout", file)
    assert first.exit_code == 0 and first.stdout.startswith("laid out:")
    assert "BPMNDiagram" in file.read_text()
    assert run("layout", file).stdout.startswith("unchanged:")


def test_layout_check_writes_nothing_and_exits_2_when_it_would_change(run, tmp_path):
    file = Path(shutil.copy(LINT / "no_diagram" / "scoring.bpmn", tmp_path / "scoring.bpmn"))
    before = file.read_bytes()
    result = run("layout", "--check", file)
    assert result.exit_code == 2 and result.stdout.startswith("would lay out:")
    assert file.read_bytes() == before


def test_layout_check_exits_0_on_a_laid_out_file(run):
    assert run("layout", "--check", LINT / "clean" / "program.bpmn").exit_code == 0


def test_layout_json_says_what_changed(run, tmp_path):
    file = Path(shutil.copy(LINT / "no_diagram" / "scoring.bpmn", tmp_path / "scoring.bpmn"))
    body = json.loads(run("--json", "layout", file).stdout)
    assert body == [{"file": str(file), "changed": True, "written": True, "notes": []}]


def test_layout_of_a_file_that_is_not_bpmn_exits_2(run, tmp_path):
    file = tmp_path / "x.bpmn"
    file.write_text("<not-bpmn/>")
    result = run("layout", file)
    assert result.exit_code == 2 and "not a BPMN 2.0 file" in result.stderr


def test_layout_of_a_folder_lays_out_every_bpmn_file_in_it(run, tmp_path):
    folder = Path(shutil.copytree(LINT / "no_diagram", tmp_path / "bundle"))
    result = run("layout", "--check", folder)
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [f"unchanged: {folder / 'program.bpmn'}",
                                          f"would lay out: {folder / 'scoring.bpmn'}"]


def test_layout_of_a_missing_file_exits_2(run, tmp_path):
    assert run("layout", tmp_path / "nowhere.bpmn").exit_code == 2


FIXTURE_BUNDLES = sorted(p for p in (LINT.parent / "bpmn").iterdir() if p.is_dir())


@pytest.mark.parametrize("bundle", FIXTURE_BUNDLES, ids=lambda p: p.name)
def test_fixture_bundle_laid_out_by_the_cli_has_no_diagram_or_layout_finding(run, tmp_path, bundle):
    folder = Path(shutil.copytree(bundle, tmp_path / bundle.name))
    assert run("layout", folder).exit_code == 0
    body = json.loads(run("--json", "lint", folder).stdout)
    assert [f for f in body["findings"] if f["check"] in ("diagram", "layout") and f["severity"] != "info"] == []
