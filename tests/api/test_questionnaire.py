"""A FHIR Questionnaire as a carepath form (engine.authoring.questionnaire): item types, required, repeats,
answer options, enableWhen as conditional fields, what cannot be mapped named with why; the form renders and
checks as pathway forms do; `carepath forms import` and POST /api/v1/forms/import use the one mapping."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import forms
from engine.authoring.questionnaire import import_questionnaire
from engine.cli import cli
from engine.service import InvalidInput

PHQ2 = {
    "resourceType": "Questionnaire", "id": "phq-2", "name": "PHQ2", "title": "PHQ-2 depression screen",
    "url": "http://example.org/Questionnaire/phq-2", "version": "1", "status": "active",
    "item": [
        {"linkId": "intro", "type": "display", "text": "Over the last 2 weeks, how often have you been bothered by:"},
        {"linkId": "1", "prefix": "1.", "type": "choice", "required": True, "text": "Little interest or pleasure",
         "answerOption": [{"valueCoding": {"code": "0", "display": "Not at all"}},
                          {"valueCoding": {"code": "1", "display": "Several days"}}]},
        {"linkId": "2", "type": "boolean", "text": "Feeling down?", "required": True},
        {"linkId": "2.1", "type": "text", "text": "Tell us more", "required": True,
         "enableWhen": [{"question": "2", "operator": "=", "answerBoolean": True}]},
        {"linkId": "score", "type": "integer", "text": "Score", "readOnly": True, "initial": [{"valueInteger": 0}]},
        {"linkId": "seen", "type": "date", "text": "Seen on"},
        {"linkId": "meds", "type": "string", "text": "Medicines", "repeats": True, "maxLength": 100},
        {"linkId": "feelings", "type": "choice", "repeats": True, "text": "Feelings", "answerValueSet": "#feel"},
        {"linkId": "photo", "type": "attachment", "text": "A photo"},
        {"linkId": "weight", "type": "quantity", "text": "Weight"},
        {"linkId": "contact", "type": "group", "text": "Contact", "item": [
            {"linkId": "contact.phone", "type": "string", "text": "Phone", "required": True}]},
    ],
    "contained": [{"resourceType": "ValueSet", "id": "feel", "status": "active", "compose": {"include": [
        {"system": "urn:feel", "concept": [{"code": "sad", "display": "Sad"}, {"code": "calm", "display": "Calm"}]}]}}],
}


@pytest.fixture
def imported():
    return import_questionnaire(PHQ2)


def test_items_become_typed_fields_named_by_linkid(imported):
    props = imported.schema["properties"]
    assert (props["q1"]["type"], props["q2"]["type"], props["score"]["type"], props["seen"]["format"],
            props["meds"]["type"], props["contact"]["type"]) == ("string", "boolean", "integer", "date", "array",
                                                                 "object")


def test_answer_options_become_choices_with_their_titles(imported):
    assert imported.schema["properties"]["q1"]["oneOf"] == [{"const": "0", "title": "Not at all"},
                                                            {"const": "1", "title": "Several days"}]


def test_a_contained_value_set_gives_a_multiple_choice(imported):
    feelings = imported.schema["properties"]["feelings"]
    assert (feelings["items"]["oneOf"][0], imported.ui_schema["feelings"]["ui:widget"]) == (
        {"const": "sad", "title": "Sad"}, "checkboxes")


def test_required_read_only_max_length_and_initial_carry_over(imported):
    props = imported.schema["properties"]
    assert (imported.schema["required"], props["score"]["readOnly"], props["score"]["default"],
            props["meds"]["items"]["maxLength"]) == (["q1", "q2"], True, 0, 100)


def test_enable_when_becomes_a_conditional_field(imported):
    (branch,) = imported.schema["allOf"]
    assert branch == {"if": {"properties": {"q2": {"const": True}}, "required": ["q2"]},
                      "then": {"properties": {"q2_1": {"type": "string", "title": "Tell us more"}},
                               "required": ["q2_1"]}}


def test_what_cannot_be_mapped_is_named_with_why(imported):
    assert {u["linkId"]: u["reason"].split(":")[0] for u in imported.unmapped} == {
        "photo": "'attachment' item", "weight": "'quantity' item"}


def test_the_file_name_comes_from_the_questionnaires_name(imported):
    assert list(imported.files) == ["phq2-schema.json", "phq2-uischema.json"]


def test_the_form_renders_and_shows_the_conditional_field_only_when_it_applies(imported):
    form = forms.load_form(imported.schema, imported.ui_schema)
    html = str(forms.render_form(form, {}))
    data_yes = {"q1": "0", "q2": True}
    assert 'name="q2_1"' in html
    assert forms.validate(form, data_yes) == {"q2_1": "Enter tell us more"}
    assert forms.validate(form, {"q1": "0", "q2": False}) == {}


def test_a_questionnaire_without_items_is_refused(imported):
    with pytest.raises(InvalidInput, match="item"):
        import_questionnaire({"resourceType": "Questionnaire", "item": []})


def test_an_item_without_a_link_id_is_refused_naming_it():
    with pytest.raises(InvalidInput, match=r"item\[0\]\.linkId"):
        import_questionnaire({"resourceType": "Questionnaire", "item": [{"type": "string"}]})


def test_a_condition_on_a_question_of_another_group_keeps_the_field_and_says_so():
    found = import_questionnaire({"resourceType": "Questionnaire", "item": [
        {"linkId": "g", "type": "group", "item": [{"linkId": "a", "type": "boolean"}]},
        {"linkId": "b", "type": "string", "enableWhen": [{"question": "a", "operator": "exists", "answerBoolean": True}]}]})
    assert "b" in found.schema["properties"] and found.unmapped[0]["linkId"] == "b"


def test_the_api_imports_a_questionnaire(api):
    body = api.post("/api/v1/forms/import", json=PHQ2).get_json()
    assert (body["name"], body["fields"]["q2_1"], len(body["unmapped"])) == ("phq2", "2.1", 2)


def test_the_api_refuses_what_is_not_a_questionnaire(api):
    response = api.post("/api/v1/forms/import", json={"resourceType": "Patient", "item": [{}]})
    assert response.status_code == 400 and response.get_json()["errors"][0]["pointer"] == "#/resourceType"


def test_forms_import_writes_the_two_files(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREPATH_HOME", str(tmp_path / "home"))
    source = tmp_path / "phq2.json"
    source.write_text(json.dumps(PHQ2))
    result = CliRunner().invoke(cli, ["forms", "import", str(source), "--out", str(tmp_path / "forms")])
    assert result.exit_code == 0, result.output
    schema = json.loads((tmp_path / "forms" / "phq2-schema.json").read_text())
    assert schema["title"] == "PHQ-2 depression screen" and "not mapped: photo" in result.output


def test_forms_import_does_not_overwrite_without_force(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREPATH_HOME", str(tmp_path / "home"))
    source = tmp_path / "phq2.json"
    source.write_text(json.dumps(PHQ2))
    args = ["forms", "import", str(source), "--out", str(tmp_path)]
    CliRunner().invoke(cli, args)
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, "--force" in result.stderr) == (2, True)
