"""The HTML: labels, groups, help and messages tied to their controls, prefilled values, rows, escaping."""
from __future__ import annotations

import json

import forms

from .conftest import by_id, live, parse_html


def render(form, data=None, **kw):
    return parse_html(forms.render_form(form, data, **kw))


def test_every_text_control_has_a_label_pointing_at_it(medications):
    root = render(medications)
    for control in root.xpath("//input[not(@type='hidden') and not(@type='radio') and not(@type='checkbox')]"
                              "|//select|//textarea"):
        if not live(control):
            continue
        labels = root.xpath("//label[@for=$id]", id=control.get("id"))
        assert len(labels) == 1, control.get("name")


def test_radio_answers_are_grouped_in_a_fieldset_with_the_question_as_legend(phq9):
    root = render(phq9)
    radio = by_id(root, "f-phq9_1-0")
    fieldset = next(a for a in radio.iterancestors() if a.tag == "fieldset")
    assert fieldset.find("legend").text_content().startswith("Little interest or pleasure in doing things")
    assert root.xpath("//label[@for='f-phq9_1-0']")[0].text_content() == "Not at all"


def test_a_nested_object_is_a_fieldset_with_its_title_as_legend(medications):
    group = by_id(render(medications), "f-adherence-field")
    assert group.tag == "fieldset"
    assert group.find("legend").text_content() == "Managing medicines"


def test_required_fields_have_a_mark_and_text_for_screen_readers(phq9):
    legend = by_id(render(phq9), "f-phq9_1-field").find("legend")
    assert legend.xpath(".//*[@aria-hidden='true']")[0].text_content() == "*"
    assert legend.xpath(".//*[contains(@class,'cp-visually-hidden')]")[0].text_content().strip() == "(required)"


def test_help_text_is_tied_to_its_control_with_aria_describedby(medications):
    root = render(medications)
    group = by_id(root, "f-medications-field")
    assert "f-medications-help" in group.get("aria-describedby").split()
    assert by_id(root, "f-medications-help").text_content() == "Include over-the-counter medicines."


def test_a_field_message_is_tied_to_its_control_and_marks_it_invalid(medications):
    root = render(medications, {"weight_kg": "heavy"}, errors={"weight_kg": "Enter a number"})
    control = by_id(root, "f-weight_kg")
    assert control.get("aria-invalid") == "true"
    assert "f-weight_kg-error" in control.get("aria-describedby").split()
    assert "Enter a number" in by_id(root, "f-weight_kg-error").text_content()


def test_the_error_summary_comes_first_and_links_to_each_field(phq9):
    errors = {"phq9_2": "Choose an answer", "phq9_7": "Choose an answer"}
    root = render(phq9, errors=errors)
    summary = root.xpath("//*[@data-error-summary]")[0]
    first_field = root.xpath("//*[@data-path]")[0]
    assert summary.getparent().index(summary) < first_field.getparent().index(first_field)
    assert summary.get("role") == "alert"
    links = summary.xpath(".//a")
    assert [a.get("href") for a in links] == ["#f-phq9_2-0", "#f-phq9_7-0"]
    for a in links:
        by_id(root, a.get("href")[1:])


def test_a_message_for_no_field_is_listed_without_a_link(phq9):
    root = render(phq9, errors={"": "Some answers do not fit together: check them"})
    item = root.xpath("//*[@data-error-summary]//li")[0]
    assert item.text_content() == "Some answers do not fit together: check them" and not item.xpath(".//a")


def test_patient_name_with_script_tag_renders_as_text(consent):
    name = "<script>alert(1)</script>"
    markup = str(forms.render_form(consent, {"patient_name": name, "note": name}))
    assert "<script>" not in markup
    root = parse_html(markup)
    assert not root.xpath("//script")
    assert by_id(root, "f-patient_name").text_content() == name
    assert by_id(root, "f-note").text_content().strip() == name


def test_titles_from_the_schema_are_escaped_too():
    form = forms.load_form({"title": "<b>x</b>", "properties": {"a": {"type": "string", "title": "<i>A</i>"}}})
    root = render(form)
    assert not root.xpath("//b|//i")
    assert root.xpath("//label[@for='f-a']")[0].text_content().startswith("<i>A</i>")


def test_prefilled_values_are_shown(medications):
    root = render(medications, {"weight_kg": 72.5, "medications": [{"name": "Metformin", "dose": "500 mg",
                                                                     "route": "oral"}],
                                "adherence": {"aids": ["reminders"]}})
    assert by_id(root, "f-weight_kg").get("value") == "72.5"
    assert by_id(root, "f-medications-0-name").get("value") == "Metformin"
    assert by_id(root, "f-medications-0-route").xpath("option[@selected]")[0].get("value") == "oral"
    ticked = root.xpath("//input[@name='adherence[aids]' and @checked]")
    assert [t.get("value") for t in ticked] == ["reminders"]


def test_schema_defaults_fill_what_the_data_lacks():
    form = forms.load_form({"properties": {"lastName": {"type": "string", "default": "Norris"}}})
    assert by_id(render(form), "f-lastName").get("value") == "Norris"
    assert by_id(render(form, use_defaults=False), "f-lastName").get("value") == ""


def test_a_repeating_group_without_rows_shows_one_empty_row_and_an_add_button(medications):
    root = render(medications)
    rows = [r for r in root.xpath("//*[@data-repeat='medications']/ol/li[@data-row]")]
    assert len(rows) == 1 and rows[0].get("data-blank-row") is not None
    add = by_id(root, "f-medications-add")
    assert (add.get("type"), add.get("name"), add.get("value")) == ("submit", "action", "add:medications")
    assert add.text_content().startswith("Add medicine")


def test_the_row_template_uses_an_index_placeholder(medications):
    template = render(medications).xpath("//*[@data-repeat='medications']/template")[0]
    names = {el.get("name") for el in template.iter("input", "select")}
    assert "medications[__I0__][name]" in names


def test_a_nested_group_keeps_its_own_placeholder_inside_its_parents_template():
    form = forms.load_form({"properties": {"problems": {"type": "array", "items": {"type": "object", "properties": {
        "goals": {"type": "array", "items": {"type": "object", "properties": {"text": {"type": "string"}}}}}}}}})
    root = render(form, {"problems": [{"goals": [{"text": "walk"}]}]})
    outer = root.xpath("//*[@data-repeat='problems']/template")[0]
    assert outer.get("data-index-placeholder") == "__I0__"
    inner = outer.xpath(".//*[@data-repeat='problems[__I0__][goals]']/template")[0]
    assert inner.get("data-index-placeholder") == "__I1__"
    assert "problems[__I0__][goals][__I1__][text]" in {el.get("name") for el in inner.iter("input")}
    live_inner = root.xpath("//*[@data-repeat='problems[0][goals]']/template")[0]
    assert "problems[0][goals][__I1__][text]" in {el.get("name") for el in live_inner.iter("input")}


def test_each_row_has_a_remove_button_naming_its_row(medications):
    root = render(medications, {"medications": [{"name": "A", "dose": "1"}, {"name": "B", "dose": "2"}]})
    buttons = [b for b in root.xpath("//button[@data-remove-row]") if live(b)]
    assert [b.get("value") for b in buttons][:2] == ["remove:medications[0]", "remove:medications[1]"]
    assert buttons[1].text_content() == "Remove Medicine 2"


def test_an_inactive_conditional_field_is_hidden_and_its_controls_disabled(consent):
    root = render(consent, {"consent_given": True, "consent_type": "verbal"})
    wrapper = by_id(root, "f-document_reference-field")
    assert wrapper.get("hidden") is not None
    assert by_id(root, "f-document_reference").get("disabled") is not None
    condition = json.loads(wrapper.get("data-show-if"))
    assert "consent_type" in json.dumps(condition)


def test_an_active_conditional_field_is_shown(consent):
    root = render(consent, {"consent_given": True, "consent_type": "written"})
    assert by_id(root, "f-document_reference-field").get("hidden") is None
    assert by_id(root, "f-document_reference").get("disabled") is None


def test_the_caller_gives_action_csrf_token_and_hidden_fields(phq9):
    root = render(phq9, action="/tasks/12", csrf_token="tok&1", hidden={"task_uuid": "u-1"})
    form = root.xpath("//form")[0]
    assert (form.get("action"), form.get("method"), form.get("novalidate")) == ("/tasks/12", "post", "")
    assert root.xpath("//input[@name='csrf_token']")[0].get("value") == "tok&1"
    assert root.xpath("//input[@name='task_uuid']")[0].get("value") == "u-1"


def test_without_wrap_there_is_no_form_element_and_no_buttons(phq9):
    root = render(phq9, wrap=False, buttons=False)
    assert not root.xpath("//form")
    assert [b.get("value") for b in root.xpath("//button")] == ["draft"]  # the hidden default for Enter


def test_enter_in_a_text_box_saves_a_draft_rather_than_removing_a_row(medications):
    first_button = render(medications).xpath("//button")[0]
    assert first_button.get("value") == "draft"


def test_submit_and_save_draft_buttons_post_the_action(phq9):
    buttons = render(phq9).xpath("//div[@class='cp-actions']/button")
    assert [(b.get("name"), b.get("value")) for b in buttons] == [("action", "submit"), ("action", "draft")]


def test_read_only_mode_shows_answers_as_text(phq9):
    root = render(phq9, {"phq9_1": 2}, readonly=True)
    assert not root.xpath("//input[@type='radio']|//button")
    assert by_id(root, "f-phq9_1").text_content() == "More than half the days"


def test_ids_are_unique(medications):
    root = render(medications, {"medications": [{"name": "A"}, {"name": "B"}]})
    ids = [el.get("id") for el in root.iter() if el.get("id") and live(el)]
    assert len(ids) == len(set(ids))


def test_task_data_placeholders_in_descriptions_are_filled():
    form = forms.load_form({"description": "Multiplied with {{ n }}", "properties": {"a": {"type": "string"}}})
    assert "Multiplied with 7" in forms.render_form(form, {}, task_data={"n": 7})


def test_an_answer_no_longer_among_the_options_is_still_shown(phq9):
    root = render(phq9, {"phq9_1": 9})
    assert root.xpath("//input[@name='phq9_1' and @checked]")[0].get("value") == "9"


def test_the_script_url_is_added_when_given(phq9):
    assert render(phq9, script_url="/static/forms.js").xpath("//script/@src") == ["/static/forms.js"]


def test_the_static_script_ships_with_the_package():
    assert (forms.STATIC_DIR / "forms.js").is_file() and (forms.STATIC_DIR / "forms.css").is_file()
