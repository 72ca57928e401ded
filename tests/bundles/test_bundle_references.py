"""References a bundle's XML makes: sequence flows to or from elements that are not there, and a DOCTYPE, an
external DTD or an XInclude, which could pull in what is not in the bundle. Each is refused naming the file,
the element and the line."""
from __future__ import annotations

from engine.deploy.bundle import load_bundle
from engine.deploy.parsing import parse_bundle

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
FLOW_5 = '<bpmn:sequenceFlow id="Flow_5" sourceRef="Script_note" targetRef="End_done" />'
FLOW_5_LINE = 61


def only(found):
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


# --- sequence flows ----------------------------------------------------------------------------------------

def test_a_flow_to_a_missing_element_names_the_flow_and_the_target(good, edit, problems):
    edit(good / "review.bpmn", FLOW_5, FLOW_5.replace('targetRef="End_done"', 'targetRef="End_nowhere"'))
    found = only(problems(good))
    assert (found.file, found.element, found.line) == ("review.bpmn", "Flow_5", FLOW_5_LINE)
    assert found.message == ('sequence flow Flow_5 goes to "End_nowhere", which does not exist: its targetRef must '
                             "name an element of process care_review")


def test_a_flow_from_a_missing_element_is_refused(good, edit, problems):
    edit(good / "review.bpmn", FLOW_5, FLOW_5.replace('sourceRef="Script_note"', 'sourceRef="Nowhere"'))
    found = only(problems(good))
    assert (found.element, found.line) == ("Flow_5", FLOW_5_LINE)
    assert 'comes from "Nowhere", which does not exist' in found.message


def test_a_flow_without_a_target_is_refused(good, edit, problems):
    edit(good / "review.bpmn", FLOW_5, FLOW_5.replace(' targetRef="End_done"', ""))
    found = only(problems(good))
    assert (found.element, found.message) == (
        "Flow_5", "sequence flow Flow_5 has no targetRef: name the element of process care_review it goes to")


def test_a_flow_to_an_element_outside_its_process_is_refused(good, edit, problems):
    edit(good / "review.bpmn", FLOW_5, FLOW_5.replace('targetRef="End_done"', 'targetRef="care_review"'))
    assert "which is not in process care_review but on line 3" in only(problems(good)).message


def test_each_broken_flow_is_reported_with_the_other_problems(good, edit, problems):
    edit(good / "review.bpmn", FLOW_5, FLOW_5.replace('targetRef="End_done"', 'targetRef="End_nowhere"'))
    edit(good / "review.bpmn", '<bpmn:conditionExpression>risk == "high"',
         '<bpmn:conditionExpression>risk ==')
    assert [p.element for p in problems(good)] == ["Flow_high", "Flow_5"]


# --- DOCTYPE, external DTD, XInclude ------------------------------------------------------------------------

def test_a_bpmn_file_with_a_doctype_is_refused_naming_file_and_line(good, edit, problems):
    edit(good / "review.bpmn", XML_DECLARATION, XML_DECLARATION + '<!DOCTYPE definitions [<!ENTITY who "x">]>\n')
    found = only(problems(good))
    assert (found.file, found.line) == ("review.bpmn", 2)
    assert found.message == ("the file has a DOCTYPE: BPMN and DMN files may not declare a DTD or entities; "
                             "remove the DOCTYPE")


def test_a_bpmn_file_with_an_external_dtd_names_it(good, edit, problems):
    edit(good / "review.bpmn", XML_DECLARATION,
         XML_DECLARATION + '\n<!DOCTYPE definitions SYSTEM "http://example.org/bpmn.dtd">\n')
    found = only(problems(good))
    assert (found.file, found.line) == ("review.bpmn", 3)
    assert 'a DOCTYPE naming an external DTD ("http://example.org/bpmn.dtd")' in found.message


def test_a_dmn_file_with_a_doctype_is_refused(good, edit, problems):
    edit(good / "risk.dmn", XML_DECLARATION, XML_DECLARATION + '<!DOCTYPE definitions SYSTEM "file:///etc/x">\n')
    found = [p for p in problems(good) if p.file == "risk.dmn"]
    assert [(p.line, "DOCTYPE" in p.message) for p in found] == [(2, True)]


def test_a_bpmn_file_with_an_xinclude_is_refused_naming_the_line(good, edit, problems):
    edit(good / "review.bpmn", "<bpmn:documentation>Assess the patient",
         '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'
         "<bpmn:documentation>Assess the patient")
    found = only(problems(good))
    assert (found.file, found.line) == ("review.bpmn", 4)
    assert found.message.startswith("XInclude element xi:include (file:///etc/passwd): BPMN and DMN files may not")


def test_a_file_that_only_mentions_doctype_in_text_is_accepted(good, edit):
    edit(good / "review.bpmn", "Assess the patient,", "Assess the patient (no &lt;!DOCTYPE&gt; here),")
    assert set(parse_bundle(load_bundle(good)).processes) == {"care_review", "follow_up"}
