"""Bad input in the studio: each gets a clear message naming the file and the line or element, and nothing is lost
from the draft (the stored file keeps its last version)."""
from __future__ import annotations

import json

import pytest

from engine.errors import InvalidInput, NotFound
from tests.studio.conftest import LEAD, file_of


def refused(studio, draft, path, content) -> str:
    before = file_of(studio, draft, path) if path in {f["path"] for f in studio.draft_files(draft, LEAD).files} \
        else None
    with pytest.raises(InvalidInput) as caught:
        studio.save_draft_file(draft, path, content, before[1] if before else None, LEAD)
    if before:
        assert file_of(studio, draft, path) == before
    return caught.value.message


def test_malformed_xml_names_the_file_and_the_line(studio, draft):
    content, _ = file_of(studio, draft, "bpmn/ccm.bpmn")
    broken = content.replace(b"</bpmn:scriptTask>", b"</bpmn:scriptTusk>", 1)
    message = refused(studio, draft, "bpmn/ccm.bpmn", broken)
    assert message.startswith("bpmn/ccm.bpmn was not saved (the draft keeps its last version): line ")
    assert "scriptTusk" in message


def test_a_form_schema_that_is_not_json_schema_names_the_file_and_the_place(studio, draft):
    schema = {"type": "object", "properties": {"age": {"type": "whole number"}}}
    message = refused(studio, draft, "forms/engagement-consent-schema.json", json.dumps(schema).encode())
    assert "forms/engagement-consent-schema.json was not saved" in message
    assert "/properties/age/type" in message


def test_a_form_file_that_is_not_json_names_the_line(studio, draft):
    message = refused(studio, draft, "forms/engagement-consent-schema.json", b'{"type": "object",\n  "title": }')
    assert "not valid JSON" in message and "line 2" in message


def test_a_decision_table_that_does_not_parse_names_the_file_and_the_element(studio, draft):
    content, _ = file_of(studio, draft, "dmn/lace_band.dmn")
    broken = content.replace(b"<output ", b"<outcome ", 1)
    message = refused(studio, draft, "dmn/lace_band.dmn", broken)
    assert message.startswith("dmn/lace_band.dmn was not saved")
    assert "line 12, element Rule_lace_band_1: rule has more entries than its table's 1 input(s) and 0 output(s)" \
        in message


def test_a_bpmn_file_that_is_a_dmn_is_refused(studio, draft):
    content, _ = file_of(studio, draft, "dmn/lace_band.dmn")
    assert "not a BPMN 2.0 file" in refused(studio, draft, "bpmn/ccm.bpmn", content)


def test_a_test_file_with_a_bad_step_names_the_case(studio, draft):
    body = {"c": {"tasks": {}, "steps": [{"advance": "three days"}]}}
    message = refused(studio, draft, "bpmn/test_ccm.json", json.dumps(body).encode())
    assert "case 'c': step 1" in message


def test_a_walk_of_a_file_not_in_the_draft_is_not_found(studio, draft):
    with pytest.raises(NotFound):
        studio.walk_draft(draft, "bpmn/nothing.bpmn", {}, LEAD)
