"""The mood screening diagram follows the library's conventions: it deploys cleanly with its diagram, lanes
name roles, and every element has a name and documentation a clinician can read."""
from __future__ import annotations

import pytest
from lxml import etree

from engine.deploy.bundle_xml import NS
from engine.deploy.parsing import parse_bundle
from engine.deploy.validation import FLOW_NODES
from tests.pathways.library import PATHWAYS, stages_bundle

ROOT = etree.parse(str(PATHWAYS / "bpmn" / "mood_screening.bpmn")).getroot()
PROCESS = ROOT.find("bpmn:process", NS)
NODES = [el for el in PROCESS.iter() if etree.QName(el).localname in FLOW_NODES]


def test_stage_deploys_without_warnings():
    assert parse_bundle(stages_bundle("mood_screening")).warnings == []


def test_process_is_the_executable_mood_screening():
    assert (PROCESS.get("id"), PROCESS.get("name"), PROCESS.get("isExecutable")) == (
        "mood_screening", "Mood screening", "true")


def test_lanes_are_the_care_manager_and_the_physician():
    from engine.runtime.pending import role_from_lane

    lanes = [role_from_lane(lane.get("name")) for lane in PROCESS.iterfind(".//bpmn:lane", NS)]
    assert lanes == ["care_manager", "physician"]


@pytest.mark.parametrize("node", NODES, ids=[n.get("id") for n in NODES])
def test_every_element_has_a_name_and_documentation(node):
    assert node.get("name") and node.findtext("bpmn:documentation", namespaces=NS)


def test_gateway_flows_are_named():
    gateways = {el.get("id") for el in PROCESS.iter(f"{{{NS['bpmn']}}}inclusiveGateway",
                                                     f"{{{NS['bpmn']}}}exclusiveGateway")}
    splits = [f for f in PROCESS.iterfind("bpmn:sequenceFlow", NS)
              if f.get("sourceRef") in gateways and f.find("bpmn:conditionExpression", NS) is not None]
    assert splits and all(f.get("name") for f in splits)
