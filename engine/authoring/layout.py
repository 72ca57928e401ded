"""A left-to-right layout of a BPMN file: the shapes and edges of its BPMNDI, computed from the semantic model.

Flow nodes are put in layers (longest path over the sequence flows, loops ignored), one column per layer;
lanes are horizontal bands inside their pool, each node in its lane's band, rows within a band hold the
branches. Boundary events sit on the bottom border of their task. Sub-processes are drawn collapsed, with
their content in a plane of their own (as bpmn-js does). Edges are orthogonal. Labels come last, over the
whole plane: sized from their text and put where they overlap nothing (engine.authoring.labels).

Nothing here writes XML: see engine.authoring.dixml. The result only depends on the semantic model and on
the old y position of shapes, which decides the order of branches (SpiffWorkflow orders a node's outgoing
flows by their target's y, so the layout keeps that order where lanes allow).
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.authoring.diagram import Box, old_positions
from engine.authoring.labels import place_labels
from engine.authoring.model import BpmnModel, Lane, read_model
from engine.authoring.planes import Edge, Plane, Shape
from engine.authoring.routing import ints
from engine.authoring.scope_layout import ScopeLayout
from engine.authoring.shapes import (
    BLACK_BOX_H,
    LANE_HEADER,
    ORIGIN_X,
    ORIGIN_Y,
    PLANE_X,
    PLANE_Y,
    POOL_GAP,
    POOL_HEADER,
    Layout,
    NewCollaboration,
)


# ---------------------------------------------------------------------------------------------- the file
def lane_tree(model: BpmnModel, process: str) -> list[tuple[Lane, int]]:
    """Every lane of a process with its depth, parents before children."""
    found = []

    def walk(lane_id: str, depth: int) -> None:
        found.append((model.lanes[lane_id], depth))
        for child in model.lanes[lane_id].children:
            walk(child, depth + 1)

    for top in model.scopes[process].top_lanes:
        walk(top, 0)
    return found


@dataclass
class Pool:
    participant: str
    process: str | None
    scope: ScopeLayout | None
    lanes: list[tuple[Lane, int]]
    left: int = 0
    width: int = 0
    height: int = 0
    top: int = 0

    @property
    def content_left(self) -> int:
        depth = max((d for _, d in self.lanes), default=-1) + 1
        return self.left + POOL_HEADER + depth * LANE_HEADER + 10


class FileLayout:
    def __init__(self, model: BpmnModel):
        self.model = model
        self.old = old_positions(model.root)
        self.annotations_of = self._collaboration_artifacts()

    def _collaboration_artifacts(self) -> dict[str, list[str]]:
        """Text annotations of the collaboration, by the scope of the node they annotate."""
        found: dict[str, list[str]] = {}
        for artifact in self.model.artifacts.values():
            if artifact.scope:
                continue
            scope = next((self.model.nodes[o].scope for f in self.model.associations.values()
                          for e, o in ((f.source, f.target), (f.target, f.source))
                          if e == artifact.id and o in self.model.nodes), None)
            if scope is not None:
                found.setdefault(scope, []).append(artifact.id)
        return found

    def scope_layout(self, scope_id: str, bands: list[str | None]) -> ScopeLayout:
        return ScopeLayout(self.model, scope_id, bands, self.old, self.annotations_of.get(scope_id, []))

    def run(self) -> Layout:
        model = self.model
        processes = [p.id for p in model.processes]
        collaborations = [(c.get("id") or "", [(p.id, p.name, p.process) for p in model.participants
                                                if p.collaboration == c.get("id")]) for c in model.collaborations]
        new = None
        if not collaborations and any(model.scopes[p].top_lanes for p in processes):
            used = {el.get("id") for el in model.root.iter() if isinstance(el.tag, str) and el.get("id")}
            collab_id = unique("Collaboration_" + processes[0], used)
            participants = [(unique(f"Participant_{p}", used), model.scopes[p].el.get("name") or p, p)
                            for p in processes]
            new = NewCollaboration(collab_id, participants)
            collaborations = [(collab_id, participants)]
        planes: list[Plane] = []
        pooled = {p for _, parts in collaborations for _, _, p in parts if p in model.scopes}
        for collab_id, participants in collaborations:
            planes.append(self.collaboration_plane(collab_id, participants))
        for pid in processes:
            if pid not in pooled:
                planes.append(self.process_plane(pid))
        for scope in model.scopes.values():
            if scope.kind != "process" and scope.id in model.nodes:
                planes.append(self.subprocess_plane(scope.id))
        return Layout(planes, new, self.order_notes(planes))

    def order_notes(self, planes: list[Plane]) -> list[str]:
        """SpiffWorkflow orders a node's outgoing flows by their target's y (conditions are tried in that
        order): say where the new layout changes that order."""
        new = {s.element: s.box for plane in planes for s in plane.shapes}
        notes = []
        for node in self.model.nodes.values():
            flows = self.model.outgoing(node.id)
            if len(flows) < 2:
                continue
            before = [f.target for f in sorted(flows, key=lambda f: self.old[f.target].y if f.target in self.old else 0.0)]
            after = [f.target for f in sorted(flows, key=lambda f: new[f.target].y if f.target in new else 0.0)]
            if before != after:
                notes.append(f"{node.id}: SpiffWorkflow now takes its outgoing flows in the order "
                             f"{', '.join(after)} (was {', '.join(before)})")
        return notes

    def process_plane(self, pid: str) -> Plane:
        layout = self.scope_layout(pid, [None])
        layout.place(PLANE_X, [PLANE_Y])
        plane = Plane(pid, layout.shapes(), layout.edges_())
        place_labels(plane, layout.label_requests())
        return plane

    def subprocess_plane(self, sid: str) -> Plane:
        return self.process_plane(sid)

    def collaboration_plane(self, collab_id: str, participants: list[tuple[str, str, str | None]]) -> Plane:
        model = self.model
        pools = []
        for part_id, _name, process in participants:
            if process in model.scopes and model.scopes[process].kind == "process":
                lanes = lane_tree(model, process)
                leaves = [lane.id for lane, _ in lanes if not lane.children] or [None]
                pools.append(Pool(part_id, process, self.scope_layout(process, leaves), lanes))
            else:
                pools.append(Pool(part_id, None, None, []))
        width = 0
        for pool in pools:
            pool.left = ORIGIN_X
            if pool.scope is not None:
                width = max(width, pool.content_left - pool.left + pool.scope.width + 10)
        width = max(width, 600)
        top = ORIGIN_Y
        plane = Plane(collab_id)
        boxes: dict[str, Box] = {}
        requests, frames, borders, containers = [], {}, [], set()
        for pool in pools:
            pool.top, pool.width = top, width
            if pool.scope is None:
                pool.height = BLACK_BOX_H
                box = Box(pool.left, top, width, pool.height)
                plane.shapes.append(Shape(pool.participant, box, attrs={"isHorizontal": "true"}))
                boxes[pool.participant] = box
            else:
                heights = pool.scope.band_heights()
                tops = [top + sum(heights[:i]) for i in range(len(heights))]
                pool.height = sum(heights)
                box = Box(pool.left, top, width, pool.height)
                plane.shapes.append(Shape(pool.participant, box, attrs={"isHorizontal": "true"}))
                boxes[pool.participant] = box
                lanes = self.lane_shapes(pool, heights, tops)
                plane.shapes += lanes
                pool.scope.place(pool.content_left, tops)
                plane.shapes += pool.scope.shapes()
                plane.edges += pool.scope.edges_()
                boxes.update(pool.scope.boxes)
                inside = pool.content_left - 10
                frame = Box(inside, top, pool.left + pool.width - inside, pool.height)
                for request in pool.scope.label_requests():
                    requests.append(request)
                    frames[request.element] = frame
                borders += [Box(inside, lane.box.y, frame.right - inside, 0) for lane in lanes if lane.box.y > top]
                containers.update(lane.element for lane in lanes)
            containers.add(pool.participant)
            top += pool.height + POOL_GAP
        plane.edges += self.message_edges(collab_id, pools, boxes)
        place_labels(plane, requests, frames, borders, containers)
        return plane

    def lane_shapes(self, pool: Pool, heights: list[int], tops: list[int]) -> list[Shape]:
        leaves = pool.scope.bands
        shapes = []
        for lane, depth in pool.lanes:
            under = self.leaves_under(lane)
            idx = [leaves.index(leaf) for leaf in under if leaf in leaves]
            y = tops[min(idx)]
            h = sum(heights[i] for i in idx)
            x = pool.left + POOL_HEADER + depth * LANE_HEADER
            shapes.append(Shape(lane.id, Box(x, y, pool.left + pool.width - x, h), attrs={"isHorizontal": "true"}))
        return shapes

    def leaves_under(self, lane: Lane) -> list[str]:
        if not lane.children:
            return [lane.id]
        return [leaf for child in lane.children for leaf in self.leaves_under(self.model.lanes[child])]

    def message_edges(self, plane_id: str, pools: list[Pool], boxes: dict[str, Box]) -> list[Edge]:
        edges = []
        pool_of = {}
        for pool in pools:
            pool_of[pool.participant] = pool
            if pool.process:
                for n in self.model.descendants(pool.process):
                    pool_of[n] = pool
        for flow in self.model.message_flows:
            if flow.el.getparent().get("id") != plane_id:
                continue
            source, target = self.visible(flow.source, boxes), self.visible(flow.target, boxes)
            if source is None or target is None:
                continue
            s, t = boxes[source], boxes[target]
            sx = self.anchor_x(source, s, t, pools)
            tx = self.anchor_x(target, t, s, pools)
            if t.cy >= s.cy:
                pool = pool_of.get(target)
                ym = (pool.top - POOL_GAP // 2) if pool is not None and pool.top > s.bottom else (s.bottom + t.y) / 2
                points = [(sx, s.bottom), (sx, ym), (tx, ym), (tx, t.y)]
            else:
                pool = pool_of.get(source)
                ym = (pool.top - POOL_GAP // 2) if pool is not None and pool.top > t.bottom else (t.bottom + s.y) / 2
                points = [(sx, s.y), (sx, ym), (tx, ym), (tx, t.bottom)]
            edges.append(Edge(flow.id, ints(points)))
        return edges

    def visible(self, element: str, boxes: dict[str, Box]) -> str | None:
        """The element, or the collapsed sub-process that holds it, when drawn on this plane."""
        while element is not None and element not in boxes:
            node = self.model.nodes.get(element)
            element = node.scope if node is not None else None
        return element

    @staticmethod
    def anchor_x(element: str, box: Box, other: Box, pools: list[Pool]) -> float:
        if any(p.participant == element for p in pools):
            return min(max(other.cx, box.x + 60), box.right - 40)
        return box.cx


def unique(wanted: str, used: set) -> str:
    name, i = wanted, 2
    while name in used:
        name, i = f"{wanted}_{i}", i + 1
    used.add(name)
    return name


def layout_model(model: BpmnModel) -> Layout:
    return FileLayout(model).run()


def layout_root(root) -> Layout:
    return layout_model(read_model(root))
