"""What a single file must be before the studio stores it: well-formed XML of the right kind for a diagram or a
decision table (and a decision table SpiffWorkflow can read), JSON Schema for a form, a JSON object for a UI
schema, a readable test file. A file that is not is refused, naming the file, the line and the element, and the
draft keeps what it had. (Everything else, across files, is lint's: the studio lints the whole draft after
every save.)"""
from __future__ import annotations

import json
from pathlib import PurePosixPath

from lxml import etree

from engine.deploy.bundle import Bundle
from engine.deploy.bundle_xml import BundleIndex, load_xml
from engine.deploy.parsing import CarepathParser, spiff_problem
from engine.deploy.validation import check_dmn, check_form_file
from engine.errors import InvalidInput, Problem
from engine.studio import cases


def problems_in(path: str, content: bytes) -> list[Problem]:
    name = PurePosixPath(path).name
    if path.endswith((".bpmn", ".dmn")):
        return _xml(path, content)
    if cases.is_test_file(path):
        try:
            cases.parse_file(path, content)
        except InvalidInput as exc:
            return [Problem(path, exc.message.removeprefix(f"{path}: "))]
        return []
    return check_form_file(path, content, ui="uischema" in name)


def _xml(path: str, content: bytes) -> list[Problem]:
    bpmn, dmn, problems = load_xml(Bundle("file", {path: content}))
    if problems or not path.endswith(".dmn"):
        return problems
    doc = dmn[0]
    index = BundleIndex(Bundle("file", {path: content}), bpmn, dmn)
    found = check_dmn(index)
    if found:
        return found
    decision = doc.root.find(".//{*}decision")
    if decision is None:
        return [Problem(path, "the DMN file has no decision", line=doc.root.sourceline)]
    parser = CarepathParser()
    try:
        parser.add_dmn_xml(doc.root, path)
        parser.dmn_parsers[decision.get("id")].parse()
    except Exception as exc:  # noqa: BLE001 - SpiffWorkflow's DMN parser raises anything
        return [spiff_problem(exc, index, doc, "the decision table does not parse")]
    return []


def require_sound(path: str, content: bytes) -> None:
    """Refuse (InvalidInput) a file that is not what its kind must be; the message lists every problem."""
    problems = problems_in(path, content)
    if problems:
        raise InvalidInput(f"{path} was not saved (the draft keeps its last version): "
                           + "; ".join(_where(p) + p.message for p in problems))


def _where(problem: Problem) -> str:
    parts = ([f"line {problem.line}"] if problem.line else []) + \
        ([f"element {problem.element}"] if problem.element else [])
    return f"{', '.join(parts)}: " if parts else ""


def pretty_json(value) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def xml_well_formed(content: bytes) -> bool:
    try:
        etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except (etree.XMLSyntaxError, ValueError):
        return False
    return True
