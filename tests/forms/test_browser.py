"""forms.js in a real browser (headless Chromium): conditional fields show and hide, rows are added and removed."""
from __future__ import annotations

import json
import shutil
import subprocess

import lxml.html
import pytest

import forms

from .conftest import load

CHROMIUM = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
pytestmark = [pytest.mark.skipif(CHROMIUM is None, reason="no headless browser"), pytest.mark.slow]

NESTED = {"properties": {"problems": {"type": "array", "items": {"type": "object", "title": "Problem", "properties": {
    "text": {"type": "string"},
    "goals": {"type": "array", "items": {"type": "object", "title": "Goal",
                                         "properties": {"text": {"type": "string"}}}}}}}}}

SCENARIO = """
document.addEventListener("DOMContentLoaded", function () {  /* after forms.js has set the page up */
function $(sel) { return document.querySelector(sel); }
function pick(name, value) {
  var el = document.querySelector('input[name="' + name + '"][value="' + value + '"]');
  el.checked = true; el.dispatchEvent(new Event("change", {bubbles: true}));
}
var out = {};
var doc = function () { return $("#c-document_reference-field"); };
out.doc_hidden_at_start = doc().hidden;
pick("consent_given", "true"); pick("consent_type", "written");
out.doc_hidden_when_written = doc().hidden;
out.doc_disabled_when_written = $("#c-document_reference").disabled;
pick("consent_type", "verbal");
out.doc_hidden_when_verbal = doc().hidden;
out.doc_disabled_when_verbal = $("#c-document_reference").disabled;
pick("consent_given", "false");
out.type_hidden_when_declined = $("#c-consent_type-field").hidden;

var meds = $('[data-repeat="medications"]');
function rows(group) { return group.querySelectorAll(":scope > ol > li[data-row]"); }
out.rows_at_start = rows(meds).length;
meds.querySelector(":scope > [data-add-row]").click();
out.rows_after_add = rows(meds).length;
out.new_row_name = rows(meds)[1].querySelector("input[name$='[name]']").name;
out.focus_after_add = document.activeElement.name;
rows(meds)[0].querySelector("[data-remove-row]").click();
out.rows_after_remove = rows(meds).length;
out.number_after_remove = rows(meds)[0].querySelector("[data-row-number]").textContent;

var problems = $('[data-repeat="problems"]');
problems.querySelector(":scope > [data-add-row]").click();
var added = rows(problems)[rows(problems).length - 1];
out.nested_names = Array.prototype.map.call(added.querySelectorAll("input[type=text]"), function (e) { return e.name; });
var inner = added.querySelector("[data-repeat]");
inner.querySelector(":scope > [data-add-row]").click();
out.nested_added = rows(inner)[rows(inner).length - 1].querySelector("input[type=text]").name;
document.getElementById("result").textContent = JSON.stringify(out);
});
"""


def test_the_script_shows_hides_and_adds_and_removes_rows(tmp_path):
    consent = forms.render_form(load("consent"), {"patient_name": "Ada"}, id_prefix="c")
    meds = forms.render_form(load("medications"), {"medications": [{"name": "A", "dose": "1"}]}, id_prefix="m")
    nested = forms.render_form(forms.load_form(NESTED), {"problems": [{"text": "x", "goals": [{"text": "y"}]}]},
                               id_prefix="n")
    page = tmp_path / "page.html"
    page.write_text(f"""<!doctype html><html><head><meta charset="utf-8"></head><body>
{consent}{meds}{nested}<pre id="result"></pre>
<script src="{(forms.STATIC_DIR / 'forms.js').as_uri()}"></script>
<script>{SCENARIO}</script></body></html>""", encoding="utf-8")
    run = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
                          "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=60)
    dom = lxml.html.fromstring(run.stdout)
    result = json.loads(dom.get_element_by_id("result").text_content())
    assert result == {
        "doc_hidden_at_start": True,
        "doc_hidden_when_written": False, "doc_disabled_when_written": False,
        "doc_hidden_when_verbal": True, "doc_disabled_when_verbal": True,
        "type_hidden_when_declined": True,
        "rows_at_start": 1, "rows_after_add": 2, "new_row_name": "medications[2][name]",
        "focus_after_add": "medications[2][name]",
        "rows_after_remove": 1, "number_after_remove": "1",
        "nested_names": ["problems[2][text]", "problems[2][goals][0][text]"],
        "nested_added": "problems[2][goals][1][text]",
    }
