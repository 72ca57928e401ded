"""Decision inputs must be produced upstream of the business rule task, on the sequence-flow graph.

Each test edits the clean bundle in memory (program.bpmn calls the scoring stage, whose decision reads
`condition_count` and `lace_inputs['charlson_index']`) and looks at the dataflow findings only.
"""
from __future__ import annotations

from engine.authoring.dataflow import assigned_names, form_fields, free_names
from engine.authoring.lint import lint_bundle
from engine.deploy.bundle import load_bundle

from .conftest import LINT_FIXTURES

CLEAN = load_bundle(LINT_FIXTURES / "clean")


def unproduced(*edits: tuple[str, str, str]) -> list[str]:
    """The names dataflow reports after replacing `old` by `new` in each file."""
    files = dict(CLEAN.files)
    for path, old, new in edits:
        text = files[path].decode()
        assert old in text, old
        files[path] = text.replace(old, new, 1).encode()
    bundle = type(CLEAN)("edited", files)
    found = [f for f in lint_bundle(bundle).findings if f.check == "dataflow"]
    return [f.message.split("`")[1] for f in found]


def reads(expression: str):
    return ("risk_band.dmn", "<text>condition_count</text>", f"<text>{expression}</text>")


def test_name_produced_by_a_script_upstream_in_the_caller_is_found():
    assert unproduced() == []


def test_subscript_input_needs_only_its_root_name():
    assert free_names("lace_inputs['charlson_index'] + x.y") == {"lace_inputs", "x"}


def test_start_data_the_process_declares_counts_as_produced():
    assert unproduced(("program.bpmn", 'value="lace_inputs"', 'value=""')) == ["lace_inputs"]


def test_form_field_upstream_counts_as_produced():
    assert unproduced(reads("len(chronic_conditions)")) == []


def test_form_field_of_a_task_after_the_decision_does_not_count():
    assert unproduced(reads("note")) == ["note"]


def test_output_of_an_earlier_decision_counts_as_produced():
    """Two business rule tasks in a row calling a decision that reads its own output: only the first lacks it."""
    second = ("scoring.bpmn", '<bpmn:sequenceFlow id="flow_scored" sourceRef="band_risk" targetRef="scored" />',
              '<bpmn:sequenceFlow id="flow_scored" sourceRef="band_risk" targetRef="band_again" />\n'
              '<bpmn:sequenceFlow id="flow_again" sourceRef="band_again" targetRef="scored" />\n'
              '<bpmn:businessRuleTask id="band_again" name="Band again"><bpmn:extensionElements>'
              "<spiffworkflow:calledDecisionId>risk_band</spiffworkflow:calledDecisionId>"
              "</bpmn:extensionElements></bpmn:businessRuleTask>")
    assert unproduced(reads("risk_band"), second) == ["risk_band"]


def test_engine_helpers_and_patient_id_count_as_produced():
    assert unproduced(reads("business_days_between(datetime.date.today(), patient_id)")) == []


def test_message_variable_upstream_counts_as_produced():
    message = ("scoring.bpmn", '<bpmn:startEvent id="scoring_start" name="Scoring due">',
               '<bpmn:startEvent id="scoring_start" name="Scoring due"><bpmn:messageEventDefinition '
               'messageRef="lab"><bpmn:extensionElements><spiffworkflow:messageVariable>lab_result'
               '</spiffworkflow:messageVariable></bpmn:extensionElements></bpmn:messageEventDefinition>')
    declare = ("scoring.bpmn", "<bpmn:process ", '<bpmn:message id="lab" name="lab_result" />\n  <bpmn:process ')
    assert unproduced(reads("lab_result['value']"), message, declare) == []


def test_name_produced_only_in_a_loop_after_the_decision_counts():
    """The graph, not file order: a script after the decision that loops back before it."""
    assert unproduced(reads("risk_band")) == ["risk_band"]
    loop = ("program.bpmn", 'targetRef="routine" />',
            'targetRef="routine" />\n    <bpmn:sequenceFlow id="flow_again" sourceRef="risk_gw" targetRef="review_candidate">'
            "<bpmn:conditionExpression>risk_band == 'again'</bpmn:conditionExpression></bpmn:sequenceFlow>")
    assert unproduced(reads("risk_band"), loop) == []


def test_stage_sees_only_what_its_caller_produced_before_the_call():
    moved = ("program.bpmn", "condition_count = len(chronic_conditions)", "counted = len(chronic_conditions)")
    assert unproduced(moved) == ["condition_count"]


def test_script_assignment_targets_are_produced():
    assert assigned_names("a = 1\nb, c = 2, 3\nfor d in []: pass\nx['k'] = 1\nimport math as m") == \
        {"a", "b", "c", "d", "m"}


def test_form_fields_include_conditional_parts():
    schema = {"properties": {"a": {}}, "allOf": [{"if": {}, "then": {"properties": {"b": {}}}}],
              "dependencies": {"a": {"oneOf": [{"properties": {"c": {}}}]}}}
    assert form_fields(schema) == {"a", "b", "c"}
