"""A BPMN file read into what the authoring tools look at: scopes (processes and sub-processes), flow nodes,
sequence and message flows, lanes, participants, and the artifacts a diagram draws (data objects, annotations).

The XML elements are kept (lxml, so every element has its line); everything is listed in document order,
which keeps the layout deterministic.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.deploy.bundle_xml import BPMN_NS, SPIFF_NS
from engine.deploy.validation import FLOW_NODES

FLOW_NODE_TAGS = frozenset(FLOW_NODES) | {"complexGateway"}
CONTAINERS = frozenset({"subProcess", "transaction", "adHocSubProcess"})
EVENTS = frozenset({"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"})
GATEWAYS = frozenset({"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
                      "complexGateway"})
ARTIFACTS = frozenset({"dataObjectReference", "dataStoreReference", "textAnnotation"})


def local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def in_bpmn(el) -> bool:
    return isinstance(el.tag, str) and etree.QName(el).namespace == BPMN_NS


def is_task(kind: str) -> bool:
    return kind == "task" or kind.endswith("Task") or kind == "callActivity" or kind in CONTAINERS


@dataclass
class Node:
    id: str
    kind: str
    name: str
    el: etree._Element
    scope: str
    process: str
    attached_to: str | None = None

    @property
    def is_event(self) -> bool:
        return self.kind in EVENTS

    @property
    def is_gateway(self) -> bool:
        return self.kind in GATEWAYS

    @property
    def is_container(self) -> bool:
        return self.kind in CONTAINERS


@dataclass
class Flow:
    id: str
    source: str
    target: str
    el: etree._Element
    kind: str = "sequence"  # sequence | message | association | data
    name: str = ""


@dataclass
class Lane:
    id: str
    name: str
    el: etree._Element
    process: str
    parent: str | None
    children: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)


@dataclass
class Scope:
    """A process or a sub-process: what is drawn together, in one plane or inside one pool."""

    id: str
    kind: str
    el: etree._Element
    process: str
    parent: str | None
    nodes: list[str] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)
    artifacts: list[str] = field(default_factory=list)
    top_lanes: list[str] = field(default_factory=list)


@dataclass
class Participant:
    id: str
    name: str
    process: str | None
    el: etree._Element | None
    collaboration: str = ""


@dataclass
class Artifact:
    id: str
    kind: str
    el: etree._Element
    scope: str


@dataclass
class BpmnModel:
    root: etree._Element
    scopes: dict[str, Scope] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    lanes: dict[str, Lane] = field(default_factory=dict)
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    associations: dict[str, Flow] = field(default_factory=dict)
    participants: list[Participant] = field(default_factory=list)
    message_flows: list[Flow] = field(default_factory=list)
    collaborations: list[etree._Element] = field(default_factory=list)

    @property
    def collaboration(self) -> etree._Element | None:
        return self.collaborations[0] if self.collaborations else None

    @property
    def processes(self) -> list[Scope]:
        return [s for s in self.scopes.values() if s.kind == "process"]

    def outgoing(self, node_id: str) -> list[Flow]:
        return [f for f in self.flows.values() if f.source == node_id]

    def incoming(self, node_id: str) -> list[Flow]:
        return [f for f in self.flows.values() if f.target == node_id]

    def boundaries(self, node_id: str) -> list[Node]:
        return [n for n in self.nodes.values() if n.attached_to == node_id]

    def lane_of(self, node_id: str) -> Lane | None:
        """The lane SpiffWorkflow gives the node: the last lane naming it, else its sub-process's lane."""
        found = None
        for lane in self.lanes.values():
            if node_id in lane.refs:
                found = lane
        if found is None:
            node = self.nodes.get(node_id)
            if node is not None and node.scope in self.nodes:
                return self.lane_of(node.scope)
        return found

    def leaf_lanes(self, process: str) -> list[Lane]:
        leaves: list[Lane] = []

        def walk(lane_id: str) -> None:
            lane = self.lanes[lane_id]
            if lane.children:
                for child in lane.children:
                    walk(child)
            else:
                leaves.append(lane)

        for top in self.scopes[process].top_lanes:
            walk(top)
        return leaves

    def descendants(self, scope_id: str) -> list[str]:
        """Every node inside a scope, at any depth."""
        found = []
        for node_id in self.scopes[scope_id].nodes:
            found.append(node_id)
            if node_id in self.scopes:
                found += self.descendants(node_id)
        return found


def read_model(root: etree._Element) -> BpmnModel:
    model = BpmnModel(root)
    for proc in root.iterfind(f"{{{BPMN_NS}}}process"):
        _read_scope(model, proc, proc.get("id") or "", None)
    for collab in root.iterfind(f"{{{BPMN_NS}}}collaboration"):
        model.collaborations.append(collab)
        for part in collab.iterfind(f"{{{BPMN_NS}}}participant"):
            model.participants.append(Participant(part.get("id") or "", part.get("name") or "",
                                                  part.get("processRef"), part, collab.get("id") or ""))
        for flow in collab.iterfind(f"{{{BPMN_NS}}}messageFlow"):
            model.message_flows.append(Flow(flow.get("id") or "", flow.get("sourceRef") or "",
                                            flow.get("targetRef") or "", flow, "message", flow.get("name") or ""))
        for assoc in collab.iterfind(f"{{{BPMN_NS}}}association"):
            _association(model, assoc)
        for annotation in collab.iterfind(f"{{{BPMN_NS}}}textAnnotation"):
            model.artifacts[annotation.get("id") or ""] = Artifact(annotation.get("id") or "", "textAnnotation",
                                                                   annotation, "")
    return model


def _association(model: BpmnModel, el) -> None:
    model.associations[el.get("id") or ""] = Flow(el.get("id") or "", el.get("sourceRef") or "",
                                                  el.get("targetRef") or "", el, "association")


def _read_scope(model: BpmnModel, el, process: str, parent: str | None) -> None:
    scope = Scope(el.get("id") or "", local(el), el, process, parent)
    model.scopes[scope.id] = scope
    for child in el:
        if not in_bpmn(child):
            continue
        kind, cid = local(child), child.get("id") or ""
        if kind in FLOW_NODE_TAGS:
            model.nodes[cid] = Node(cid, kind, (child.get("name") or "").strip(), child, scope.id, process,
                                    child.get("attachedToRef") if kind == "boundaryEvent" else None)
            scope.nodes.append(cid)
            if kind in CONTAINERS:
                _read_scope(model, child, process, scope.id)
            _data_associations(model, child, cid)
        elif kind == "sequenceFlow":
            model.flows[cid] = Flow(cid, child.get("sourceRef") or "", child.get("targetRef") or "", child,
                                    "sequence", (child.get("name") or "").strip())
            scope.flows.append(cid)
        elif kind == "laneSet":
            scope.top_lanes += _read_lanes(model, child, process, None)
        elif kind in ARTIFACTS:
            model.artifacts[cid] = Artifact(cid, kind, child, scope.id)
            scope.artifacts.append(cid)
        elif kind == "association":
            _association(model, child)


def _data_associations(model: BpmnModel, task, task_id: str) -> None:
    """dataInputAssociation (data object -> task) and dataOutputAssociation (task -> data object) as edges."""
    for assoc in task:
        kind = local(assoc)
        if kind not in ("dataInputAssociation", "dataOutputAssociation") or not assoc.get("id"):
            continue
        sources = [s.text.strip() for s in assoc.iterfind(f"{{{BPMN_NS}}}sourceRef") if s.text]
        targets = [t.text.strip() for t in assoc.iterfind(f"{{{BPMN_NS}}}targetRef") if t.text]
        if kind == "dataInputAssociation" and sources:
            model.associations[assoc.get("id")] = Flow(assoc.get("id"), sources[0], task_id, assoc, "data")
        elif kind == "dataOutputAssociation" and targets:
            model.associations[assoc.get("id")] = Flow(assoc.get("id"), task_id, targets[0], assoc, "data")


def _read_lanes(model: BpmnModel, lane_set, process: str, parent: str | None) -> list[str]:
    ids = []
    for lane_el in lane_set.iterfind(f"{{{BPMN_NS}}}lane"):
        lane = Lane(lane_el.get("id") or "", (lane_el.get("name") or "").strip(), lane_el, process, parent)
        lane.refs = [(r.text or "").strip() for r in lane_el.iterfind(f"{{{BPMN_NS}}}flowNodeRef")]
        model.lanes[lane.id] = lane
        ids.append(lane.id)
        for child_set in lane_el.iterfind(f"{{{BPMN_NS}}}childLaneSet"):
            lane.children += _read_lanes(model, child_set, process, lane.id)
    return ids


def spiff_properties(el) -> dict[str, str]:
    """The spiffworkflow:properties of an element (its own extension elements only)."""
    found = {}
    for prop in el.iterfind(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property"):
        if prop.get("name"):
            found[prop.get("name")] = (prop.get("value") or "").strip()
    return found
