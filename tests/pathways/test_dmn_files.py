"""The shipped decision tables are DMN 1.3 that SpiffWorkflow 3.2 runs and a clinician can read."""
from __future__ import annotations

from pathlib import Path

import pytest
import SpiffWorkflow
from lxml import etree

from tests.pathways.decisions import DMN

DMN_NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}
MINE = ["phq9_severity", "gad7_severity", "lace_points", "lace_band", "program_eligibility", "social_needs",
        "risk_tier"]
SCHEMA = Path(SpiffWorkflow.__file__).parent / "dmn" / "parser" / "schema" / "DMN13.xsd"


@pytest.fixture(scope="module")
def dmn13():
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def root(decision_id):
    return etree.parse(str(DMN / f"{decision_id}.dmn")).getroot()


@pytest.mark.parametrize("decision_id", MINE)
def test_file_is_valid_dmn_1_3(dmn13, decision_id):
    assert dmn13.validate(etree.ElementTree(root(decision_id))), dmn13.error_log


@pytest.mark.parametrize("decision_id", MINE)
def test_file_holds_one_decision_named_like_the_file(decision_id):
    assert [d.get("id") for d in root(decision_id).iterfind("dmn:decision", DMN_NS)] == [decision_id]


@pytest.mark.parametrize("decision_id", MINE)
def test_hit_policy_is_one_spiffworkflow_runs(decision_id):
    table = root(decision_id).find("dmn:decision/dmn:decisionTable", DMN_NS)
    assert table.get("hitPolicy") in ("UNIQUE", "FIRST", "COLLECT") and table.get("aggregation") is None


@pytest.mark.parametrize("decision_id", MINE)
def test_every_input_and_output_has_a_label(decision_id):
    table = root(decision_id).find("dmn:decision/dmn:decisionTable", DMN_NS)
    clauses = table.findall("dmn:input", DMN_NS) + table.findall("dmn:output", DMN_NS)
    assert clauses and all(c.get("label") for c in clauses)


@pytest.mark.parametrize("decision_id", MINE)
def test_every_rule_is_annotated(decision_id):
    rules = root(decision_id).findall(".//dmn:rule", DMN_NS)
    assert rules and all((r.findtext("dmn:description", namespaces=DMN_NS) or "").strip() for r in rules)


@pytest.mark.parametrize("decision_id", MINE)
def test_decision_describes_what_it_reads_and_writes(decision_id):
    description = root(decision_id).findtext("dmn:decision/dmn:description", namespaces=DMN_NS)
    assert "Reads" in description and "writes" in description.lower()
