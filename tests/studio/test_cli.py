"""`carepath test`: the library's cases for CI, with an exit code."""
from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from engine.cli import cli
from tests.pathways.library import PATHWAYS


def invoke(*args):
    return CliRunner().invoke(cli, [*map(str, args)], catch_exceptions=False)


def test_the_shipped_library_passes_its_test_cases():
    result = invoke("test", PATHWAYS)
    assert (result.exit_code, result.stdout.strip().splitlines()[-1]) == (0, "20 passed, 0 failed")


def test_a_failing_case_exits_2_and_shows_the_step_and_the_data(tmp_path):
    bundle = tmp_path / "pathways"
    shutil.copytree(PATHWAYS, bundle)
    cases = json.loads((bundle / "bpmn" / "test_planning.json").read_text())
    cases["plan_agreed"]["expected_data"]["program_code"] = "tcm"
    (bundle / "bpmn" / "test_planning.json").write_text(json.dumps(cases))
    result = invoke("test", bundle, "--file", "bpmn/test_planning.json")
    assert (result.exit_code, "FAIL bpmn/test_planning.json::plan_agreed" in result.stdout,
            'expected: {"program_code": "tcm"}' in result.stdout) == (2, True, True)


def test_a_bundle_without_cases_exits_2(tmp_path):
    folder = tmp_path / "b"
    shutil.copytree(PATHWAYS / "dmn", folder / "dmn")
    shutil.copytree(PATHWAYS / "bpmn", folder / "bpmn", ignore=shutil.ignore_patterns("test_*.json"))
    shutil.copytree(PATHWAYS / "forms", folder / "forms")
    result = invoke("test", folder)
    assert (result.exit_code, "no test cases found" in result.stderr) == (2, True)


def test_json_output_lists_every_case():
    result = invoke("test", PATHWAYS, "--json")
    report = json.loads(result.stdout)
    assert (report["passed"], report["failed"], len(report["cases"])) == (20, 0, 20)
