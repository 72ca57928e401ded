"""Columns and rows of one scope (a process or a sub-process): the layers of its flow nodes, the lane band and
row of each, where its boundary events and artifacts go; then, once the band tops are known, every box.
"""
from __future__ import annotations

from engine.authoring import graph
from engine.authoring.diagram import Box
from engine.authoring.model import BpmnModel, Node
from engine.authoring.routing import artifact_route, sequence_route
from engine.authoring.shapes import (
    ANNOTATION,
    ART_H,
    DATA_OBJECT,
    DATA_STORE,
    EVENT,
    GAP_X,
    ROW_H,
    TASK_W,
    Edge,
    Shape,
    size_of,
    text_box,
)


class ScopeLayout:
    """Columns and rows of one scope (a process or a sub-process), before its place on the page is known."""

    def __init__(self, model: BpmnModel, scope_id: str, bands: list[str | None], old: dict[str, Box],
                 extra_artifacts: list[str] = ()):
        self.model, self.scope = model, model.scopes[scope_id]
        self.bands = bands
        self.old = old
        members = self.scope.nodes
        self.nodes = [n for n in members if model.nodes[n].kind != "boundaryEvent"]
        self.boundary = [n for n in members if model.nodes[n].kind == "boundaryEvent"
                         and model.nodes[n].attached_to in self.nodes]
        self.index = {n: i for i, n in enumerate(members)}
        self.flows = [model.flows[f] for f in self.scope.flows
                      if model.flows[f].source in members and model.flows[f].target in self.nodes]
        self.edges = [(self.owner(f.source), f.target) for f in self.flows]
        self.loops = graph.back_edges(self.nodes, self.edges)
        self.layer = graph.layers(self.nodes, self.edges)
        self.band = {n: self._band_of(n) for n in self.nodes}
        self.sizes = {n: size_of(model.nodes[n], len(self._boundaries(n))) for n in self.nodes}
        self.row: dict[str, int] = {}
        self._assign_rows()
        self.artifacts = [a for a in [*self.scope.artifacts, *extra_artifacts] if a in model.artifacts]
        self.artifact_cell: dict[str, tuple[int, int, int]] = {}
        self._place_artifacts()
        self.layers = max([*self.layer.values(), *(c[1] for c in self.artifact_cell.values())], default=-1) + 1
        self.col_w = [TASK_W + GAP_X] * self.layers
        for n in self.nodes:
            self.col_w[self.layer[n]] = max(self.col_w[self.layer[n]], self.sizes[n][0] + GAP_X)
        self.band_rows = [1] * len(bands)
        for n in self.nodes:
            self.band_rows[self.band[n]] = max(self.band_rows[self.band[n]], self.row[n] + 1)
        self.art_rows = [0] * len(bands)
        for band, _, row in self.artifact_cell.values():
            self.art_rows[band] = max(self.art_rows[band], row + 1)
        self.boxes: dict[str, Box] = {}
        self.cell_top: dict[str, int] = {}

    # ------------------------------------------------------------------ structure
    def owner(self, node_id: str) -> str:
        """A boundary event stands for its task in the graph."""
        node = self.model.nodes.get(node_id)
        return node.attached_to if node is not None and node.attached_to in self.nodes else node_id

    def _boundaries(self, node_id: str) -> list[str]:
        return [b for b in self.boundary if self.model.nodes[b].attached_to == node_id]

    def _band_of(self, node_id: str) -> int:
        lane = self.model.lane_of(node_id)
        while lane is not None and lane.children:
            lane = self.model.lanes.get(lane.children[0])
        if lane is not None and lane.id in self.bands:
            return self.bands.index(lane.id)
        return 0

    def ordered_targets(self, node_id: str) -> list[str]:
        """The node's successors in SpiffWorkflow's order (old y, then document order), then its boundary
        events' successors."""
        targets = []
        for source in [node_id, *self._boundaries(node_id)]:
            flows = [f for f in self.flows if f.source == source]
            flows.sort(key=lambda f: self.old[f.target].y if f.target in self.old else 0.0)
            targets += [f.target for f in flows]
        return targets

    def _assign_rows(self) -> None:
        preds: dict[str, list[tuple[str, int]]] = {n: [] for n in self.nodes}
        for u in self.nodes:
            for i, v in enumerate(self.ordered_targets(u)):
                if (u, v) not in self.loops and u != v:
                    preds[v].append((u, i))
        used: dict[tuple[int, int], set[int]] = {}
        for layer in range(max(self.layer.values(), default=-1) + 1):
            def key(n, layer=layer):
                same = sorted((self.row[u], i) for u, i in preds[n] if u in self.row and self.band[u] == self.band[n])
                return (self.band[n], same[0] if same else (0, 0), self.index[n])
            for n in sorted((n for n in self.nodes if self.layer[n] == layer), key=key):
                cell = used.setdefault((self.band[n], layer), set())
                row = key(n)[1][0]
                while row in cell:
                    row += 1
                cell.add(row)
                self.row[n] = row

    def _place_artifacts(self) -> None:
        """Data objects and annotations go in rows of their own at the top of their partner's band, in its
        column, so that no flow runs through them."""
        links = [*self.model.associations.values()]
        used: dict[tuple[int, int], int] = {}
        for artifact in self.artifacts:
            partner = next((self.owner(other) for f in links for end, other in ((f.source, f.target),
                                                                                (f.target, f.source))
                            if end == artifact and self.owner(other) in self.nodes), None)
            band, layer = (self.band[partner], self.layer[partner]) if partner else (0, 0)
            row = used.get((band, layer), 0)
            used[(band, layer)] = row + 1
            self.artifact_cell[artifact] = (band, layer, row)

    # ------------------------------------------------------------------ geometry
    @property
    def width(self) -> int:
        return sum(self.col_w)

    def band_heights(self) -> list[int]:
        return [rows * ROW_H + art * ART_H for rows, art in zip(self.band_rows, self.art_rows)]

    def place(self, left: int, band_tops: list[int]) -> None:
        col_x = [left]
        for w in self.col_w:
            col_x.append(col_x[-1] + w)
        for n in self.nodes:
            w, h = self.sizes[n]
            top = band_tops[self.band[n]] + self.art_rows[self.band[n]] * ART_H + self.row[n] * ROW_H
            layer = self.layer[n]
            self.cell_top[n] = top
            self.boxes[n] = Box(col_x[layer] + (self.col_w[layer] - w) // 2, top + (ROW_H - h) // 2, w, h)
        for task in self.nodes:
            events = self._boundaries(task)
            box = self.boxes[task]
            for i, b in enumerate(events):
                cx = box.cx if len(events) == 1 else box.x + 20 + i * (box.w - 40) / (len(events) - 1)
                self.boxes[b] = Box(int(round(cx - EVENT / 2)), int(box.bottom - EVENT / 2), EVENT, EVENT)
                self.cell_top[b] = self.cell_top[task]
        for artifact, (band, layer, row) in self.artifact_cell.items():
            kind = self.model.artifacts[artifact].kind
            w, h = {"dataObjectReference": DATA_OBJECT, "dataStoreReference": DATA_STORE}.get(kind, ANNOTATION)
            top = band_tops[band] + row * ART_H
            self.boxes[artifact] = Box(col_x[layer] + (self.col_w[layer] - w) // 2, top + (ART_H - h) // 2, w, h)

    def shapes(self) -> list[Shape]:
        found = []
        for n in self.scope.nodes:
            node, box = self.model.nodes[n], self.boxes.get(n)
            if box is None:
                continue
            shape = Shape(n, box)
            if node.kind == "exclusiveGateway":
                shape.attrs["isMarkerVisible"] = "true"
            if node.is_container:
                shape.attrs["isExpanded"] = "false"
            if node.name and node.kind == "boundaryEvent":
                shape.label = self.boundary_label(node, box)
            elif node.name and node.is_event:
                shape.label = text_box(node.name, box.cx, box.bottom + 5)
            elif node.name and node.is_gateway:  # above, to the right: loops and branches leave from the top
                label = text_box(node.name, 0, 0)
                shape.label = Box(int(box.cx + 4), box.y - 5 - label.h, label.w, label.h)
            found.append(shape)
        for artifact in self.artifacts:
            el = self.model.artifacts[artifact].el
            box = self.boxes[artifact]
            shape = Shape(artifact, box)
            if self.model.artifacts[artifact].kind != "textAnnotation" and el.get("name"):
                shape.label = text_box(el.get("name"), box.cx, box.bottom + 5)
            found.append(shape)
        return found

    def boundary_label(self, node: Node, box: Box) -> Box:
        """Beside the event, away from its siblings: right of a single or last one, left of a first one."""
        siblings = self._boundaries(node.attached_to)
        label = text_box(node.name, 0, 0, 80)
        if len(siblings) > 2:
            return text_box(node.name, box.cx, box.bottom + 20, 40)
        if len(siblings) == 2 and siblings.index(node.id) == 0:
            return Box(int(box.x - 2 - label.w), int(box.bottom - 4), label.w, label.h)
        return Box(int(box.right + 2), int(box.bottom - 4), label.w, label.h)

    def edges_(self) -> list[Edge]:
        found = []
        for flow in self.flows:
            points = self.route(flow.source, flow.target)
            edge = Edge(flow.id, points)
            if flow.name:
                (x0, y0), (x1, y1) = points[-2], points[-1]
                label = text_box(flow.name, 0, 0)
                if y0 == y1:
                    edge.label = Box(min(x0, x1) + 5, y0 - 4 - label.h, label.w, label.h)
                else:
                    edge.label = Box(x0 + 5, min(y0, y1) + 5, label.w, label.h)
            found.append(edge)
        for assoc in self.model.associations.values():
            if assoc.source in self.boxes and assoc.target in self.boxes:
                if assoc.source in self.artifacts:
                    found.append(Edge(assoc.id, artifact_route(self.boxes[assoc.source], self.boxes[assoc.target])))
                elif assoc.target in self.artifacts:
                    points = artifact_route(self.boxes[assoc.target], self.boxes[assoc.source])
                    found.append(Edge(assoc.id, points[::-1]))
        return found

    def route(self, source: str, target: str) -> list[tuple[int, int]]:
        node, target_node = self.model.nodes[source], self.model.nodes[target]
        return sequence_route(
            self.boxes[source], self.boxes[target], from_boundary=node.kind == "boundaryEvent",
            from_gateway=node.is_gateway, to_gateway=target_node.is_gateway,
            loop=(self.owner(source), target) in self.loops or self.owner(source) == target,
            self_loop=source == target, row_tops=(self.cell_top[source], self.cell_top[target]))
