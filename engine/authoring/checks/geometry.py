"""Layout quality: flow-node shapes do not overlap, each lies inside its lane (and pool), and sequence flows
run left to right (a flow back to the left is fine when it closes a loop: reported as info)."""
from __future__ import annotations

from engine.authoring import graph
from engine.authoring.context import BpmnFile, LintContext
from engine.authoring.diagram import Box, PlaneInfo
from engine.authoring.findings import Finding, at

CHECK = "layout"


def check_geometry(ctx: LintContext) -> list[Finding]:
    found = []
    for file in ctx.files:
        loops = _loop_flows(file)
        for plane in file.planes:
            found += _overlaps(file, plane) + _lanes(file, plane) + _direction(file, plane, loops)
    return found


def _boxes(file: BpmnFile, plane: PlaneInfo) -> dict[str, Box]:
    return {e: s.box for e, s in plane.shapes.items() if e in file.model.nodes and s.box is not None}


def _ancestors(file: BpmnFile, node_id: str) -> set[str]:
    found, scope = set(), file.model.nodes[node_id].scope
    while scope in file.model.nodes:
        found.add(scope)
        scope = file.model.nodes[scope].scope
    return found


def _overlaps(file: BpmnFile, plane: PlaneInfo) -> list[Finding]:
    """Flow nodes, data object and data store references and text annotations: no two overlap (a boundary
    event sits on its task's border, a node inside its expanded sub-process)."""
    model = file.model
    boxes = {**_boxes(file, plane), **{e: s.box for e, s in plane.shapes.items()
                                       if e in model.artifacts and s.box is not None}}
    order = [n for n in [*model.nodes, *model.artifacts] if n in boxes]
    ancestors = {n: _ancestors(file, n) if n in model.nodes else set() for n in order}
    found = []
    for i, a in enumerate(order):
        for b in order[i + 1:]:
            if not boxes[a].overlaps(boxes[b]) or a in ancestors[b] or b in ancestors[a]:
                continue
            if a in model.nodes and b in model.nodes and (model.nodes[a].attached_to == b
                                                          or model.nodes[b].attached_to == a):
                continue
            if b in model.artifacts and a in model.nodes and model.nodes[a].is_container and \
                    model.artifacts[b].scope in [a, *model.descendants(a)]:
                continue  # drawn inside its expanded sub-process
            found.append(at("warning", CHECK, file.path, plane.shapes[b].el,
                            f'shape overlaps the shape of "{a}"', element=b))
    return found


def _lanes(file: BpmnFile, plane: PlaneInfo) -> list[Finding]:
    model, boxes = file.model, _boxes(file, plane)
    pools = {p.process: plane.shapes[p.id].box for p in model.participants
             if p.id in plane.shapes and plane.shapes[p.id].box is not None}
    found = []
    for node_id, box in boxes.items():
        node = model.nodes[node_id]
        lanes = [lane for lane in model.lanes.values() if node_id in lane.refs]
        containers = [(f'lane "{lane.name or lane.id}"', plane.shapes[lane.id].box) for lane in lanes
                      if lane.id in plane.shapes and plane.shapes[lane.id].box is not None]
        if node.scope == node.process and node.process in pools:
            containers.append(("its pool", pools[node.process]))
        for what, outer in containers:
            inside = outer.contains_point(box.cx, box.cy) if node.kind == "boundaryEvent" else outer.contains(box)
            if not inside:
                found.append(at("error", CHECK, file.path, plane.shapes[node_id].el,
                                f"shape lies outside the shape of {what}", element=node_id))
    return found


def _loop_flows(file: BpmnFile) -> set[str]:
    """Sequence flows on a cycle: their target reaches their source (a boundary event counts as its task)."""
    model = file.model
    succ: dict[str, list[str]] = {}
    for flow in model.flows.values():
        source = model.nodes[flow.source].attached_to if flow.source in model.nodes and \
            model.nodes[flow.source].attached_to else flow.source
        succ.setdefault(source, []).append(flow.target)
    found = set()
    for flow in model.flows.values():
        source = model.nodes[flow.source].attached_to if flow.source in model.nodes and \
            model.nodes[flow.source].attached_to else flow.source
        if flow.target == source or source in graph.reachable([flow.target], succ):
            found.add(flow.id)
    return found


def _direction(file: BpmnFile, plane: PlaneInfo, loops: set[str]) -> list[Finding]:
    boxes, found = _boxes(file, plane), []
    for flow in file.model.flows.values():
        if flow.source not in boxes or flow.target not in boxes or flow.id not in plane.edges:
            continue
        if boxes[flow.target].x < boxes[flow.source].x - 1:
            if flow.id in loops:
                found.append(at("info", CHECK, file.path, flow.el, f'flows back to the left to "{flow.target}": a '
                                                                    "loop"))
            else:
                found.append(at("warning", CHECK, file.path, flow.el, f'runs right to left (to "{flow.target}") '
                                                                       "without closing a loop"))
    return found
