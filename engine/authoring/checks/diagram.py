"""BPMNDI completeness: every flow node, participant and lane has a shape, every sequence and message flow an
edge, and every plane refers to the collaboration, a process or a drilled-down sub-process that holds what
it draws. A file without any diagram gets one finding, not one per element."""
from __future__ import annotations

from engine.authoring.context import BpmnFile, LintContext
from engine.authoring.findings import Finding, at
from engine.authoring.model import CONTAINERS

CHECK = "diagram"
HINT = "it will not show in a BPMN editor (carepath layout draws it)"


def check_diagram(ctx: LintContext) -> list[Finding]:
    found = []
    for file in ctx.files:
        if not file.planes:
            if file.model.nodes:
                found.append(Finding("error", CHECK, file.path, f"the file has no diagram (BPMNDI): {HINT}",
                                     line=file.model.root.sourceline))
            continue
        found += _planes(file) + _missing(file) + _edges(file)
    return found


def _missing(file: BpmnFile) -> list[Finding]:
    model = file.model
    drawn = {e for plane in file.planes for e in plane.shapes}
    found = []
    for participant in model.participants:
        if participant.id not in drawn:
            found.append(at("error", CHECK, file.path, participant.el, f"participant (pool) has no shape: {HINT}"))
    for lane in model.lanes.values():
        if lane.id not in drawn:
            found.append(at("error", CHECK, file.path, lane.el, f"lane \"{lane.name}\" has no shape: {HINT}"))
    for node in model.nodes.values():
        if node.id not in drawn:
            found.append(at("error", CHECK, file.path, node.el, f"{node.kind} has no shape: {HINT}"))
        else:
            box = next(p.shapes[node.id].box for p in file.planes if node.id in p.shapes)
            if box is None:
                found.append(at("error", CHECK, file.path, node.el, "shape has no dc:Bounds"))
    edges = {e: info for plane in file.planes for e, info in plane.edges.items()}
    for flow in [*model.flows.values(), *model.message_flows]:
        what = "sequence flow" if flow.kind == "sequence" else "message flow"
        if flow.id not in edges:
            found.append(at("error", CHECK, file.path, flow.el, f"{what} has no edge: {HINT}"))
        elif len(edges[flow.id].points) < 2:
            found.append(at("error", CHECK, file.path, flow.el, f"{what}'s edge has fewer than 2 waypoints"))
    return found + _missing_artifacts(file, drawn, edges)


ARTIFACT_NAMES = {"dataObjectReference": "data object reference", "dataStoreReference": "data store reference",
                  "textAnnotation": "text annotation"}


def _missing_artifacts(file: BpmnFile, drawn: set[str], edges: dict) -> list[Finding]:
    """Data object and data store references, text annotations and their links: a BPMN editor shows none of
    them without a shape (or edge), so a reader cannot see what a task reads or writes."""
    model, found = file.model, []
    linked = {end for link in model.associations.values() for end in (link.source, link.target)
              if link.source in model.nodes or link.target in model.nodes}
    for artifact in model.artifacts.values():
        if artifact.id not in drawn and (artifact.scope or artifact.id in linked):  # else a note on a pool
            found.append(at("warning", CHECK, file.path, artifact.el,
                            f"{ARTIFACT_NAMES.get(artifact.kind, artifact.kind)} has no shape: {HINT}"))
    planes_of = {}
    for i, plane in enumerate(file.planes):
        for element in plane.shapes:
            planes_of.setdefault(element, set()).add(i)
    for link in model.associations.values():
        if link.source not in model.artifacts and link.target not in model.artifacts:
            continue  # between flow nodes (compensation): not an artifact's link
        what = "data association" if link.kind == "data" else "association"
        if link.id not in edges:
            # drawable only where both ends are on one plane (not a task in a sub-process's own plane and a
            # data object drawn with the process around it)
            if planes_of.get(link.source, set()) & planes_of.get(link.target, set()):
                found.append(at("warning", CHECK, file.path, link.el, f"{what} has no edge: {HINT}"))
        elif len(edges[link.id].points) < 2:
            found.append(at("warning", CHECK, file.path, link.el, f"{what}'s edge has fewer than 2 waypoints"))
    return found


def _planes(file: BpmnFile) -> list[Finding]:
    """Each plane names the collaboration, a process or a sub-process, and draws only what that holds."""
    model, found = file.model, []
    collabs = [c.get("id") for c in model.collaborations]
    first = file.planes[0]
    if collabs and first.element not in collabs:
        found.append(at("error", CHECK, file.path, first.el, f'the diagram plane refers to "{first.element}", not '
                                                             f'to the collaboration "{collabs[0]}": its pools and lanes '
                                                             "will not show", element=first.element))
    for plane in file.planes:
        holds = _holds(file, plane.element, collabs)
        if holds is None:
            found.append(at("error", CHECK, file.path, plane.el, f'the diagram plane refers to "{plane.element}", '
                                                                 "which is no collaboration, process or sub-process "
                                                                 "of the file", element=plane.element))
            continue
        for element, shape in plane.shapes.items():
            if element in model.nodes and element not in holds:
                found.append(at("error", CHECK, file.path, shape.el, f'drawn on the plane of "{plane.element}", '
                                                                     "which does not hold it: a BPMN editor will not "
                                                                     "show it there", element=element))
            elif element in model.nodes and model.nodes[element].scope in model.nodes:
                parent = model.nodes[element].scope
                parent_shape = plane.shapes.get(parent)
                if parent_shape is not None and parent_shape.expanded is not True:
                    found.append(at("error", CHECK, file.path, shape.el, f'drawn inside sub-process "{parent}", '
                                                                         'whose shape is not isExpanded="true": draw '
                                                                         "it expanded, or its content in a plane of "
                                                                         "its own", element=element))
    return found


def _holds(file: BpmnFile, element: str | None, collabs: list[str]) -> set[str] | None:
    model = file.model
    if element is not None and element in collabs:
        processes = [p.process for p in model.participants if p.process in model.scopes
                     and p.collaboration == element]
    elif element in model.scopes and model.scopes[element].kind == "process":
        processes = [element]
    elif element in model.nodes and model.nodes[element].kind in CONTAINERS:
        return set(model.descendants(element))
    else:
        return None
    return {n for p in processes for n in model.descendants(p)}


def _edges(file: BpmnFile) -> list[Finding]:
    """Edges and shapes naming elements the file does not have (left over from a deleted element)."""
    model = file.model
    known = set(model.nodes) | set(model.flows) | set(model.lanes) | set(model.artifacts) | set(model.associations)
    known |= {p.id for p in model.participants} | {f.id for f in model.message_flows}
    known |= {el.get("id") for el in model.root.iter() if isinstance(el.tag, str) and el.get("id")}
    found = []
    for plane in file.planes:
        for element, info in [*plane.shapes.items(), *plane.edges.items()]:
            if element not in known:
                found.append(at("warning", CHECK, file.path, info.el, f'the diagram draws "{element}", which is not '
                                                                      "in the model", element=element))
    return found
