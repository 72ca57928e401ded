"""Parsing a bundle with SpiffWorkflow, after validating it: a ParsedBundle, or BundleRefused with every problem.

parse_bundle first reads the XML itself (lxml, so every problem gets its line), runs the checks of
engine.deploy.validation, then lets SpiffWorkflow's parser build the specs of every executable process and turns
what SpiffWorkflow refuses into problems too. The specs are kept: a ParsedBundle is cheap to ask again.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.deploy import validation
from engine.deploy.bundle import Bundle
from engine.deploy.bundle_xml import NS, BundleIndex, XmlDoc, is_executable, load_xml
from engine.errors import BundleRefused, NotFound, Problem

log = logging.getLogger(__name__)


class CarepathParser(SpiffBpmnParser):
    """SpiffArena's parser (spiffworkflow extensions, DMN included); the place for carepath's own tweaks.

    No XSD validator: SpiffArena models that SpiffWorkflow runs fine fail the spiffworkflow XSD
    (multi-instance outputDataItem, dataObject), and the checks of engine.deploy.validation say more.
    """

    def __init__(self):
        super().__init__(validator=None)


@dataclass
class ProcessInfo:
    id: str
    name: str
    file: str
    line: int | None
    executable: bool
    called: bool = False
    message_start_events: list[str] = field(default_factory=list)
    timer_start: bool = False
    documentation: str | None = None


class ParsedBundle:
    """A bundle that validated: its processes and forms, and the SpiffWorkflow specs to run them."""

    def __init__(self, bundle: Bundle, processes: dict[str, ProcessInfo], forms: dict[str, dict],
                 warnings: list[Problem], specs: dict[str, BpmnProcessSpec], subprocess_specs: dict[str, dict]):
        self.bundle = bundle
        self.processes = processes
        self.forms = forms
        self.warnings = warnings
        self.startable = [pid for pid, info in processes.items() if info.executable and not info.called]
        self._specs = specs
        self._subprocess_specs = subprocess_specs

    def spec(self, process_id: str) -> BpmnProcessSpec:
        if process_id not in self._specs:
            raise NotFound(f"no executable process {process_id!r} in bundle {self.bundle.name}")
        return self._specs[process_id]

    def subprocess_specs(self, process_id: str) -> dict:
        """The specs of every call activity and embedded subprocess the process reaches, by id."""
        self.spec(process_id)
        return dict(self._subprocess_specs[process_id])


def parse_bundle(bundle: Bundle) -> ParsedBundle:
    """Validate and parse a bundle; BundleRefused lists every problem found, not only the first."""
    problems = list(bundle.problems) + validation.check_sizes(bundle)
    bpmn, dmn, xml_problems = load_xml(bundle)
    index = BundleIndex(bundle, bpmn, dmn)
    problems += xml_problems
    for check in validation.CHECKS:
        problems += _safely(check, index)
    specs, subprocess_specs, spiff_problems = _spiff_parse(index, problems)
    seen = {(p.file, p.element) for p in problems if p.element}
    problems += [p for p in spiff_problems if (p.file, p.element) not in seen]
    if problems:
        unique = list(dict.fromkeys(problems))
        raise BundleRefused(sorted(unique, key=lambda p: (p.file, p.line or 0)))
    warnings = [w for check in validation.WARNINGS for w in _safely(check, index)]
    return ParsedBundle(bundle, _process_infos(index), _forms(index), warnings, specs, subprocess_specs)


def _safely(check, index: BundleIndex) -> list[Problem]:
    """A check that fails on a model nobody foresaw reports it as a problem rather than a traceback."""
    try:
        return check(index)
    except Exception as exc:  # noqa: BLE001
        log.exception("bundle check %s failed", check.__name__)
        return [Problem(index.bundle.name, f"internal error in {check.__name__}: {type(exc).__name__}: {exc}")]


def _spiff_parse(index: BundleIndex, known: list[Problem]):
    """Let SpiffWorkflow parse what our checks found sound enough to hand it; its refusals as problems."""
    parser, problems, broken = CarepathParser(), [], _not_for_spiff(index, known)
    for doc in index.dmn:
        if doc.path not in broken:
            try:
                parser.add_dmn_xml(doc.root, doc.path)
                parser.dmn_parsers[doc.root.find(".//{*}decision").get("id")].parse()
            except Exception as exc:  # noqa: BLE001 - SpiffWorkflow's DMN parser raises anything
                parser.dmn_parsers = {k: v for k, v in parser.dmn_parsers.items() if v.node is not doc.root}
                problems.append(spiff_problem(exc, index, doc, "DMN does not parse"))
    for doc in index.bpmn:
        if doc.path not in broken:
            try:
                parser.add_bpmn_xml(etree.ElementTree(doc.root), doc.path)
            except Exception as exc:  # noqa: BLE001
                broken.add(doc.path)
                problems.append(spiff_problem(exc, index, doc, "file does not parse"))
    specs, subprocess_specs = {}, {}
    for doc, proc in index.executable():
        pid = proc.get("id")
        if doc.path in broken or pid in specs or pid not in parser.process_parsers:
            continue
        try:
            specs[pid] = parser.get_spec(pid)
            subprocess_specs[pid] = _subprocess_specs(parser, pid)
        except Exception as exc:  # noqa: BLE001 - anything SpiffWorkflow raises becomes a problem
            missing_dmn = re.search(r'No DMN Diagram available with id "([^"]*)"', str(exc))
            if not (missing_dmn and missing_dmn.group(1) in index.decisions):  # else check_dmn said why
                problems.append(spiff_problem(exc, index, doc, f"process {pid} does not parse"))
    return specs, subprocess_specs, problems


def _subprocess_specs(parser: CarepathParser, pid: str) -> dict[str, BpmnProcessSpec]:
    """Like parser.get_subprocess_specs, whose recursion forgets require_call_activity_specs=False:
    a missing or non-executable call target is reported by check_call_activities, not raised here."""
    found, todo = {}, [pid]
    while todo:
        for task_spec in parser.get_spec(todo.pop()).task_specs.values():
            target = parser.process_parsers.get(task_spec.spec) if isinstance(task_spec, SubWorkflowTask) else None
            if target is not None and target.process_executable and task_spec.spec not in found:
                found[task_spec.spec] = parser.get_spec(task_spec.spec)
                todo.append(task_spec.spec)
    return found


def _not_for_spiff(index: BundleIndex, known: list[Problem]) -> set[str]:
    """Files our checks already refuse in a way that would stop SpiffWorkflow at the file's first line or
    hide its message (data stores, a second definition of a process id), or that its parser would never finish
    (a data object out of its reach), and DMN files with any problem."""
    skip = {doc.path for doc in index.bpmn if doc.root.find(".//bpmn:dataStore", NS) is not None}
    skip |= {doc.path for doc, proc in index.executable() if validation.unreachable_data_objects(proc)}
    skip |= {doc.path for doc, proc in index.executable() if validation.broken_flows(proc)}  # check_flows says why
    skip |= {doc.path for defs in index.processes.values() for doc, _ in defs[1:]}
    return skip | {p.file for p in known if p.file.lower().endswith(".dmn")}


def spiff_problem(exc: Exception, index: BundleIndex, doc: XmlDoc, context: str) -> Problem:
    """A Problem from an exception of SpiffWorkflow's parser, with file, element and line where known."""
    if isinstance(exc, KeyError):
        return Problem(doc.path, f"{context}: an element lacks its {exc} attribute")
    if not isinstance(exc, ValidationException):
        return Problem(doc.path, f"{context}: {type(exc).__name__}: {exc}")
    doc = index.doc(exc.file_name) or doc
    element = exc.id or None
    message = str(exc.args[0]).rstrip(". ") if exc.args else type(exc).__name__
    message = ". ".join([message, *exc.notes])
    if message.startswith("Multiple outgoing flows are not supported"):
        message = f"{exc.tag or 'task'} has several outgoing flows: split them with a gateway ({message})"
    elif message.startswith("Cannot resolve data"):
        message = re.sub(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-f]+>", r"(its bpmn:\1 names no data object of the process)",
                         message)
    elif match := re.fullmatch(r"KeyError\('(\w+)'\)", message):
        message = f"an element lacks its {match.group(1)!r} attribute"
    elif "raise_validation_exception() got an unexpected keyword" in message:
        message = "an event names an error or escalation that is not defined (SpiffWorkflow hides the message)"
    elif "Unsupported Catch Event" in message:
        message = "boundary event has no event definition SpiffWorkflow supports"
    line = exc.line_number if isinstance(exc.line_number, int) else None
    if line is None and element in doc.by_id:
        line = doc.by_id[element].sourceline
    return Problem(doc.path, f"SpiffWorkflow: {message}", element, line)


def _process_infos(index: BundleIndex) -> dict[str, ProcessInfo]:
    called = {el.get("calledElement") for _, el in index.find("callActivity")}
    infos = {}
    for doc in index.bpmn:
        messages = {m.get("id"): m.get("name") for m in doc.root.iterfind("bpmn:message", NS)}
        pools = {p.get("processRef"): p.get("name") for p in doc.root.iterfind(".//bpmn:participant", NS)}
        for proc in doc.root.iterfind("bpmn:process", NS):
            pid = proc.get("id")
            starts = proc.findall("bpmn:startEvent", NS)
            message_defs = [(s, d) for s in starts for d in s.findall("bpmn:messageEventDefinition", NS)]
            infos[pid] = ProcessInfo(
                id=pid, name=proc.get("name") or pools.get(pid) or pid, file=doc.path, line=proc.sourceline,
                executable=is_executable(proc), called=pid in called,
                message_start_events=[messages.get(d.get("messageRef")) or s.get("name") or d.get("messageRef")
                                      for s, d in message_defs],
                timer_start=any(s.find("bpmn:timerEventDefinition", NS) is not None for s in starts),
                documentation=proc.findtext("bpmn:documentation", namespaces=NS))
    return infos


def _forms(index: BundleIndex) -> dict[str, dict]:
    """Every referenced form and uiSchema file, by file name, parsed (the SpiffArena extensions kept)."""
    forms = {}
    for _doc, _task, _prop, name in validation.form_references(index):
        (path,) = index.files_named(name)
        forms[PurePosixPath(path).name] = json.loads(index.bundle.files[path])
    return forms
