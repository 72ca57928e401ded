"""SandboxedScriptEngine inside SpiffWorkflow: error reporting, service tasks, DMN, deploy-time checks."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.sandbox import (
    ConnectorRegistry,
    SandboxedScriptEngine,
    SandboxEnvironment,
    check_source,
    register_connector,
    unregister_connector,
)
from tests.corpus_path import CORPUS as SHARED_CORPUS

CORPUS = SHARED_CORPUS / "spiff"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")


def test_engine_runs_everything_in_a_sandbox_environment():
    engine = SandboxedScriptEngine()
    assert isinstance(engine.environment, SandboxEnvironment)
    with pytest.raises(TypeError, match="needs a SandboxEnvironment"):
        SandboxedScriptEngine(environment=object())


# -- deploy-time check -------------------------------------------------------------------------------------

def test_check_source_accepts_valid_code():
    assert check_source("score = sum(answers)\nif score > 3:\n    level = 'high'", "exec") == []
    assert check_source("age >= 65", "eval") == []


def test_check_source_reports_syntax_errors_with_their_line():
    (problem,) = check_source("x = 1\nif x\n    y = 2", "exec")
    assert problem.startswith("Line 2: SyntaxError")


def test_check_source_reports_every_policy_error():
    problems = check_source("import os\nx = ().__class__", "exec")
    assert problems == [
        "Line 1: import of 'os' is not allowed in pathway scripts (allowed: business_calendar, datetime, json, math)",
        'Line 2: "__class__" is an invalid attribute name because it starts with "_".',
    ]


def test_check_source_distinguishes_expressions_from_scripts():
    assert check_source("x = 1", "eval")[0].startswith("Line 1: SyntaxError")
    with pytest.raises(ValueError, match="mode must be 'eval' or 'exec'"):
        check_source("x", "single")


def test_check_source_runs_nothing(tmp_path):
    target = tmp_path / "written"
    assert check_source(f"open({str(target)!r}, 'w')", "exec") == []
    assert not target.exists()


# -- errors inside a workflow -------------------------------------------------------------------------------

def test_script_errors_report_the_failing_line(fixture_workflow):
    workflow = fixture_workflow("huge_format_padding")
    with pytest.raises(WorkflowTaskException) as raised:
        workflow.do_engine_steps()
    assert (raised.value.line_number, raised.value.error_line) == (2, "text = f'{status:>10000000000}'")


def test_expression_errors_name_the_refusal():
    engine = SandboxedScriptEngine()
    task = SimpleNamespace(data={}, task_spec=SimpleNamespace(bpmn_name="t"), workflow=None)
    task.workflow = SimpleNamespace(spec=SimpleNamespace(file="f.bpmn"), top_workflow=None)
    task.workflow.top_workflow = task.workflow
    with pytest.raises(WorkflowTaskException, match=r"Error evaluating expression '10\*\*10\*\*10': "
                                                    "SizeLimitExceeded: 10 \\*\\* 10000000000 would be"):
        engine.evaluate(task, "10**10**10")


# -- service tasks -------------------------------------------------------------------------------------------

def test_service_task_without_a_connector_fails_naming_the_operator(fixture_workflow):
    workflow = fixture_workflow("service_task", SandboxedScriptEngine(connectors=ConnectorRegistry()))
    with pytest.raises(WorkflowTaskException,
                       match="no connector is registered for service task operator 'ehr/lookup_patient'"):
        workflow.do_engine_steps()
    task = next(t for t in workflow.get_tasks() if t.task_spec.name == "lookup_patient")
    assert task.state == TaskState.ERROR


def test_service_task_calls_its_connector_with_evaluated_params(fixture_workflow):
    calls = []
    registry = ConnectorRegistry()
    registry.register("ehr/lookup_patient", lambda params: calls.append(params) or {"name": "Ann"})
    workflow = fixture_workflow("service_task", SandboxedScriptEngine(connectors=registry))
    workflow.do_engine_steps()
    assert calls == [{"patient_id": "p-42", "since": "2026-12-29"}]
    assert workflow.is_completed()
    assert workflow.data["patient_record"] == {"name": "Ann"}


def test_service_task_accepts_json_text_from_its_connector(fixture_workflow):
    registry = ConnectorRegistry()
    registry.register("ehr/lookup_patient", lambda params: json.dumps({"id": params["patient_id"]}))
    workflow = fixture_workflow("service_task", SandboxedScriptEngine(connectors=registry))
    workflow.do_engine_steps()
    assert workflow.data["patient_record"] == {"id": "p-42"}


def test_a_failing_connector_is_reported_with_its_operator(fixture_workflow):
    registry = ConnectorRegistry()
    registry.register("ehr/lookup_patient", lambda params: 1 / 0)
    workflow = fixture_workflow("service_task", SandboxedScriptEngine(connectors=registry))
    with pytest.raises(WorkflowTaskException, match="service task operator 'ehr/lookup_patient' failed: "
                                                    "ZeroDivisionError"):
        workflow.do_engine_steps()


def test_connectors_registered_globally_are_used_by_default_and_can_be_removed(fixture_workflow):
    register_connector("ehr/lookup_patient", lambda params: {"ok": True})
    try:
        workflow = fixture_workflow("service_task", SandboxedScriptEngine())
        workflow.do_engine_steps()
        assert workflow.data["patient_record"] == {"ok": True}
    finally:
        unregister_connector("ehr/lookup_patient")
    with pytest.raises(WorkflowTaskException, match="no connector is registered"):
        fixture_workflow("service_task", SandboxedScriptEngine()).do_engine_steps()


# -- DMN --------------------------------------------------------------------------------------------------------

def decide(dmn_path: Path, engine, data: dict) -> dict:
    parser = SpiffBpmnParser()
    parser.add_dmn_file(str(dmn_path))
    decision = parser.get_engine(next(iter(parser.dmn_parsers)), None)
    return dict(decision.result(SimpleNamespace(data=dict(data), workflow=SimpleNamespace(script_engine=engine))))


DMN_CASES = [
    ("0-2-basic-example/norris_score.dmn",
     [{"pushups": a, "thanos": b, "bulletproof": c} for a in (True, False) for b in (True, False)
      for c in (True, False)]),
    ("1-4-decisions/pizza_price.dmn", [{"size": s} for s in ("Personal", "Medium", "Large", "Huge")]),
    ("service-task-error-strategies/strategy-details.dmn",
     [{"http_status_code_category": c} for c in ("5xx server errors", "4xx client errors", "3xx redirection",
                                                 "2xx success", "1xx informational")]),
]


@needs_corpus
@pytest.mark.parametrize("dmn, inputs", DMN_CASES, ids=[case[0].split("/")[-1] for case in DMN_CASES])
def test_corpus_decision_tables_decide_as_with_the_default_engine(dmn, inputs):
    for data in inputs:
        assert decide(CORPUS / dmn, SandboxedScriptEngine(), data) == decide(CORPUS / dmn, PythonScriptEngine(), data)


RANGES_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="ranges" name="ranges" namespace="carepath">
  <decision id="risk_level" name="Risk level">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in_score" label="Score"><inputExpression id="expr_score" typeRef="integer"><text>score</text>
      </inputExpression></input>
      <input id="in_unit" label="Unit"><inputExpression id="expr_unit" typeRef="string"><text>unit</text>
      </inputExpression></input>
      <output id="out_level" name="level" typeRef="string" />
      <rule id="r1"><inputEntry id="r1a"><text>&lt; 5</text></inputEntry><inputEntry id="r1b"><text></text></inputEntry>
        <outputEntry id="r1o"><text>"low"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="r2a"><text>5 &lt;= ? &lt; 10</text></inputEntry>
        <inputEntry id="r2b"><text>"5xx server errors"</text></inputEntry>
        <outputEntry id="r2o"><text>"medium-" + unit[:3]</text></outputEntry></rule>
      <rule id="r3"><inputEntry id="r3a"><text>11</text></inputEntry><inputEntry id="r3b"><text></text></inputEntry>
        <outputEntry id="r3o"><text>"high"</text></outputEntry></rule>
      <rule id="r4"><inputEntry id="r4a"><text>&gt;= 5</text></inputEntry><inputEntry id="r4b"><text></text></inputEntry>
        <outputEntry id="r4o"><text>"very high " + str(score * 2)</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


@pytest.mark.parametrize("score, unit", [(1, "x"), (7, "5xx server errors"), (7, "other"), (11, "x"), (30, "x")])
def test_comparisons_ranges_and_question_mark_entries_decide_as_with_the_default_engine(tmp_path, score, unit):
    path = tmp_path / "ranges.dmn"
    path.write_text(RANGES_DMN)
    data = {"score": score, "unit": unit}
    assert decide(path, SandboxedScriptEngine(), data) == decide(path, PythonScriptEngine(), data)


def replay(bpmn: Path, dmn: list[Path], case: dict, load_workflow) -> dict:
    """Run a SpiffArena unit-test case: feed each manual/user task its recorded data, return the final data."""
    workflow = load_workflow(bpmn, SandboxedScriptEngine(), dmn)
    # keyed by task id only: one recorded case names the process by an older id
    feeds = {key.split(":")[-1]: list(value["data"]) for key, value in case["tasks"].items()}
    workflow.do_engine_steps()
    while not workflow.is_completed():
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update(feeds[task.task_spec.name].pop(0))
        task.run()
        workflow.do_engine_steps()
    return workflow.data


@needs_corpus
@pytest.mark.parametrize("folder, bpmn, dmn, tests", [
    ("0-2-basic-example", "user-guide-basics.bpmn", "norris_score.dmn", "test_user-guide-basics.json"),
    ("1-4-decisions", "decision_example.bpmn", "pizza_price.dmn", "test_decision_example.json"),
])
def test_corpus_models_with_scripts_gateways_and_decisions_give_their_expected_output(
        load_workflow, folder, bpmn, dmn, tests):
    cases = json.loads((CORPUS / folder / tests).read_text())
    # cases that pass each task once (one of them loops back through a restart event this replay does not drive)
    single_pass = [case for case in cases.values() if all(len(t["data"]) == 1 for t in case["tasks"].values())]
    assert len(single_pass) >= 2
    for case in single_pass:
        data = replay(CORPUS / folder / bpmn, [CORPUS / folder / dmn], case, load_workflow)
        assert data == case["expected_output_json"]


# -- layering ---------------------------------------------------------------------------------------------------

def test_sandbox_and_calendar_import_neither_flask_nor_forms_nor_webapp():
    code = ("import sys, engine.sandbox, engine.time.calendar\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'forms', 'webapp'))\n"
            "print(bad)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2], env={**os.environ, "PYTHONPATH": "."})
    assert result.stdout.strip() == "[]"
