"""Helpers for the forms tests: fixture forms, an HTML parser, and a browser's view of a rendered form."""
from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

import forms

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"


def load(name: str) -> forms.Form:
    ui = FIXTURES / f"{name}-uischema.json"
    return forms.load_form_files(FIXTURES / f"{name}-schema.json", ui if ui.exists() else None)


def parse_html(markup) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(str(markup), create_parent="div")


def live(el) -> bool:
    """Not inside a <template> (its content is inert until the script clones it)."""
    return not any(a.tag == "template" for a in el.iterancestors())


def browser_post(markup, click: tuple[str, str] | None = ("action", "submit")) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser would send for the form: enabled controls outside <template>, ticked
    boxes and radios, chosen options; buttons only when clicked."""
    root = parse_html(markup)
    pairs: list[tuple[str, str]] = []
    for el in root.iter("input", "select", "textarea"):
        name = el.get("name")
        if not name or el.get("disabled") is not None or not live(el):
            continue
        if el.tag == "select":
            for option in el.iter("option"):
                if option.get("selected") is not None:
                    pairs.append((name, option.get("value", option.text_content())))
        elif el.tag == "textarea":
            text = el.text or ""
            text = text[1:] if text.startswith("\n") else text  # HTML drops the newline after <textarea>
            pairs.append((name, text.replace("\n", "\r\n")))
        elif el.get("type") in ("radio", "checkbox"):
            if el.get("checked") is not None:
                pairs.append((name, el.get("value", "on")))
        elif el.get("type") not in ("submit", "button", "reset"):
            pairs.append((name, el.get("value", "")))
    if click:
        pairs.append(click)
    return pairs


def by_id(root, element_id: str):
    found = root.xpath("//*[@id=$id]", id=element_id)
    assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
    return found[0]


@pytest.fixture
def phq9() -> forms.Form:
    return load("phq9")


@pytest.fixture
def consent() -> forms.Form:
    return load("consent")


@pytest.fixture
def medications() -> forms.Form:
    return load("medications")
