"""forms.js decides what to show exactly as the server does: for every conditional field of the fixture and
pathway forms, under many answers, the page script's verdict on the rendered controls equals the server's."""
from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest

import forms
from forms.conditions import references
from forms.model import Kind
from forms.validate import field_at

from .conftest import live, load, parse_html
from .test_all_forms import SCHEMAS, _ui_for

NODE = shutil.which("node")
SCRIPT = forms.STATIC_DIR / "forms.js"
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

RUNNER = """
const forms = require(process.argv[1]);
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = cases.map(function (c) {
  const root = { querySelectorAll: function () { return c.controls.map(function (el) {
    return Object.assign({}, el, { selectedOptions: el.selected.map(function (v) { return { value: v }; }) });
  }); } };
  return c.conditions.map(function (cond) { return forms.evaluate(cond, root); });
});
process.stdout.write(JSON.stringify(out));
"""


def _controls(root) -> list[dict]:
    out = []
    for el in root.iter("input", "select", "textarea"):
        if not live(el) or not el.get("name"):
            continue
        selected = [o.get("value", "") for o in el.iter("option") if o.get("selected") is not None]
        value = el.text or "" if el.tag == "textarea" else (selected[0] if selected else "") \
            if el.tag == "select" else el.get("value", "")
        out.append({"name": el.get("name"), "type": el.get("type", el.tag), "tagName": el.tag.upper(),
                    "value": value, "checked": el.get("checked") is not None,
                    "disabled": el.get("disabled") is not None, "selected": selected})
    return out


def _referenced_paths(field, path=()):
    if field.kind == Kind.OBJECT:
        for child in field.children:
            if child.active_when is not None:
                for key in references(child.active_when):
                    yield path + tuple(key)
            yield from _referenced_paths(child, path + (child.name,))
    elif field.kind == Kind.ARRAY and field.item is not None:
        yield from _referenced_paths(field.item, path + (0,))


def _values(field) -> list:
    if field.kind == Kind.ARRAY:
        return [[], [{}]]
    if field.kind == Kind.MULTICHOICE:
        return [[], [c.value for c in field.choices[:1]], [c.value for c in field.choices[-2:]]]
    if field.kind == Kind.BOOLEAN:
        return [True, False]
    if field.choices:
        return [c.value for c in field.choices]
    return {"integer": [0, 2, 5], "number": [0, 2.5]}.get(field.json_type or "", ["x"])


def _put(data, path, value):
    node = data
    for part, nxt in zip(path, path[1:]):
        if isinstance(part, int):
            while len(node) <= part:
                node.append({} if not isinstance(nxt, int) else [])
            node = node[part]
        else:
            node = node.setdefault(part, [] if isinstance(nxt, int) else {})
    node[path[-1]] = value


def _variations(form) -> list[dict]:
    paths = list(dict.fromkeys(_referenced_paths(form.root)))[:4]
    options = [[None] + _values(field_at(form, p, {})[0]) for p in paths]
    out = []
    for combo in itertools.islice(itertools.product(*options), 80):
        data: dict = {}
        for p, v in zip(paths, combo):
            if v is not None:
                _put(data, p, v)
        out.append(data)
    return out


MULTI = {"properties": {
    "needs": {"type": "array", "uniqueItems": True, "items": {"enum": ["food", "housing", "none"]}},
    "score": {"type": "integer", "minimum": 0, "maximum": 10},
    "ok": {"type": "boolean"}},
    "allOf": [
        {"if": {"properties": {"needs": {"contains": {"const": "food"}}}, "required": ["needs"]},
         "then": {"properties": {"food_bank": {"type": "string"}}}},
        {"if": {"required": ["needs"]}, "then": {"properties": {"needs_note": {"type": "string"}}}},
        {"if": {"properties": {"score": {"minimum": 5, "exclusiveMaximum": 9}}, "required": ["score"]},
         "then": {"properties": {"score_note": {"type": "string"}}}},
        {"if": {"not": {"properties": {"ok": {"const": True}}}},
         "then": {"properties": {"why_not": {"type": "string"}}}},
        {"if": {"anyOf": [{"properties": {"score": {"const": 0}}, "required": ["score"]},
                          {"properties": {"ok": {"const": False}}, "required": ["ok"]}]},
         "then": {"properties": {"either": {"type": "string"}}}}]}


def _conditional_forms():
    found = [load("consent"), forms.load_form(MULTI)]
    for path in SCHEMAS:
        form = forms.load_form_files(path, _ui_for(path))
        if any(f.active_when is not None for f in form.walk()):
            found.append(form)
    return found


def test_the_script_and_the_server_agree_on_every_conditional_field(tmp_path: Path):
    cases, expected = [], []
    for form in _conditional_forms():
        for data in _variations(form):
            root = parse_html(forms.render_form(form, data, use_defaults=False))
            shown = [el for el in root.xpath("//*[@data-show-if]") if live(el)]
            cases.append({"controls": _controls(root),
                          "conditions": [json.loads(el.get("data-show-if")) for el in shown]})
            expected.append((form.title, data, [el.get("hidden") is None for el in shown]))
    assert len(cases) > 20
    run = subprocess.run([NODE, "-e", RUNNER, str(SCRIPT)], input=json.dumps(cases), capture_output=True,
                         text=True, timeout=60, check=True)
    verdicts = json.loads(run.stdout)
    checked = 0
    for (title, data, server), page in zip(expected, verdicts):
        for s, p in zip(server, page):
            if p is not None:
                checked += 1
                assert p == s, (title, data)
    assert checked > 50
