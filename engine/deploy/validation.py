"""Checks on a program bundle, each small, each returning a list of Problem.

The checks work on the XML (lxml keeps every element's line) and run before SpiffWorkflow parses the
bundle: SpiffWorkflow stops at the first error of a process, these checks report every instance at once.
Only executable processes are checked element by element: a documentation pool (isExecutable="false")
is never run, so what it holds cannot break anything.
"""
from __future__ import annotations

import ast
import functools
import json
import re
from datetime import datetime

from jsonschema.validators import Draft202012Validator, validator_for
from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.deploy import bundle as bundle_limits
from engine.deploy import form_schemas
from engine.deploy.bundle import Bundle, too_big
from engine.deploy.bundle_xml import NS, BundleIndex, XmlDoc, is_executable, q
from engine.errors import Problem

FORM_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")
FLOW_NODES = ("task userTask manualTask scriptTask serviceTask sendTask receiveTask businessRuleTask callActivity "
              "subProcess transaction adHocSubProcess startEvent endEvent intermediateCatchEvent intermediateThrowEvent "
              "boundaryEvent exclusiveGateway inclusiveGateway parallelGateway eventBasedGateway").split()
DIALECT_HINTS = ((("${", "#{"), "; JUEL (Camunda 7) is not supported, write Python"),
                 ("=", "; FEEL (Camunda 8) is not supported, write Python"))
ISO_LITERAL = re.compile(r"^(R\d*/\S+|P(?=[\dT.,YMWDHS]*\d)[\dT.,YMWDHS]+|\d{4}-\d\d-\d\d([T ]\S*)?|\d{4}-?W\d\d-?\d(T\S*)?)$")


def problem(doc: XmlDoc, el, message: str, line: int | None = None) -> Problem:
    return Problem(doc.path, message, el.get("id"), line or el.sourceline)


def owner(el):
    """The nearest element with an id: the task, event or flow an expression or property belongs to."""
    return next((a for a in el.iterancestors() if a.get("id")), el)


def label(el) -> str:
    return f'"{el.get("name")}"' if el.get("name") else el.get("id", "?")


def check_sizes(bundle: Bundle) -> list[Problem]:
    limit, total_limit = bundle_limits.MAX_FILE_BYTES, bundle_limits.MAX_BUNDLE_BYTES
    found = [too_big(path, len(data)) for path, data in bundle.files.items() if len(data) > limit]
    total = sum(len(data) for data in bundle.files.values())
    if total > total_limit:
        found.append(Problem(bundle.name, f"bundle is {total} bytes, over the limit of {total_limit}"))
    return found


def check_ids(index: BundleIndex) -> list[Problem]:
    """Every process and flow element has an id, unique in its file; process ids unique in the bundle."""
    found = []
    for doc in index.bpmn:
        seen: dict[str, int] = {}
        for el in doc.root.iter(q("process"), q("sequenceFlow"), *(q(tag) for tag in FLOW_NODES)):
            if not el.get("id"):
                found.append(problem(doc, el, f"{etree.QName(el).localname} has no id"))
            elif el.get("id") in seen:
                found.append(problem(doc, el, f"duplicate id {el.get('id')}: also on line {seen[el.get('id')]}"))
            else:
                seen[el.get("id")] = el.sourceline
    for pid, defs in index.processes.items():
        first_doc, first = defs[0]
        found += [problem(doc, proc, f"duplicate process id {pid}: also defined in {first_doc.path} line "
                                     f"{first.sourceline}") for doc, proc in defs[1:] if pid and doc is not first_doc]
    return found


def check_executable(index: BundleIndex) -> list[Problem]:
    if not index.bpmn:
        return [] if not index.bundle.files else [Problem(index.bundle.name, "the bundle has no .bpmn file")]
    if any(True for _ in index.executable()):
        return []
    return [problem(doc, proc, f'process {pid} is not executable (isExecutable="false") and the bundle has '
                               f"no executable process") for pid, defs in index.processes.items() for doc, proc in defs]


def non_executable_warnings(index: BundleIndex) -> list[Problem]:
    called = {el.get("calledElement") for _, el in index.find("callActivity")}
    if not any(True for _ in index.executable()):
        return []
    return [problem(doc, proc, f'process {pid} is not executable (isExecutable="false"): kept as documentation, '
                               f"it cannot be started") for pid, defs in index.processes.items()
            for doc, proc in defs if not is_executable(proc) and pid not in called]


def check_call_activities(index: BundleIndex) -> list[Problem]:
    found = []
    for doc, el in index.find("callActivity"):
        target = el.get("calledElement")
        if not target:
            found.append(problem(doc, el, "call activity has no calledElement"))
        elif target not in index.processes:
            found.append(problem(doc, el, f'call activity calls process "{target}", which is not in the bundle'
                                          f"{_unread(index, '.bpmn')}"))
        elif not any(is_executable(proc) for _, proc in index.processes[target]):
            where = index.processes[target][0][0].path
            found.append(problem(doc, el, f'call activity calls process "{target}", which is not executable '
                                          f'(isExecutable="false" in {where})'))
    return found


def _unread(index: BundleIndex, suffix: str) -> str:
    read = {doc.path for doc in index.bpmn + index.dmn}
    unread = sorted(p for p in index.bundle.files if p.lower().endswith(suffix) and p not in read)
    return f" (or in {', '.join(unread)}, which could not be read)" if unread else ""


def check_data_stores(index: BundleIndex) -> list[Problem]:
    return [problem(doc, el, f"data store {label(el)} has no implementation: carepath provides no BPMN data "
                             f"stores (SpiffWorkflow: \"Data Store with name ... has no implementation\")")
            for doc in index.bpmn for el in doc.root.iter(q("dataStore"))]


SUB_PROCESSES = ("subProcess", "transaction", "adHocSubProcess")


def unreachable_data_objects(proc) -> list[tuple[etree._Element, etree._Element, str]]:
    """(task, its data association's reference, the data object it names) for every data association of a task
    inside a sub-process whose data object is declared neither in that sub-process nor in the scope around it.

    SpiffWorkflow 3.2 looks for the data object there only, and past that its parser never returns (it asks
    the same parent scope again and again), so such a file must not reach it. A task right in a process is
    fine either way: SpiffWorkflow refuses an unknown data object there with a message."""
    found = []
    references = {el.get("id"): el for el in proc.iter(q("dataObjectReference"))}
    for scope in proc.iter(*(q(tag) for tag in SUB_PROCESSES)):
        parent = scope.getparent()
        declared = {el.get("id") for holder in (scope, parent) for el in holder.iterfind(q("dataObject"))}
        for task in scope:
            for ref in [*task.iterfind(f"{q('dataInputAssociation')}/{q('sourceRef')}"),
                        *task.iterfind(f"{q('dataOutputAssociation')}/{q('targetRef')}")]:
                reference = references.get((ref.text or "").strip())
                if reference is not None and reference.get("dataObjectRef") not in declared:
                    found.append((task, reference, reference.get("dataObjectRef") or ""))
    return found


def check_data_objects(index: BundleIndex) -> list[Problem]:
    found = []
    for doc, proc in index.executable():
        for task, reference, name in unreachable_data_objects(proc):
            scope = task.getparent()
            found.append(problem(doc, task, f'{label(task)} uses data object "{name}" (reference '
                                            f'{reference.get("id")}), which is declared neither in sub-process '
                                            f"{label(scope)} nor in the scope around it: SpiffWorkflow looks for it "
                                            "only there; declare the bpmn:dataObject in one of them"))
    return found


def check_event_refs(index: BundleIndex) -> list[Problem]:
    """Error, escalation and signal references name a definition of the bundle; messages one of their file."""
    defined = {tag: {el.get("id") for doc in index.bpmn for el in doc.root.iter(q(tag))}
               for tag in ("error", "escalation", "signal")}
    found = []
    for doc, proc in index.executable():
        defined["message"] = {el.get("id") for el in doc.root.iter(q("message"))}
        for tag, ids in defined.items():
            for el in proc.iter(q(f"{tag}EventDefinition")):
                ref = el.get(f"{tag}Ref")
                if ref and ref not in ids:
                    found.append(problem(doc, el.getparent(), f'{tag}Ref "{ref}" names no bpmn:{tag} of the '
                                                              f"{'file' if tag == 'message' else 'bundle'}"))
    return found


def check_service_tasks(index: BundleIndex) -> list[Problem]:
    return [problem(doc, el, "service task has no spiffworkflow:serviceTaskOperator (\"A Service Task must "
                             "have an operator\"); Camunda delegates and external tasks cannot run here")
            for doc, el in index.find("serviceTask")
            if el.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS) is None]


FLOW_ENDS = (("sourceRef", "comes from"), ("targetRef", "goes to"))


def broken_flows(proc) -> list[tuple[etree._Element, str, str]]:
    """(flow, its attribute, what it names) for every sequence flow of a process whose sourceRef or targetRef
    is missing or names no element of the flow's own process or sub-process. SpiffWorkflow drops such a flow
    when its source is not there, and reports a missing target under the flow's source, as "we found two
    items, perhaps a form has the same ID?"."""
    found = []
    for flow in proc.iter(q("sequenceFlow")):
        scope = flow.getparent()
        here = {el.get("id") for el in scope if isinstance(el.tag, str) and el.tag != flow.tag}
        for attribute, _ in FLOW_ENDS:
            ref = (flow.get(attribute) or "").strip()
            if ref not in here:
                found.append((flow, attribute, ref))
    return found


def check_flows(index: BundleIndex) -> list[Problem]:
    """Every sequence flow goes from an element to an element of its own process or sub-process."""
    found = []
    for doc, proc in index.executable():
        for flow, attribute, ref in broken_flows(proc):
            verb = dict(FLOW_ENDS)[attribute]
            scope = flow.getparent()
            where = f"sub-process {label(scope)}" if scope is not proc else f"process {proc.get('id')}"
            if not ref:
                message = f"sequence flow {label(flow)} has no {attribute}: name the element of {where} it {verb}"
            elif ref in doc.by_id:
                message = (f'sequence flow {label(flow)} {verb} "{ref}", which is not in {where} but on line '
                           f"{doc.by_id[ref].sourceline}: a sequence flow stays within one process or sub-process")
            else:
                message = (f'sequence flow {label(flow)} {verb} "{ref}", which does not exist: its {attribute} must '
                           f"name an element of {where}")
            found.append(problem(doc, flow, message))
    return found


def check_gateways(index: BundleIndex) -> list[Problem]:
    found = []
    for doc, proc in index.executable():
        outgoing: dict[str, list] = {}
        for flow in proc.iter(q("sequenceFlow")):
            outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
        for gateway in proc.iter(q("exclusiveGateway"), q("inclusiveGateway")):
            flows = outgoing.get(gateway.get("id"), [])
            for flow in flows if len(flows) > 1 else []:
                condition = flow.find("bpmn:conditionExpression", NS)
                if flow.get("id") != gateway.get("default") and (condition is None or condition.text is None):
                    found.append(problem(doc, flow, f"sequence flow out of gateway {label(gateway)} has no "
                                                    "condition and is not the gateway's default flow (\"Non-default "
                                                    "exclusive outgoing sequence flow without condition\")"))
    return found


def compile_errors(source: str) -> list[str]:
    """Messages for an expression that does not compile (nothing is run). eval() strips leading blanks."""
    source = source.lstrip(" \t")
    try:
        from engine.sandbox import check_source
    except ImportError:  # engine.sandbox not there (yet): compile only parses, it runs nothing
        def check_source(source, mode):
            compile(source, "<expr>", mode)
            return []
    try:
        errors = list(check_source(source, "eval"))
    except SyntaxError as exc:
        errors = [f"{exc.msg} (line {exc.lineno}, column {exc.offset})"]
    except ValueError as exc:
        errors = [str(exc)]
    hint = next((h for prefix, h in DIALECT_HINTS if source.startswith(prefix)), "")
    return [error + hint for error in errors]


def check_conditions(index: BundleIndex) -> list[Problem]:
    """Conditions (sequence flows, conditional events) and loop expressions compile as Python."""
    found = []
    for doc, el in index.find("conditionExpression", "condition", "completionCondition", "loopCardinality",
                              "loopCondition"):
        if el.text is None:
            continue  # no expression: SpiffWorkflow ignores it (check_gateways says when that matters)
        kind = etree.QName(el).localname
        for message in compile_errors(el.text):
            found.append(problem(doc, owner(el), f"{kind} {el.text!r} does not compile as a Python expression: "
                                             f"{message}", el.sourceline))
    return found


def iso_error(kind: str, value: str) -> str | None:
    """Why SpiffWorkflow's own ISO 8601 parsing refuses this timer value, or None."""
    timer = TimerEventDefinition
    try:
        if kind == "timeDate":
            if not isinstance(timer.parse_time_or_duration(value), datetime):
                return "a timeDate must be a date and time"
        elif kind == "timeDuration":
            timer.parse_iso_duration(value)
        else:
            timer.parse_iso_recurring_interval(value)
    except Exception as exc:  # SpiffWorkflow raises bare Exception, ValueError, AttributeError
        reason = str(exc) if isinstance(exc, ValueError) or str(exc).startswith("Invalid") else "not ISO 8601"
        duration = value.upper().rsplit("/", 1)[-1]
        if duration.startswith("P") and "T" not in duration and re.search(r"\d[HS]", duration):
            reason += " (hours, minutes and seconds need the T designator: PT1H, not P1H)"
        return reason
    return None


def check_timers(index: BundleIndex) -> list[Problem]:
    found = []
    for doc, definition in index.find("timerEventDefinition"):
        event = definition.getparent()
        specs = [el for el in definition if etree.QName(el).localname in ("timeDate", "timeDuration", "timeCycle")]
        if not specs:
            found.append(problem(doc, event, "timer has no timeDate, timeDuration or timeCycle"))
            continue
        kind, text = etree.QName(specs[0]).localname, (specs[0].text or "").strip()
        line = specs[0].sourceline
        if not text:
            found.append(problem(doc, event, f"timer {kind} is empty", line))
        elif ISO_LITERAL.match(text):
            message = (f"timer {kind} {text} is a bare ISO 8601 literal, but SpiffWorkflow evaluates timer text as a "
                       f"Python expression: quote it (\"'{text}'\")")
            reason = iso_error(kind, text)
            found.append(problem(doc, event, message + (f"; even quoted it is invalid: {reason}" if reason else ""), line))
        elif errors := compile_errors(text):
            found.append(problem(doc, event, f"timer {kind} {text!r} does not compile as a Python expression: "
                                             f"{errors[0]}", line))
        else:
            body = ast.parse(text, mode="eval").body
            if isinstance(body, ast.Constant) and isinstance(body.value, str) and (reason := iso_error(kind, body.value)):
                found.append(problem(doc, event, f"timer {kind} {body.value!r}: {reason}", line))
    return found


def check_scripts(index: BundleIndex) -> list[Problem]:
    """Script tasks and pre/post scripts are valid Python syntax (compiled, never run)."""
    found = [problem(doc, el, "script task has no script") for doc, el in index.find("scriptTask")
             if not [c for c in el if etree.QName(c).localname == "script" and c.text is not None]]
    for doc, proc in index.executable():
        for script in proc.xpath(".//bpmn:script | .//spiffworkflow:preScript | .//spiffworkflow:postScript",
                                 namespaces=NS):
            if script.text is None:
                continue
            try:
                compile(script.text, "<script>", "exec")
            except (SyntaxError, ValueError) as exc:
                line = script.sourceline + (getattr(exc, "lineno", None) or 1) - 1
                what = etree.QName(script).localname
                found.append(problem(doc, owner(script), f"{what} is not valid Python: {getattr(exc, 'msg', exc)}", line))
    return found


def check_dmn(index: BundleIndex) -> list[Problem]:
    """One decision (with a decision table) per DMN file: all SpiffWorkflow 3.2 can run."""
    found = []
    for doc in index.dmn:
        decisions = doc.root.findall(".//{*}decision")
        ids = ", ".join(d.get("id", "?") for d in decisions)
        if not decisions:
            found.append(Problem(doc.path, "DMN file has no decision", line=doc.root.sourceline))
        elif len(decisions) > 1:
            found.append(problem(doc, decisions[1], f"{len(decisions)} decisions ({ids}) in one DMN file: "
                                 "SpiffWorkflow 3.2 runs one decision table per file (\"Multiple decision tables "
                                 "are not current supported.\"); put each decision in a file of its own"))
        elif decisions[0].find("{*}decisionTable") is None:
            found.append(problem(doc, decisions[0], "decision has no decision table (only decision tables run)"))
        for rule in doc.root.iter("{*}rule"):
            table, entries = rule.getparent(), [e for e in rule if etree.QName(e).localname.endswith("Entry")]
            inputs, outputs = len(table.findall("{*}input")), len(table.findall("{*}output"))
            if len(rule.findall("{*}inputEntry")) > inputs or len(rule.findall("{*}outputEntry")) > outputs:
                found.append(problem(doc, rule, f"rule has more entries than its table's {inputs} input(s) and "
                                                f"{outputs} output(s)"))
            found += [problem(doc, e, "entry has no text") for e in entries if e.find("{*}text") is None]
    for did, defs in index.decisions.items():
        found += [problem(doc, el, f"duplicate decision id {did}: also in {defs[0][0].path}") for doc, el in defs[1:]]
    return found


def check_business_rules(index: BundleIndex) -> list[Problem]:
    found = []
    for doc, el in index.find("businessRuleTask"):
        ref = el.find("bpmn:extensionElements/spiffworkflow:calledDecisionId", NS)
        if ref is None or not (ref.text or "").strip():
            found.append(problem(doc, el, "business rule task names no decision (spiffworkflow:calledDecisionId)"))
        elif ref.text.strip() not in index.decisions:
            found.append(problem(doc, el, f'business rule task calls decision "{ref.text.strip()}", which is in no '
                                          f".dmn file of the bundle{_unread(index, '.dmn')}"))
    return found


def form_references(index: BundleIndex):
    """(doc, task, property name, file name) for every form a task of an executable process names."""
    for doc, proc in index.executable():
        for prop in proc.iterfind(".//spiffworkflow:properties/spiffworkflow:property", NS):
            if prop.get("name") in FORM_PROPERTIES and (prop.get("value") or "").strip():
                yield doc, owner(prop), prop.get("name"), prop.get("value").strip()


def check_forms(index: BundleIndex) -> list[Problem]:
    found, checked = [], set()
    for doc, task, prop, name in form_references(index):
        paths = index.files_named(name)
        if len(paths) != 1:
            why = "is not in the bundle" if not paths else f"is ambiguous: {', '.join(sorted(paths))} (forms are " \
                                                            "found by file name, which must be unique)"
            found.append(problem(doc, task, f'form file "{name}" ({prop}) {why}'))
        elif paths[0] not in checked:
            checked.add(paths[0])
            found += check_form_file(paths[0], index.bundle.files[paths[0]], ui=prop == "formUiSchemaFilename")
    return found


def check_form_file(path: str, content: bytes, ui: bool) -> list[Problem]:
    return list(_checked_form_file(path, bytes(content), ui))


@functools.lru_cache(maxsize=1024)
def _checked_form_file(path: str, content: bytes, ui: bool) -> tuple[Problem, ...]:
    """check_form_file's findings, kept per file and content: a form file is checked by deploy and lint several
    times over, and a studio save lints a whole bundle whose forms mostly did not change."""
    return tuple(_check_form_file(path, content, ui))


def _check_form_file(path: str, content: bytes, ui: bool) -> list[Problem]:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        return [Problem(path, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", line=exc.lineno)]
    except UnicodeDecodeError as exc:
        return [Problem(path, f"not valid JSON: not UTF-8 text ({exc.reason})")]
    if not isinstance(data, dict):
        return [Problem(path, f"a {'uiSchema' if ui else 'form schema'} must be a JSON object")]
    return [] if ui else check_json_schema(path, data)


def check_json_schema(path: str, schema: dict) -> list[Problem]:
    """Valid JSON Schema, draft 2020-12 unless `$schema` says otherwise; SpiffArena's
    "options_from_task_data_var:NAME" placeholders are accepted (read as any answer)."""
    dialect = schema.get("$schema")
    cls = validator_for(schema, default=None) if dialect else Draft202012Validator
    if cls is None:
        return [Problem(path, f'unknown "$schema" {dialect!r}: use draft 2020-12 or draft-07')]
    meta = cls(cls.META_SCHEMA)
    errors = sorted(meta.iter_errors(form_schemas.resolve(schema)), key=lambda e: list(map(str, e.absolute_path)))
    return [Problem(path, f"not valid JSON Schema ({cls.__name__}) at /{'/'.join(map(str, e.absolute_path))}: "
                          f"{e.message}") for e in errors[:10]]



def diagram_warnings(index: BundleIndex) -> list[Problem]:
    """Elements of executable processes with no BPMNDI shape: they will not show in a BPMN editor."""
    found = []
    for doc in index.bpmn:
        drawn = {s.get("bpmnElement") for s in doc.root.iterfind(".//bpmndi:BPMNShape", NS)}
        missing = [el.get("id", "?") for proc in doc.root.iterfind("bpmn:process", NS) if is_executable(proc)
                   for el in proc.iter(*(q(t) for t in FLOW_NODES)) if el.get("id", "?") not in drawn]
        if missing:
            found.append(Problem(doc.path, f"{len(missing)} element(s) have no diagram shape (BPMNDI) and will not "
                                           f"render in a BPMN editor: {', '.join(missing[:5])}"))
    return found


CHECKS = (check_ids, check_executable, check_call_activities, check_data_stores, check_data_objects, check_event_refs,
          check_service_tasks, check_flows, check_gateways, check_conditions, check_timers, check_scripts, check_dmn,
          check_business_rules, check_forms)
WARNINGS = (non_executable_warnings, diagram_warnings)
