"""Every form schema we know of renders, reads a post and checks it without error: the SpiffArena corpus, the
test fixtures and the pathway library's forms."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import FormatChecker
from jsonschema.validators import validator_for

import forms
from forms.validate import normalise_schema
from tests.corpus_path import CORPUS

from .conftest import FIXTURES, browser_post, live, parse_html

REPO = Path(__file__).resolve().parents[2]
NOT_FORMS = ("uischema", "_ui.json", "exampledata", "process_model", "process_group")


def _is_form(path: Path) -> bool:
    if any(part in path.name for part in NOT_FORMS) or path.name.startswith("test_"):
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(data, dict) and ("properties" in data or data.get("type") == "object")


def _schemas() -> list[Path]:
    found = sorted(p for p in CORPUS.rglob("*.json") if _is_form(p)) if CORPUS.is_dir() else []
    for folder, pattern in ((REPO / "tests" / "fixtures" / "bpmn", "*/*-schema.json"),
                            (REPO / "tests" / "fixtures" / "bundles", "*/*-schema.json"),
                            (REPO / "pathways" / "forms", "*-schema.json"), (FIXTURES, "*-schema.json")):
        found += sorted(folder.glob(pattern))
    return found


def _ui_for(path: Path) -> Path | None:
    for candidate in (path.with_name(path.name.replace("-schema.json", "-uischema.json")),
                      path.with_name(path.stem + "_ui.json")):
        if candidate != path and candidate.exists():
            return candidate
    return None


def _example(path: Path) -> dict:
    candidate = path.with_name(path.name.replace("-schema.json", "-exampledata.json"))
    if candidate != path and candidate.exists():
        return json.loads(candidate.read_text(encoding="utf-8"))
    return {}


SCHEMAS = _schemas()
TASK_DATA = {"fruits": [{"value": "apple", "label": "Apple"}, {"value": "pear", "label": "Pear"}]}


def _id(path: Path) -> str:
    try:
        return str(path.relative_to(CORPUS))
    except ValueError:
        return str(path.relative_to(REPO))


def test_there_are_forms_from_every_source():
    sources = {_id(p).split("/")[0] for p in SCHEMAS}
    assert "tests" in sources
    if CORPUS.is_dir():  # the shared corpus sits beside the repository on development machines
        assert "spiff" in sources and len(SCHEMAS) >= 40


@pytest.mark.parametrize("path", SCHEMAS, ids=_id)
def test_form_renders_parses_and_validates(path):
    ui = _ui_for(path)
    form = forms.load_form_files(path, ui)
    example = _example(path)
    task_data = {**TASK_DATA, **example}
    for data, errors in (({}, None), (example, forms.validate(form, example, task_data))):
        markup = forms.render_form(form, data, errors=errors, task_data=task_data, action="/t", csrf_token="x")
        root = parse_html(markup)
        ids = [el.get("id") for el in root.iter() if el.get("id") and live(el)]
        assert len(ids) == len(set(ids)), "duplicate ids"
        known = set(ids)
        for label in root.xpath("//label[@for]"):
            assert label.get("for") in known or not live(label)
        for el in root.xpath("//*[@aria-describedby]"):
            if live(el):
                assert set(el.get("aria-describedby").split()) <= known
        for link in root.xpath("//*[@data-error-summary]//a"):
            assert link.get("href")[1:] in known
        for post_as_draft in (True, False):
            forms.parse_submission(form, browser_post(markup), task_data=task_data, draft=post_as_draft)


@pytest.mark.parametrize("path", [p for p in SCHEMAS if _example(p)], ids=_id)
def test_example_data_is_judged_as_jsonschema_judges_it(path):
    """SpiffArena ships example data with its forms; some of it leaves out required answers (MANIFEST.md)."""
    form = forms.load_form_files(path, _ui_for(path))
    example = _example(path)
    schema = normalise_schema(form.schema)
    valid = validator_for(schema)(schema, format_checker=FormatChecker()).is_valid(example)
    assert (forms.validate(form, example) == {}) == valid
