"""One BPMN fixture per threat: each is refused with a clear error, the task in ERROR, nothing else harmed."""
from __future__ import annotations

import os
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.time.calendar import add_business_days

THREATS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "threats"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

# fixture name -> (error class named in the message, what the message says, line of the script that failed)
THREATS = {
    "import_os": ("RefusedCode", "import of 'os' is not allowed in pathway scripts", 1),
    "dunder_import": ("RefusedCode", '"__import__" is an invalid variable name', 1),
    "subclasses_escape": ("RefusedCode", '"__subclasses__" is an invalid attribute name', 1),
    "open_file": ("AccessRefused", "open() is not allowed in pathway scripts: scripts have no file access", 2),
    "getattr_trick": ("AccessRefused", "access to attribute '__class__' is not allowed in pathway scripts", 2),
    "format_attribute": ("AccessRefused", "str.format() is not allowed in pathway scripts", 1),
    "format_map_attribute": ("AccessRefused", "str.format_map() is not allowed in pathway scripts", 2),
    "module_attribute_escape": ("AttributeError", "module 'datetime' has no attribute 'sys'", 1),
    "infinite_loop": ("TimeLimitExceeded", "script exceeded its time limit of 0.2 s", 3),
    "swallowed_time_limit": ("TimeLimitExceeded", "script exceeded its time limit of 0.2 s", 5),
    "huge_string": ("SizeLimitExceeded", "repeating a text 10,000,000,000 times", 1),
    "huge_list": ("SizeLimitExceeded", "repeating a list 1,000,000,000 times", 1),
    "huge_power": ("SizeLimitExceeded", "10 ** 10000000000 would be an integer of about", 1),
    "huge_range": ("SizeLimitExceeded", "range() of 1,000,000,000,000 items is over the limit", 1),
    "huge_format_padding": ("SizeLimitExceeded", "format spec '>10000000000' pads beyond the limit", 2),
    "huge_modular_power": ("SizeLimitExceeded", "pow(x, y, m) with a 13,948-bit exponent would run too long; "
                                                "the limit is 2,048 bits for the exponent and the modulus", 3),
    "huge_multiplication": ("SizeLimitExceeded", "this multiplication would be an integer of about 8,001 digits; "
                                                 "the limit is 4,300 digits", 2),
    "huge_int_parse": ("SizeLimitExceeded", "int() of a text of 200,000 characters would be an integer of about "
                                            "60,206 digits; the limit is 4,300 digits", 1),
}
FILES_THE_THREATS_TRY_TO_WRITE = [
    "/tmp/carepath-threat-import-os", "/tmp/carepath-threat-dunder-import", "/tmp/carepath-threat-open-file.txt",
]


def script_task(workflow):
    return next(task for task in workflow.get_tasks() if task.task_spec.name == "run_script")


@pytest.mark.parametrize("name", sorted(THREATS))
def test_threat_is_refused_with_a_clear_error_and_the_task_in_error(fixture_workflow, name):
    error_class, message, line = THREATS[name]
    workflow = fixture_workflow(name)
    with pytest.raises(WorkflowTaskException) as raised:
        workflow.do_engine_steps()
    assert str(raised.value).startswith(f"{error_class}:")
    assert message in str(raised.value)
    assert raised.value.error_type == error_class
    if line is not None:
        assert raised.value.line_number == line
    assert script_task(workflow).state == TaskState.ERROR
    assert not workflow.is_completed()


@pytest.mark.parametrize("name", sorted(THREATS))
def test_threat_harms_nothing_else(fixture_workflow, name):
    previous_tracer = sys.gettrace()
    with pytest.raises(WorkflowTaskException):
        fixture_workflow(name).do_engine_steps()
    assert sys.gettrace() is previous_tracer
    assert not any(os.path.exists(path) for path in FILES_THE_THREATS_TRY_TO_WRITE)
    benign = fixture_workflow("benign")
    benign.do_engine_steps()
    assert benign.is_completed()
    assert benign.data["follow_up_date"] == "2026-12-29"


def test_benign_fixture_runs_to_the_end_with_its_data(fixture_workflow):
    workflow = fixture_workflow("benign")
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert workflow.data == {
        "discharge_date": "2026-12-24",
        "follow_up_date": "2026-12-29",
        "review_in_days": 3,
        "summary": "follow-up call on 2026-12-29, review in 3 days",
    }


def test_business_day_timer_waits_until_two_business_days_after_discharge(fixture_workflow):
    workflow = fixture_workflow("benign_business_day_timer")
    workflow.do_engine_steps()
    timer = next(t for t in workflow.get_tasks(state=TaskState.WAITING))
    due = datetime.fromisoformat(timer.internal_data["event_value"])
    today = date.today()
    expected_days = (add_business_days(today, 2) - today).days
    assert abs((due - datetime.now(timezone.utc)).total_seconds() - expected_days * 86400) < 60


def test_every_threat_has_its_fixture():
    present = {path.stem for path in THREATS_DIR.glob("*.bpmn")}
    assert set(THREATS) <= present


@pytest.mark.parametrize("path", sorted(THREATS_DIR.glob("*.bpmn")), ids=lambda p: p.stem)
def test_fixture_is_valid_bpmn_with_a_diagram(path):
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(path))  # raises on XSD errors
    root = etree.parse(str(path)).getroot()
    assert root.nsmap.get("spiffworkflow") == SPIFF_NS
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
          "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
    process = root.find("bpmn:process", ns)
    assert process.get("isExecutable") == "true"
    drawn = {el.get("bpmnElement") for el in root.iterfind(".//bpmndi:BPMNShape", ns)}
    drawn |= {el.get("bpmnElement") for el in root.iterfind(".//bpmndi:BPMNEdge", ns)}
    elements = {el.get("id") for el in process if el.get("id")}
    assert elements <= drawn
