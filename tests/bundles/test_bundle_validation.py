"""parse_bundle: what a good bundle gives, and each problem kind a broken copy of it is refused with."""
from __future__ import annotations

import json

import pytest

from engine.deploy import bundle as bundle_mod
from engine.deploy.bundle import Bundle, load_bundle
from engine.deploy.parsing import parse_bundle
from engine.errors import NotFound

from .conftest import FIXTURES

START = '<bpmn:startEvent id="StartEvent_1">'
TIMER = "<bpmn:timeDuration>'P14D'</bpmn:timeDuration>"
CONDITION = '<bpmn:conditionExpression>risk == "high"</bpmn:conditionExpression>'
SCRIPT = '<bpmn:script>note = "routine"\nchecked = True</bpmn:script>'


def only(found):
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


@pytest.fixture(scope="module")
def parsed():
    return parse_bundle(load_bundle(FIXTURES / "care-review"))


# --- what a good bundle gives ---------------------------------------------------------------------------

def test_good_bundle_lists_its_processes(parsed):
    assert set(parsed.processes) == {"care_review", "follow_up"}


def test_process_called_by_a_call_activity_is_not_startable(parsed):
    assert (parsed.startable, parsed.processes["follow_up"].called) == (["care_review"], True)


def test_process_info_names_file_line_and_documentation(parsed):
    info = parsed.processes["care_review"]
    assert (info.name, info.file, info.line, info.executable) == ("Care review", "review.bpmn", 3, True)
    assert info.documentation.startswith("Assess the patient")


def test_forms_are_the_referenced_json_files_by_name(parsed):
    assert set(parsed.forms) == {"assess-schema.json", "assess-uischema.json", "call-schema.json",
                                 "call-uischema.json"}
    assert parsed.forms["assess-schema.json"]["required"] == ["score"]


def test_good_bundle_has_no_warnings(parsed):
    assert parsed.warnings == []


def test_spec_is_parsed_once_and_cached(parsed):
    assert parsed.spec("care_review") is parsed.spec("care_review")


def test_subprocess_specs_hold_the_called_process(parsed):
    assert set(parsed.subprocess_specs("care_review")) == {"follow_up"}


def test_spec_of_an_unknown_process_is_not_found(parsed):
    with pytest.raises(NotFound):
        parsed.spec("nope")


def test_message_start_event_is_recorded(good, edit):
    edit(good / "review.bpmn", START, START + '<bpmn:messageEventDefinition messageRef="Msg_discharge" />')
    edit(good / "review.bpmn", "</bpmn:process>", '</bpmn:process><bpmn:message id="Msg_discharge" name="discharge" />')
    assert parse_bundle(load_bundle(good)).processes["care_review"].message_start_events == ["discharge"]


def test_timer_start_event_is_recorded(good, edit):
    edit(good / "review.bpmn", START, START + "<bpmn:timerEventDefinition><bpmn:timeDate>'2030-01-01T09:00'"
                                              "</bpmn:timeDate></bpmn:timerEventDefinition>")
    assert parse_bundle(load_bundle(good)).processes["care_review"].timer_start


def test_timer_expression_in_python_is_accepted(good, edit):
    edit(good / "review.bpmn", TIMER, '<bpmn:timeDuration>f"P{days}D"</bpmn:timeDuration>')
    assert parse_bundle(load_bundle(good)).startable == ["care_review"]


def test_script_is_compiled_not_run(good, edit):
    edit(good / "review.bpmn", SCRIPT, "<bpmn:script>raise SystemExit(3)</bpmn:script>")
    assert parse_bundle(load_bundle(good)).startable == ["care_review"]


def test_unreferenced_json_that_is_not_json_is_ignored(good):
    (good / "notes.json").write_text("{not json")
    assert parse_bundle(load_bundle(good)).startable == ["care_review"]


def test_extra_non_executable_process_is_a_warning(good, edit):
    edit(good / "review.bpmn", "<bpmndi:BPMNDiagram", '<bpmn:process id="documentation_pool" isExecutable="false">'
                                                     '</bpmn:process><bpmndi:BPMNDiagram')
    warning = only(parse_bundle(load_bundle(good)).warnings)
    assert (warning.element, "not executable" in warning.message) == ("documentation_pool", True)


def test_element_without_diagram_shape_is_a_warning(good, edit):
    edit(good / "review.bpmn", '<bpmndi:BPMNShape id="Task_score_di" bpmnElement="Task_score">',
         '<bpmndi:BPMNShape id="Task_score_di" bpmnElement="Nothing">')
    assert "Task_score" in only(parse_bundle(load_bundle(good)).warnings).message


# --- problems, one kind each -------------------------------------------------------------------------------

def test_xml_not_well_formed_names_file_and_line(good, edit, problems):
    edit(good / "follow-up.bpmn", "</bpmn:userTask>", "</bpmn:task>")
    found = problems(good)[0]
    assert (found.file, found.line, "not well-formed" in found.message) == ("follow-up.bpmn", 16, True)


def test_problem_that_follows_from_an_unreadable_file_says_so(good, edit, problems):
    edit(good / "follow-up.bpmn", "</bpmn:userTask>", "</bpmn:task>")
    assert "or in follow-up.bpmn, which could not be read" in problems(good)[1].message


def test_xml_that_is_not_bpmn_is_refused(good, problems):
    (good / "other.bpmn").write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert "not a BPMN 2.0 file" in only(problems(good)).message


def test_bundle_whose_only_process_is_not_executable_is_refused(good, edit, problems):
    (good / "review.bpmn").unlink()
    edit(good / "follow-up.bpmn", 'isExecutable="true"', 'isExecutable="false"')
    found = only(problems(good))
    assert (found.element, "no executable process" in found.message) == ("follow_up", True)


def test_call_activity_to_a_non_executable_process_is_refused(good, edit, problems):
    edit(good / "follow-up.bpmn", 'isExecutable="true"', 'isExecutable="false"')
    found = only(problems(good))
    assert (found.file, found.element, found.line) == ("review.bpmn", "Call_follow_up", 39)
    assert "not executable" in found.message


def test_call_activity_to_a_missing_process_is_refused(good, problems):
    (good / "follow-up.bpmn").unlink()
    (good / "call-schema.json").unlink()
    found = only(problems(good))
    assert (found.element, found.message) == (
        "Call_follow_up", 'call activity calls process "follow_up", which is not in the bundle')


def test_duplicate_process_id_across_files_is_refused(good, edit, problems):
    (good / "copy.bpmn").write_text((good / "follow-up.bpmn").read_text())
    found = only(problems(good))
    assert (found.file, found.element, "duplicate process id" in found.message) == ("follow-up.bpmn", "follow_up", True)


def test_missing_form_file_is_refused(good, problems):
    (good / "call-uischema.json").unlink()
    found = only(problems(good))
    assert (found.file, found.element, found.message) == (
        "follow-up.bpmn", "Task_call", 'form file "call-uischema.json" (formUiSchemaFilename) is not in the bundle')


def test_form_that_is_not_json_names_line_and_column(good, problems):
    (good / "assess-schema.json").write_text('{\n  "type": "object",\n  "title": oops\n}')
    found = only(problems(good))
    assert (found.file, found.line, "line 3, column 12" in found.message) == ("assess-schema.json", 3, True)


def test_form_that_is_not_json_schema_is_refused(good, problems):
    (good / "assess-schema.json").write_text('{"type": "object", "properties": {"score": {"type": "integr"}}}')
    found = only(problems(good))
    assert found.file == "assess-schema.json" and "/properties/score/type" in found.message


def test_draft_07_schema_is_checked_against_draft_07(good, problems):
    # a list under "items" is valid in draft-07 and invalid in draft 2020-12
    schema = {"type": "object", "properties": {"pair": {"type": "array", "items": [{"type": "string"}]}}}
    (good / "call-schema.json").write_text(json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", **schema}))
    assert parse_bundle(load_bundle(good)).startable == ["care_review"]
    (good / "call-schema.json").write_text(json.dumps(schema))
    assert "Draft202012Validator" in only(problems(good)).message


def test_spiffarena_options_from_task_data_var_are_accepted(good):
    schema = {"type": "object", "properties": {
        "fruit": {"type": "string", "anyOf": ["options_from_task_data_var:fruits"]},
        "fruits": {"type": "array", "items": "options_from_task_data_var:fruits"}}}
    (good / "call-schema.json").write_text(json.dumps(schema))
    forms = parse_bundle(load_bundle(good)).forms
    assert forms["call-schema.json"]["properties"]["fruits"]["items"] == "options_from_task_data_var:fruits"


def test_ui_schema_must_be_a_json_object(good, problems):
    (good / "call-uischema.json").write_text("[]")
    assert only(problems(good)).message == "a uiSchema must be a JSON object"


def test_form_name_found_twice_in_the_bundle_is_ambiguous(good, problems):
    (good / "old").mkdir()
    (good / "old" / "call-schema.json").write_text("{}")
    assert "is ambiguous: call-schema.json, old/call-schema.json" in only(problems(good)).message


def test_dmn_with_two_decisions_names_file_and_decisions(good, edit, problems):
    edit(good / "risk.dmn", "</definitions>", '<decision id="second" name="Second"><decisionTable id="T2">'
                                              "</decisionTable></decision></definitions>")
    found = only(problems(good))
    assert (found.file, found.element, "2 decisions (risk_level, second)" in found.message) == ("risk.dmn", "second", True)


def test_dmn_that_spiffworkflow_cannot_parse_is_refused(good, edit, problems):
    edit(good / "risk.dmn", '<text>"high"</text>', '<text>"high</text>')
    found = only(problems(good))
    assert (found.file, found.element, "Malformed Output Expression" in found.message) == \
        ("risk.dmn", "OutputEntry_high", True)


def test_business_rule_task_calling_a_missing_decision_is_refused(good, problems):
    (good / "risk.dmn").unlink()
    found = only(problems(good))
    assert (found.element, found.message) == (
        "Task_score", 'business rule task calls decision "risk_level", which is in no .dmn file of the bundle')


def test_gateway_flow_without_condition_or_default_is_refused(good, edit, problems):
    edit(good / "review.bpmn", CONDITION, "")
    found = only(problems(good))
    assert (found.element, found.line) == ("Flow_high", 56) and "Non-default exclusive" in found.message


def test_condition_that_does_not_compile_is_refused(good, edit, problems):
    edit(good / "review.bpmn", CONDITION, "<bpmn:conditionExpression>risk ==</bpmn:conditionExpression>")
    found = only(problems(good))
    assert (found.element, "does not compile" in found.message) == ("Flow_high", True)


def test_juel_condition_is_refused_with_a_hint(good, edit, problems):
    edit(good / "review.bpmn", CONDITION, "<bpmn:conditionExpression>${approved}</bpmn:conditionExpression>")
    assert "JUEL" in only(problems(good)).message


def test_bare_iso_timer_is_refused_with_the_quoted_form(good, edit, problems):
    edit(good / "review.bpmn", TIMER, "<bpmn:timeDuration>PT2H</bpmn:timeDuration>")
    found = only(problems(good))
    assert (found.element, found.line) == ("Timer_overdue", 21) and "quote it (\"'PT2H'\")" in found.message


def test_invalid_iso_duration_is_refused(good, edit, problems):
    edit(good / "review.bpmn", TIMER, "<bpmn:timeCycle>'R/P1H'</bpmn:timeCycle>")
    message = only(problems(good)).message
    assert "Invalid duration" in message and "T designator" in message


def test_timer_that_does_not_compile_is_refused(good, edit, problems):
    edit(good / "review.bpmn", TIMER, "<bpmn:timeDuration>0/5 * * * ?</bpmn:timeDuration>")
    assert "does not compile" in only(problems(good)).message


def test_timer_without_time_specification_is_refused(good, edit, problems):
    edit(good / "review.bpmn", TIMER, "")
    assert only(problems(good)).message == "timer has no timeDate, timeDuration or timeCycle"


def test_script_syntax_error_names_the_line_in_the_file(good, edit, problems):
    edit(good / "review.bpmn", SCRIPT, '<bpmn:script>note = "routine"\nchecked = = True</bpmn:script>')
    found = only(problems(good))
    assert (found.element, found.line, "not valid Python" in found.message) == ("Script_note", 47, True)


def test_service_task_without_operator_is_refused(good, edit, problems):
    edit(good / "review.bpmn", '<bpmn:scriptTask id="Script_note" name="Note routine">',
         '<bpmn:serviceTask id="Script_note" name="Note routine">')
    edit(good / "review.bpmn", "</bpmn:scriptTask>", "</bpmn:serviceTask>")
    assert "A Service Task must have an operator" in only(problems(good)).message


def test_spiffworkflow_validation_error_names_file_element_and_line(good, edit, problems):
    edit(good / "follow-up.bpmn", "<bpmn:incoming>Flow_a</bpmn:incoming>",
         "<bpmn:incoming>Flow_a</bpmn:incoming><bpmn:multiInstanceLoopCharacteristics />")
    found = only(problems(good))
    assert (found.file, found.element, found.line) == ("follow-up.bpmn", "Task_call", 7)
    assert "SpiffWorkflow: A multiinstance task must specify a cardinality" in found.message


def test_several_outgoing_flows_from_a_task_ask_for_a_gateway(good, edit, problems):
    edit(good / "review.bpmn", '<bpmn:sequenceFlow id="Flow_1"',
         '<bpmn:sequenceFlow id="Flow_x" sourceRef="Task_assess" targetRef="End_done" /><bpmn:sequenceFlow id="Flow_1"')
    found = only(problems(good))
    assert (found.element, "split them with a gateway" in found.message) == ("Task_assess", True)


def test_file_over_the_size_limit_is_reported_with_the_others(good, edit, problems, monkeypatch):
    monkeypatch.setattr(bundle_mod, "MAX_FILE_BYTES", 5000)
    (good / "call-uischema.json").unlink()
    found = problems(good)
    assert [(p.file, "over the limit" in p.message) for p in found] == [("follow-up.bpmn", False),
                                                                         ("review.bpmn", True)]


def test_file_over_the_size_limit_in_memory_is_refused(problems, monkeypatch):
    files = dict(load_bundle(FIXTURES / "care-review").files)
    monkeypatch.setattr(bundle_mod, "MAX_FILE_BYTES", 1000)
    found = problems(Bundle("big", files))
    assert {p.file for p in found if "over the limit" in p.message} == {"review.bpmn", "follow-up.bpmn", "risk.dmn"}


def test_every_problem_is_reported_at_once(good, edit, problems):
    edit(good / "review.bpmn", CONDITION, "")
    edit(good / "review.bpmn", TIMER, "<bpmn:timeDuration>P7D</bpmn:timeDuration>")
    (good / "call-schema.json").write_text("{")
    (good / "risk.dmn").write_text("<definitions")
    found = problems(good)
    assert [(p.file, p.element) for p in found] == [
        ("call-schema.json", None), ("review.bpmn", "Timer_overdue"), ("review.bpmn", "Task_score"),
        ("review.bpmn", "Flow_high"), ("risk.dmn", None)]
