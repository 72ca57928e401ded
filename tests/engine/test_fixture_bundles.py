"""The fixture bundles of these tests are models a BPMN editor can open: complete BPMNDI, lanes drawn.

A shape for every flow node (inside the shape of its lane), an edge for every sequence flow and data
association, executable processes, forms named by SpiffArena's properties; and each bundle deploys with no
warning.
"""
from __future__ import annotations

import pytest
from lxml import etree
from pathway_helpers import BPMN_FIXTURES

from engine.deploy.bundle import load_bundle
from engine.deploy.bundle_xml import NS
from engine.deploy.parsing import parse_bundle
from engine.deploy.validation import FLOW_NODES

BUNDLES = ["tcm_contact", "lab_followup", "tcm_on_discharge", "assessment_program", "script_error",
           "parallel_care", "review_loop"]
BPMN_FILES = [path for name in BUNDLES for path in sorted((BPMN_FIXTURES / name).glob("*.bpmn"))]


def bounds(shape):
    b = shape.find("dc:Bounds", {"dc": "http://www.omg.org/spec/DD/20100524/DC"})
    return float(b.get("x")), float(b.get("y")), float(b.get("width")), float(b.get("height"))


def ids(file):
    return f"{file.parent.name}/{file.name}"


@pytest.mark.parametrize("name", BUNDLES)
def test_bundle_deploys_without_warnings(name):
    assert parse_bundle(load_bundle(BPMN_FIXTURES / name)).warnings == []


@pytest.mark.parametrize("file", BPMN_FILES, ids=ids)
def test_every_element_is_drawn(file):
    root = etree.parse(str(file)).getroot()
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    nodes = [el.get("id") for el in root.iter() if etree.QName(el).localname in {*FLOW_NODES, "dataObjectReference"}
             and etree.QName(el).namespace == NS["bpmn"]]
    flows = [el.get("id") for el in root.iter() if etree.QName(el).localname in
             ("sequenceFlow", "dataInputAssociation", "dataOutputAssociation")]
    lanes = [el.get("id") for el in root.iterfind(".//bpmn:lane", NS)]
    assert lanes, "lanes name the roles"
    assert [n for n in nodes + lanes if n not in shapes] == []
    assert [f for f in flows if f not in edges] == []


@pytest.mark.parametrize("file", BPMN_FILES, ids=ids)
def test_every_node_sits_in_its_lane(file):
    root = etree.parse(str(file)).getroot()
    shapes = {s.get("bpmnElement"): bounds(s) for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    for lane in root.iterfind(".//bpmn:lane", NS):
        lx, ly, lw, lh = shapes[lane.get("id")]
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            x, y, w, h = shapes[ref.text]
            assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, (lane.get("name"), ref.text)


@pytest.mark.parametrize("file", BPMN_FILES, ids=ids)
def test_processes_are_executable_and_user_tasks_name_their_forms(file):
    root = etree.parse(str(file)).getroot()
    for process in root.iterfind("bpmn:process", NS):
        assert process.get("isExecutable") == "true"
    for task in root.iterfind(".//bpmn:userTask", NS):
        names = {p.get("name"): p.get("value") for p in task.iterfind(".//spiffworkflow:property", NS)}
        for prop in ("formJsonSchemaFilename", "formUiSchemaFilename"):
            assert (file.parent / names[prop]).is_file(), (task.get("id"), prop)
