"""`carepath lint` checks, one fixture bundle per problem (tests/fixtures/lint/<problem>, a copy of `clean` with
one thing broken): each is reported with its severity, check, file, element and line."""
from __future__ import annotations

import shutil

from engine.authoring import lint
from engine.authoring.lint import lint_path

from .conftest import LINT_FIXTURES, findings


def only(name: str, severity: str = "warning"):
    found = findings(name, severity)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def test_clean_bundle_has_no_findings():
    assert findings("clean") == []


def test_lane_named_care_manager_in_words_reads_as_the_care_manager_role():
    assert [f for f in findings("clean") if f.check == "roles"] == []


# ------------------------------------------------------------------ diagram completeness
def test_flow_node_without_shape_is_reported():
    f = only("missing_shape")
    assert (f.severity, f.check, f.file, f.element) == ("error", "diagram", "program.bpmn", "count_conditions")


def test_sequence_flow_without_edge_is_reported():
    f = only("missing_edge")
    assert (f.severity, f.check, f.element) == ("error", "diagram", "flow_to_count")


def test_lane_without_shape_is_reported():
    assert only("missing_lane_shape").element == "Lane_physician"


def test_participant_without_shape_is_reported():
    assert only("missing_participant_shape").element == "Participant_clean_program"


def test_file_without_any_diagram_is_one_finding():
    f = only("no_diagram")
    assert (f.check, f.file, f.element) == ("diagram", "scoring.bpmn", None)


def test_plane_referring_to_the_process_instead_of_the_collaboration_is_reported():
    f = only("plane_not_collaboration")
    assert (f.check, f.element) == ("diagram", "clean_program") and "collaboration" in f.message


def test_finding_names_the_line_of_the_element():
    f = only("missing_shape")
    lines = (LINT_FIXTURES / "missing_shape" / "program.bpmn").read_text().splitlines()
    assert 'id="count_conditions"' in lines[f.line - 1]


# ------------------------------------------------------------------ layout quality
def test_overlapping_shapes_are_reported():
    f = only("overlapping_shapes")
    assert (f.severity, f.check, f.element) == ("warning", "layout", "count_conditions")
    assert "review_candidate" in f.message


def test_shape_outside_its_lane_is_reported():
    f = only("node_outside_lane")
    assert (f.severity, f.check, f.element) == ("error", "layout", "physician_review")


def test_flow_running_right_to_left_without_a_loop_is_a_warning():
    f = only("right_to_left_flow")
    assert (f.severity, f.check, f.element) == ("warning", "layout", "flow_reviewed")


def test_flow_back_to_the_left_that_closes_a_loop_is_only_info():
    found = findings("loop_back")
    assert [(f.severity, f.element) for f in found] == [("info", "flow_again")]


# ------------------------------------------------------------------ human tasks
def test_user_task_outside_a_role_lane_is_reported():
    f = only("unknown_role_lane")
    assert (f.severity, f.check, f.element) == ("error", "roles", "physician_review")
    assert "Receptionist" in f.message


def test_user_task_in_no_lane_is_reported():
    f = only("user_task_in_no_lane")
    assert (f.check, f.element) == ("roles", "physician_review")


def test_user_task_naming_no_form_is_reported():
    f = only("user_task_without_form")
    assert (f.check, f.element) == ("forms", "physician_review") and "formJsonSchemaFilename" in f.message


def test_user_task_naming_no_ui_schema_is_reported():
    f = only("user_task_without_ui_schema")
    assert (f.check, f.element) == ("forms", "physician_review") and "formUiSchemaFilename" in f.message


def test_form_file_missing_from_the_bundle_is_reported_once():
    f = only("form_file_missing")
    assert (f.check, f.element) == ("forms", "physician_review") and "missing-schema.json" in f.message


def test_form_that_is_not_valid_json_schema_is_reported():
    f = only("form_not_json_schema")
    assert (f.check, f.file) == ("forms", "physician-review-schema.json")


def test_ui_schema_that_is_not_json_is_reported_with_its_line():
    f = only("ui_schema_not_json")
    assert (f.check, f.file, f.line) == ("forms", "physician-review-uischema.json", 2)


# ------------------------------------------------------------------ gateways, decisions, names, deploy
def test_gateway_flow_without_condition_or_default_is_reported_once():
    f = only("gateway_flow_without_condition")
    assert (f.severity, f.check, f.element) == ("error", "gateways", "flow_routine")


def test_decision_input_nothing_upstream_produces_is_reported():
    f = only("dmn_input_not_produced")
    assert (f.severity, f.check, f.file, f.element) == ("error", "dataflow", "scoring.bpmn", "band_risk")
    assert "conditions_total" in f.message and "risk_band.dmn" in f.message


def test_unnamed_task_is_a_warning():
    f = only("unnamed_task")
    assert (f.severity, f.check, f.element) == ("warning", "names", "count_conditions")


def test_unnamed_event_is_a_warning():
    assert only("unnamed_event").element == "routine"


def test_unnamed_gateway_with_two_outgoing_flows_is_a_warning():
    assert only("unnamed_split_gateway").element == "risk_gw"


def test_what_deploy_refuses_is_reported_as_a_deploy_error():
    f = only("deploy_refusal")
    assert (f.severity, f.check, f.element) == ("error", "deploy", "flow_high")


def test_linting_one_file_keeps_the_problems_of_the_decision_it_calls(tmp_path):
    folder = shutil.copytree(LINT_FIXTURES / "clean", tmp_path / "bundle")
    dmn = folder / "risk_band.dmn"
    dmn.write_text(dmn.read_text().replace('<rule id="Rule_low">', '<rule id="Rule_low"><inputEntry id="x" />', 1))
    assert {f.file for f in lint_path(folder / "scoring.bpmn").at_least("error")} == {"risk_band.dmn"}
    assert lint_path(folder / "program.bpmn").at_least("error") == []


def test_a_check_that_fails_is_reported_not_raised(monkeypatch):
    def check_broken(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(lint, "CHECKS", (check_broken,))
    (finding,) = lint.lint_path(LINT_FIXTURES / "clean").findings
    assert (finding.severity, finding.check) == ("error", "broken") and "boom" in finding.message
