"""Which task data names each element produces, and which names are produced upstream of an element.

Produced: a form's top-level properties (user task), a script's assignment targets (script task, pre- and
post-scripts; read with ast, never run), a decision's outputs (business rule task), a message variable or the
payload fields a message's correlation names, multi-instance outputs, data objects read into a task, start data a
process declares, and for a call activity or sub-process everything produced inside it. Names the engine
provides (patient_id, Python builtins, the sandbox's datetime and business-day helpers) are always there.

Upstream uses the sequence flow graph (loops included), not file order. A stage called by call activities
also sees what is produced upstream of each call activity in its callers.
"""
from __future__ import annotations

import ast
import builtins
import re
from functools import lru_cache

from engine.authoring import graph
from engine.authoring.context import BpmnFile, LintContext
from engine.authoring.model import BpmnModel, Node, spiff_properties
from engine.deploy.bundle_xml import BPMN_NS, NS, SPIFF_NS
from engine.time.calendar import __all__ as CALENDAR_HELPERS

ENGINE_DATA = ("patient_id",)
SANDBOX_HELPERS = ("datetime", "date", "timedelta", "timezone", "math", "json", "business_calendar",
                   *CALENDAR_HELPERS)
PROVIDED = frozenset(dir(builtins)) | frozenset(SANDBOX_HELPERS) | frozenset(ENGINE_DATA)
START_DATA_PROPERTY = "startData"
MESSAGE_EVENTS = ("startEvent", "intermediateCatchEvent", "boundaryEvent", "receiveTask")


def free_names(expression: str) -> set[str] | None:
    """The names a Python expression reads (roots only: `a['b'].c` reads `a`); None when it does not parse."""
    names = _free_names(expression)
    return None if names is None else set(names)


@lru_cache(maxsize=8192)  # a save lints the whole draft again: most expressions are the ones read last time
def _free_names(expression: str) -> frozenset[str] | None:
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return None
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.Lambda) for a in ast.walk(n.args)
              if isinstance(a, ast.arg)}
    return frozenset(read - bound)


def assigned_names(script: str) -> set[str]:
    """The names a script binds at any level (assignments, loops, imports, definitions)."""
    return set(_assigned_names(script))


@lru_cache(maxsize=8192)
def _assigned_names(script: str) -> frozenset[str]:
    try:
        tree = ast.parse(script)
    except (SyntaxError, ValueError):
        return frozenset()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Global):
            names |= set(node.names)
    return frozenset(names)


def form_fields(schema: dict) -> set[str]:
    """Top-level properties of a JSON Schema, including those of its combinators and conditional parts."""
    if not isinstance(schema, dict):
        return set()
    names = set(schema.get("properties") or {}) if isinstance(schema.get("properties"), dict) else set()
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key) or []:
            names |= form_fields(part)
    for key in ("if", "then", "else"):
        names |= form_fields(schema.get(key))
    for key in ("dependencies", "dependentSchemas"):
        deps = schema.get(key)
        if isinstance(deps, dict):
            for part in deps.values():
                names |= form_fields(part) if isinstance(part, dict) else set()
    defs = {**(schema.get("$defs") or {}), **(schema.get("definitions") or {})}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and ref.split("/")[-1] in defs:
        names |= form_fields(defs[ref.split("/")[-1]])
    return names


def decision_outputs(ctx: LintContext, decision_id: str) -> set[str]:
    names = set()
    for _doc, decision in ctx.index.decisions.get(decision_id, []):
        for output in decision.iter("{*}output"):
            name = output.get("name") or output.get("label") or ""
            root = re.split(r"[.\[]", name.strip(), maxsplit=1)[0]
            if root.isidentifier():
                names.add(root)
    return names


def called_decision(node: Node) -> str | None:
    ref = node.el.find("bpmn:extensionElements/spiffworkflow:calledDecisionId", NS)
    return (ref.text or "").strip() or None if ref is not None else None


def _names(text: str) -> set[str]:
    return {n for n in re.split(r"[\s,;]+", text or "") if n.isidentifier()}


def declared_start_data(model: BpmnModel, process: str) -> set[str]:
    """Start data a process declares: spiffworkflow property `startData` (names separated by commas or
    spaces) on the process or on a start event, or the process's ioSpecification data inputs."""
    scope = model.scopes[process]
    names = _names(spiff_properties(scope.el).get(START_DATA_PROPERTY, ""))
    for node_id in scope.nodes:
        if model.nodes[node_id].kind == "startEvent":
            names |= _names(spiff_properties(model.nodes[node_id].el).get(START_DATA_PROPERTY, ""))
    for data_input in scope.el.iterfind(f"{{{BPMN_NS}}}ioSpecification/{{{BPMN_NS}}}dataInput"):
        names |= _names(data_input.get("name") or "") | _names(data_input.get("id") or "")
    return names


class DataFlow:
    """Produced names per element and upstream of elements, for every BPMN file of a bundle."""

    def __init__(self, ctx: LintContext):
        self.ctx = ctx
        self._process_cache: dict[str, set[str]] = {}
        self._context_cache: dict[str, set[str]] = {}
        self._preds: dict[int, dict[str, list[str]]] = {}

    # ------------------------------------------------------------------ what one element produces
    def produces(self, file: BpmnFile, node: Node) -> set[str]:
        model, el, names = file.model, node.el, set()
        if node.kind == "userTask":
            for key in ("formJsonSchemaFilename",):
                form = self.ctx.form(spiff_properties(el).get(key, ""))
                names |= form_fields(form) if form else set()
        if node.kind == "scriptTask":
            for script in el.iterfind(f"{{{BPMN_NS}}}script"):
                names |= assigned_names(script.text or "")
        for script in el.iterfind(f"{{{BPMN_NS}}}extensionElements/*"):
            if script.tag in (f"{{{SPIFF_NS}}}preScript", f"{{{SPIFF_NS}}}postScript"):
                names |= assigned_names(script.text or "")
        if node.kind == "businessRuleTask" and (decision := called_decision(node)):
            names |= decision_outputs(self.ctx, decision)
        if node.kind in MESSAGE_EVENTS:
            names |= self._message_names(model, node)
        if node.kind == "callActivity" and node.el.get("calledElement"):
            names |= self.process_produces(node.el.get("calledElement"))
        if node.is_container:
            for inner in model.descendants(node.id):
                names |= self.produces(file, model.nodes[inner])
        names |= self._multi_instance(el) | self._data_inputs(model, el)
        if node.kind == "startEvent" and node.scope == node.process:
            names |= declared_start_data(model, node.process)
        return names

    def _message_names(self, model: BpmnModel, node: Node) -> set[str]:
        definitions = [node.el] if node.kind == "receiveTask" else \
            node.el.findall(f"{{{BPMN_NS}}}messageEventDefinition")
        names = set()
        for definition in definitions:
            variable = definition.find(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}messageVariable")
            if variable is None:  # the older place: the event's own extension elements
                variable = node.el.find(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}messageVariable")
            if variable is not None and (variable.text or "").strip():
                names.add(variable.text.strip())
                continue
            message = definition.get("messageRef")
            for path in model.root.iterfind(f".//{{{BPMN_NS}}}correlationPropertyRetrievalExpression"):
                if path.get("messageRef") == message:
                    expression = path.findtext(f"{{{BPMN_NS}}}messagePath") or ""
                    names |= free_names(expression) or set()
        return names

    @staticmethod
    def _multi_instance(el) -> set[str]:
        names = set()
        for loop in el.iterfind(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics"):
            names |= _names(loop.findtext(f"{{{BPMN_NS}}}loopDataOutputRef") or "")
            for item in loop.iterfind(f"{{{BPMN_NS}}}outputDataItem"):
                names |= _names(item.get("name") or "") | _names(item.get("id") or "")
        return names

    @staticmethod
    def _data_inputs(model: BpmnModel, el) -> set[str]:
        names = set()
        for assoc in el.iterfind(f"{{{BPMN_NS}}}dataInputAssociation"):
            for source in assoc.iterfind(f"{{{BPMN_NS}}}sourceRef"):
                ref = model.artifacts.get((source.text or "").strip())
                if ref is not None:
                    names |= _names(ref.el.get("dataObjectRef") or "") | _names(ref.el.get("id") or "")
        return names

    def process_produces(self, process_id: str) -> set[str]:
        """Everything a process produces anywhere (what a call activity hands back to its caller)."""
        if process_id in self._process_cache:
            return self._process_cache[process_id]
        self._process_cache[process_id] = set()  # a process calling itself adds nothing more
        file = self.ctx.process_files.get(process_id)
        names = set()
        if file is not None:
            for node_id in file.model.descendants(process_id):
                names |= self.produces(file, file.model.nodes[node_id])
            names |= declared_start_data(file.model, process_id)
        self._process_cache[process_id] = names
        return names

    # ------------------------------------------------------------------ upstream
    def predecessors(self, file: BpmnFile) -> dict[str, list[str]]:
        """node -> the nodes right before it: over sequence flows; a boundary event has its task's; a start
        event inside a sub-process has the sub-process's (an event sub-process's: all of its parent scope)."""
        key = id(file)
        if key in self._preds:
            return self._preds[key]
        model = file.model
        preds: dict[str, list[str]] = {n: [] for n in model.nodes}
        for flow in model.flows.values():
            if flow.target in preds:
                preds[flow.target].append(flow.source)
        for node in model.nodes.values():
            if node.attached_to in preds:
                preds[node.id] = preds[node.id] + [p for p in preds[node.attached_to] if p not in preds[node.id]]
            if node.kind == "startEvent" and node.scope in model.nodes:
                container = model.nodes[node.scope]
                if container.el.get("triggeredByEvent") == "true":
                    preds[node.id] += [n for n in model.scopes[container.scope].nodes if n != container.id]
                else:
                    preds[node.id] += preds[container.id]
        self._preds[key] = preds
        return preds

    def upstream(self, file: BpmnFile, node_id: str) -> set[str]:
        preds = self.predecessors(file)
        return graph.reachable([node_id], preds)

    def available(self, file: BpmnFile, node: Node) -> set[str]:
        """Every name produced before `node` runs: upstream in its process, its start data, what callers
        produced upstream of the call activities calling the process, and what the engine provides."""
        names = set(PROVIDED) | declared_start_data(file.model, node.process)
        for other in self.upstream(file, node.id):
            names |= self.produces(file, file.model.nodes[other])
        return names | self.caller_context(node.process)

    def caller_context(self, process_id: str) -> set[str]:
        if process_id in self._context_cache:
            return self._context_cache[process_id]
        self._context_cache[process_id] = set()
        names = set()
        for file in self.ctx.files:
            for node in file.model.nodes.values():
                if node.kind == "callActivity" and node.el.get("calledElement") == process_id:
                    names |= self.available(file, node)
        self._context_cache[process_id] = names
        return names
