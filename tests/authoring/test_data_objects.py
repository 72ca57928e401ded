"""Data objects in the authoring tools: `carepath layout` puts a data object reference right above the task it is
linked to (side by side when several are), with a task's read and write links apart; `carepath lint` reports a
reference or a link that is not drawn, a reference drawn over a shape, a waiting task that reads and writes a
data object others write too, and a data object SpiffWorkflow could not reach (without hanging on it)."""
from __future__ import annotations

import re

from lxml import etree

from engine.authoring.diagram import read_planes
from engine.authoring.lint import lint_bundle
from engine.authoring.rewrite import lay_out
from engine.deploy.bundle import Bundle, load_bundle
from tests.pathways.library import PATHWAYS

DIABETES = "bpmn/diabetes.bpmn"


def drawing(data: bytes):
    planes = read_planes(etree.fromstring(data))
    shapes = {e: s.box for plane in planes for e, s in plane.shapes.items()}
    edges = {e: info.points for plane in planes for e, info in plane.edges.items()}
    return shapes, edges


def library_findings(path: str, data: bytes, check: str | None = None):
    library = load_bundle(PATHWAYS)
    report = lint_bundle(Bundle("pathways", {**library.files, path: data}))
    return [f for f in report.at_least("warning") if f.file == path and (check is None or f.check == check)]


def diabetes_with(change) -> bytes:
    data = (PATHWAYS / DIABETES).read_bytes()
    changed = change(data)
    assert changed != data
    return changed


# ------------------------------------------------------------------ layout
def test_data_objects_sit_right_above_their_task_side_by_side():
    shapes, _ = drawing(lay_out((PATHWAYS / "bpmn/heart_failure.bpmn").read_bytes()).data)
    task, weights, alerts = shapes["record_weight"], shapes["weights_recorded"], shapes["weight_alerts_recorded"]
    assert weights.bottom < task.y and task.y - weights.bottom < 100
    assert weights.y == alerts.y and weights.right < alerts.x
    assert task.x < weights.cx < alerts.cx < task.right


def test_a_tasks_read_and_write_links_to_one_data_object_are_drawn_apart():
    _, edges = drawing((PATHWAYS / DIABETES).read_bytes())
    reads, writes = edges["record_lab_result_reads_hba1c_results"], edges["record_lab_result_writes_hba1c_results"]
    assert reads[0][0] == reads[-1][0] and writes[0][0] == writes[-1][0]  # straight down, straight up
    assert writes[0][0] - reads[0][0] == 12
    assert reads[0][1] < reads[-1][1] and writes[0][1] > writes[-1][1]


PROGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="program" isExecutable="true">
    <bpmn:dataObject id="results" />
    <bpmn:dataObjectReference id="results_ref" name="Results" dataObjectRef="results" />
    <bpmn:startEvent id="start" name="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="wait" name="Again"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:{kind} id="record" name="Record"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:dataInputAssociation id="reads"><bpmn:sourceRef>results_ref</bpmn:sourceRef></bpmn:dataInputAssociation>
      <bpmn:dataOutputAssociation id="writes"><bpmn:targetRef>results_ref</bpmn:targetRef></bpmn:dataOutputAssociation>
    </bpmn:{kind}>
    <bpmn:scriptTask id="tidy" name="Tidy"><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:dataOutputAssociation id="tidies"><bpmn:targetRef>results_tidy</bpmn:targetRef></bpmn:dataOutputAssociation>
      <bpmn:script>results = []</bpmn:script></bpmn:scriptTask>
    <bpmn:dataObjectReference id="results_tidy" name="Results" dataObjectRef="results" />
    <bpmn:startEvent id="start_tidy" name="Tidy up"><bpmn:outgoing>f4</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="record" />
    <bpmn:sequenceFlow id="f3" sourceRef="record" targetRef="wait" />
    <bpmn:sequenceFlow id="f4" sourceRef="start_tidy" targetRef="tidy" />
  </bpmn:process>
</bpmn:definitions>
"""


def program(kind: str) -> bytes:
    return lay_out(PROGRAM.replace("{kind}", kind).encode()).data


def test_data_object_of_a_task_a_loop_leaves_from_stands_aside():
    shapes, edges = drawing(program("scriptTask"))
    loop_up = edges["f3"][0][0]
    assert loop_up == shapes["record"].cx
    assert shapes["results_ref"].x > loop_up and all(x > loop_up for x, _ in edges["reads"] + edges["writes"])


def test_laid_out_data_objects_lint_clean():
    report = lint_bundle(Bundle("one", {"program.bpmn": program("scriptTask")}))
    assert [f for f in report.at_least("warning") if f.check in ("diagram", "layout", "data")] == []


# ------------------------------------------------------------------ lint
def test_data_object_reference_without_shape_is_reported():
    data = diabetes_with(lambda d: re.sub(rb'\s*<bpmndi:BPMNShape id="hba1c_results_recorded_di".*?</bpmndi:BPMNShape>',
                                          b"", d, flags=re.S))
    (f,) = library_findings(DIABETES, data)
    assert (f.severity, f.check, f.element) == ("warning", "diagram", "hba1c_results_recorded")
    assert "data object reference has no shape" in f.message


def test_data_association_without_edge_is_reported():
    data = diabetes_with(lambda d: re.sub(
        rb'\s*<bpmndi:BPMNEdge id="record_lab_result_reads_hba1c_results_di".*?</bpmndi:BPMNEdge>', b"", d, flags=re.S))
    (f,) = library_findings(DIABETES, data)
    assert (f.check, f.element, f.message.split(":")[0]) == (
        "diagram", "record_lab_result_reads_hba1c_results", "data association has no edge")


def test_data_object_drawn_over_a_task_is_reported():
    shapes, _ = drawing((PATHWAYS / DIABETES).read_bytes())
    task = shapes["record_lab_result"]
    data = diabetes_with(lambda d: re.sub(
        rb'(<bpmndi:BPMNShape id="hba1c_results_recorded_di" bpmnElement="hba1c_results_recorded">\s*<dc:Bounds )'
        rb'x="\d+" y="\d+"', rb'\g<1>' + f'x="{int(task.x) + 20}" y="{int(task.y) + 10}"'.encode(), d))
    found = library_findings(DIABETES, data, "layout")
    assert [(f.element, f.message) for f in found] == [
        ("hba1c_results_recorded", 'shape overlaps the shape of "record_lab_result"')]


def test_user_task_reading_and_writing_a_data_object_others_write_is_warned():
    report = lint_bundle(Bundle("one", {"program.bpmn": program("userTask")}))
    (f,) = [f for f in report.findings if f.check == "data"]
    assert (f.severity, f.element) == ("warning", "record")
    assert 'reads data object "results" when it starts and writes it back' in f.message and "tidy" in f.message


def test_script_task_reading_and_writing_a_data_object_is_fine():
    report = lint_bundle(Bundle("one", {"program.bpmn": program("scriptTask")}))
    assert [f for f in report.findings if f.check == "data"] == []


def test_shipped_programs_keep_their_shared_results_in_script_tasks():
    report = lint_bundle(load_bundle(PATHWAYS))
    assert [f for f in report.findings if f.check == "data"] == []


def test_data_object_out_of_spiffworkflows_reach_is_a_deploy_error_not_a_hang():
    nested = PROGRAM.replace("{kind}", "scriptTask").replace(
        '<bpmn:dataObject id="results" />', "").replace(
        '<bpmn:startEvent id="start_tidy"', '<bpmn:startEvent id="start_tidy_unused"').replace(
        '<bpmn:scriptTask id="tidy" name="Tidy"><bpmn:incoming>f4</bpmn:incoming>',
        '<bpmn:subProcess id="tidy" name="Tidy"><bpmn:incoming>f4</bpmn:incoming>'
        '<bpmn:startEvent id="tidy_start" name="Begin"><bpmn:outgoing>t1</bpmn:outgoing></bpmn:startEvent>'
        '<bpmn:scriptTask id="tidy_task" name="Tidy task"><bpmn:incoming>t1</bpmn:incoming>').replace(
        "<bpmn:script>results = []</bpmn:script></bpmn:scriptTask>",
        "<bpmn:script>results = []</bpmn:script></bpmn:scriptTask>"
        '<bpmn:sequenceFlow id="t1" sourceRef="tidy_start" targetRef="tidy_task" /></bpmn:subProcess>')
    report = lint_bundle(Bundle("one", {"program.bpmn": nested.encode()}))
    deploy = [f for f in report.findings if f.check == "deploy" and "data object" in f.message]
    assert [(f.severity, f.element) for f in deploy] == [("error", "tidy_task")]
