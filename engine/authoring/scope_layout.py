"""Columns and rows of one scope (a process or a sub-process): the layers of its flow nodes, the lane band and
row of each, where its boundary events and artifacts go; then, once the band tops are known, every box.

A flow that skips columns keeps its row free in the columns it crosses, a node's branches keep SpiffWorkflow's
order top to bottom, a row that a loop goes back over gets room above it and a row with boundary events room
below it (for their labels, and for their flows back up), so that no flow runs along a lane border.
"""
from __future__ import annotations

from engine.authoring import graph
from engine.authoring.diagram import Box
from engine.authoring.labels import LabelRequest
from engine.authoring.model import BpmnModel, Flow, Node
from engine.authoring.planes import Edge, Shape
from engine.authoring.routing import artifact_route, sequence_route
from engine.authoring.shapes import (
    ANNOTATION,
    ART_H,
    ARTIFACT_ASIDE,
    ARTIFACT_GAP,
    ARTIFACT_PAIR,
    CHANNEL_ROOM,
    DATA_OBJECT,
    DATA_STORE,
    EVENT,
    GAP_X,
    LOOP_ROOM,
    ROW_H,
    TASK_W,
    size_of,
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
        self._targets: dict[str, list[str]] = {}
        self.loops = graph.back_edges(self.nodes, self.edges)
        self.layer = graph.layers(self.nodes, self.edges)
        self.band = {n: self._band_of(n) for n in self.nodes}
        self.sizes = {n: size_of(model.nodes[n], len(self._boundaries(n))) for n in self.nodes}
        self.row: dict[str, int] = {}
        self._assign_rows()
        self.artifacts = [a for a in [*self.scope.artifacts, *extra_artifacts] if a in model.artifacts]
        self.artifact_cell: dict[str, tuple[int, int, int]] = {}  # artifact -> (band, row, layer) of its partner
        self.artifact_lines: dict[tuple[int, int, int], list[list[str]]] = {}
        self.artifact_partner: dict[str, str | None] = {}
        self._place_artifacts()
        self.layers = max([*self.layer.values(), *(c[2] for c in self.artifact_cell.values())], default=-1) + 1
        self.col_w = [TASK_W + GAP_X] * self.layers
        for n in self.nodes:
            self.col_w[self.layer[n]] = max(self.col_w[self.layer[n]], self.sizes[n][0] + GAP_X)
        self.band_rows = [1] * len(bands)
        for n in self.nodes:
            self.band_rows[self.band[n]] = max(self.band_rows[self.band[n]], self.row[n] + 1)
        self.art_rows: dict[tuple[int, int], int] = {}  # (band, row) -> artifact lines above that row
        for (band, row, _), lines in self.artifact_lines.items():
            self.art_rows[(band, row)] = max(self.art_rows.get((band, row), 0), len(lines))
        self.head: set[tuple[int, int]] = set()  # rows a loop goes back over: room above them
        self.foot: set[tuple[int, int]] = set()  # rows a boundary event's flow runs under: room below them
        self._make_room_for_channels()
        self.boxes: dict[str, Box] = {}
        self.row_top: dict[tuple[int, int], int] = {}

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
        return [v for source in [node_id, *self._boundaries(node_id)] for v in self.targets_of(source)]

    def _assign_rows(self) -> None:
        """Rows, layer by layer: a node goes in the row of its first predecessor in its band, or the first free
        one under it. A flow that skips layers keeps the row it runs along free in the layers it crosses (the
        source's row, or the target's for a gateway's branch or a boundary event's flow), and a gateway's
        branches keep their top-to-bottom order."""
        preds: dict[str, list[tuple[str, int]]] = {n: [] for n in self.nodes}
        along_target: dict[str, list[str]] = {n: [] for n in self.nodes}  # flows drawn along their target's row
        branches: dict[str, list[tuple[str, int]]] = {n: [] for n in self.nodes}  # (flow source, its index)
        for u in self.nodes:
            direct = {f.target for f in self.flows if f.source == u}
            for i, v in enumerate(self.ordered_targets(u)):
                if (u, v) not in self.loops and u != v:
                    preds[v].append((u, i))
                    if self.model.nodes[u].is_gateway or v not in direct:
                        along_target[v].append(u)
            for source in [u, *self._boundaries(u)]:
                for j, v in enumerate(self.targets_of(source)):
                    if (u, v) not in self.loops and u != v:
                        branches[v].append((source, j))
        used: dict[tuple[int, int], set[int]] = {}
        for layer in range(max(self.layer.values(), default=-1) + 1):
            def key(n, layer=layer):
                same = sorted((self.row[u], i) for u, i in preds[n] if u in self.row and self.band[u] == self.band[n])
                return (self.band[n], same[0] if same else (0, 0), self.index[n])
            for n in sorted((n for n in self.nodes if self.layer[n] == layer), key=key):
                band = self.band[n]
                first = key(n)[1][0]
                for source, j in branches[n]:  # under the branches of the same node that come before it
                    first = max([first, *(r + 1 for r in self._earlier_siblings(source, j, band))])
                cell = used.setdefault((band, layer), set())
                row = first
                while row in cell or self._crosses_a_node(n, row, along_target[n], used):
                    row += 1
                if any(r <= row for source, j in branches[n] for r in self._later_siblings(source, j, band)):
                    row = first  # a free way along its row would change the order of the branches: not that
                    while row in cell:
                        row += 1
                cell.add(row)
                self.row[n] = row
                if not self.model.nodes[n].is_gateway:
                    for f in self.flows:
                        if f.source == n and (n, f.target) not in self.loops and f.target != n:
                            for c in range(layer + 1, self.layer[f.target]):
                                used.setdefault((band, c), set()).add(row)

    def _crosses_a_node(self, node_id: str, row: int, sources: list[str],
                        used: dict[tuple[int, int], set[int]]) -> bool:
        """Whether a flow drawn along the target's row, from one of sources to node_id in that row, would cross a
        row taken in a layer between them. A boundary event's flow runs along its target's row only when that
        is below its task's (else it runs under its task's row)."""
        band = self.band[node_id]
        for u in sources:
            if not self.model.nodes[u].is_gateway and (band, row) <= (self.band[u], self.row[u]):
                continue
            if any(row in used.get((band, c), ()) for c in range(self.layer[u] + 1, self.layer[node_id])):
                return True
        return False

    def targets_of(self, source: str) -> list[str]:
        """The targets of a node's flows, in SpiffWorkflow's order (old y, then document order)."""
        if source not in self._targets:
            flows = sorted((f for f in self.flows if f.source == source),
                           key=lambda f: self.old[f.target].y if f.target in self.old else 0.0)
            self._targets[source] = [f.target for f in flows]
        return self._targets[source]

    def _siblings(self, source: str, band: int) -> list[str]:
        owner = self.owner(source)
        return [v for v in self.targets_of(source) if self.band[v] == band and (owner, v) not in self.loops
                and v != owner]

    def _earlier_siblings(self, source: str, index: int, band: int) -> list[int]:
        """The rows in band of the targets that SpiffWorkflow takes before the index-th one of a node's flows:
        where they are, or for those not placed yet (further right), the highest row they can take (each under
        the one before)."""
        owner, targets = self.owner(source), self.targets_of(source)
        rows: list[int] = []
        for v in self._siblings(source, band):
            if targets.index(v) >= index:
                break
            lowest = rows[-1] + 1 if rows else self.row[owner] if self.band[owner] == band else 0
            rows.append(self.row[v] if v in self.row else lowest)
        return rows

    def _later_siblings(self, source: str, index: int, band: int) -> list[int]:
        """The rows in band of the targets, placed already, that SpiffWorkflow takes after the index-th one."""
        return [self.row[v] for v in self._siblings(source, band)
                if self.targets_of(source).index(v) > index and v in self.row]

    def cell_of(self, node_id: str) -> tuple[int, int]:
        """(band, row) of a node; a boundary event's is its task's."""
        owner = self.owner(node_id)
        return self.band[owner], self.row[owner]

    def _channel_rows(self, flow: Flow) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        """The row a flow goes back over (a loop), and the row a boundary event's flow runs under (when its
        target is not below): None when it does neither."""
        owner = self.owner(flow.source)
        here, there = self.cell_of(flow.source), self.cell_of(flow.target)
        loop = (owner, flow.target) in self.loops or owner == flow.target
        if self.model.nodes[flow.source].kind == "boundaryEvent":
            if loop:
                return None, max(here, there)
            return None, (here if there <= here else None)
        return (min(here, there) if loop else None), None

    def _make_room_for_channels(self) -> None:
        """A loop's way back runs above its row and a boundary event's flow under its task's row: those rows
        get room for it, so that it does not run along a lane border. A row with boundary events also gets room
        below for their labels."""
        self.foot.update(self.cell_of(b) for b in self.boundary)
        for flow in self.flows:
            over, under = self._channel_rows(flow)
            if over is not None:
                self.head.add(over)
            if under is not None:
                self.foot.add(under)

    def row_height(self, band: int, row: int) -> int:
        return ROW_H + LOOP_ROOM * ((band, row) in self.head) + CHANNEL_ROOM * ((band, row) in self.foot)

    def _place_artifacts(self) -> None:
        """Data objects and annotations go right above their partner (the first node they are linked to), in
        room of their own above its row, so that no flow runs through them and their link to it is short: side
        by side when several share a partner, in more lines when they do not fit its column."""
        links = [*self.model.associations.values()]
        for artifact in self.artifacts:
            partner = next((self.owner(other) for f in links for end, other in ((f.source, f.target),
                                                                                (f.target, f.source))
                            if end == artifact and self.owner(other) in self.nodes), None)
            self.artifact_partner[artifact] = partner
            cell = (self.band[partner], self.row[partner], self.layer[partner]) if partner else (0, 0, 0)
            self.artifact_cell[artifact] = cell
            lines = self.artifact_lines.setdefault(cell, [[]])
            if lines[-1] and self._line_width([*lines[-1], artifact]) > TASK_W + GAP_X - ARTIFACT_GAP:
                lines.append([])
            lines[-1].append(artifact)

    def _artifact_size(self, artifact: str) -> tuple[int, int]:
        kind = self.model.artifacts[artifact].kind
        return {"dataObjectReference": DATA_OBJECT, "dataStoreReference": DATA_STORE}.get(kind, ANNOTATION)

    def _line_width(self, line: list[str]) -> int:
        return sum(self._artifact_size(a)[0] for a in line) + ARTIFACT_GAP * (len(line) - 1)

    # ------------------------------------------------------------------ geometry
    @property
    def width(self) -> int:
        return sum(self.col_w)

    def band_heights(self) -> list[int]:
        return [sum(self.row_height(band, r) + self.art_rows.get((band, r), 0) * ART_H for r in range(rows))
                for band, rows in enumerate(self.band_rows)]

    def place(self, left: int, band_tops: list[int]) -> None:
        col_x = [left]
        for w in self.col_w:
            col_x.append(col_x[-1] + w)
        for band, rows in enumerate(self.band_rows):
            top = band_tops[band]
            for r in range(rows):
                top += self.art_rows.get((band, r), 0) * ART_H
                self.row_top[(band, r)] = top
                top += self.row_height(band, r)
        for n in self.nodes:
            w, h = self.sizes[n]
            cell = self.cell_of(n)
            top = self.row_top[cell] + LOOP_ROOM * (cell in self.head)
            layer = self.layer[n]
            self.boxes[n] = Box(col_x[layer] + (self.col_w[layer] - w) // 2, top + (ROW_H - h) // 2, w, h)
        for task in self.nodes:
            events = self._boundaries(task)
            box = self.boxes[task]
            for i, b in enumerate(events):
                cx = box.cx if len(events) == 1 else box.x + 20 + i * (box.w - 40) / (len(events) - 1)
                self.boxes[b] = Box(int(round(cx - EVENT / 2)), int(box.bottom - EVENT / 2), EVENT, EVENT)
        loop_tops = {f.target for f in self.flows if (self.owner(f.source), f.target) in self.loops}
        loop_tops |= {f.source for f in self.flows if (self.owner(f.source), f.target) in self.loops}
        for (band, row, layer), lines in self.artifact_lines.items():
            room = self.row_top[(band, row)] - self.art_rows[(band, row)] * ART_H
            partner = self.artifact_partner[lines[0][0]]
            aside = ARTIFACT_ASIDE if partner in loop_tops else 0  # a loop leaves or enters its top in the middle
            for i, line in enumerate(lines):
                x = col_x[layer] + (self.col_w[layer] - self._line_width(line)) // 2 + aside
                top = room + i * ART_H
                for artifact in line:
                    w, h = self._artifact_size(artifact)
                    self.boxes[artifact] = Box(x, top + (ART_H - h) // 2, w, h)
                    x += w + ARTIFACT_GAP

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
            found.append(shape)
        found += [Shape(artifact, self.boxes[artifact]) for artifact in self.artifacts]
        return found

    def label_requests(self) -> list[LabelRequest]:
        """The labels of this scope's events, gateways, data objects and flows, in the order they are placed:
        shapes first (their spots are few), then flows."""
        found = []
        for n in self.scope.nodes:
            node = self.model.nodes[n]
            if n not in self.boxes or not node.name:
                continue
            if node.kind == "boundaryEvent":
                found.append(LabelRequest(n, node.name, self.boundary_spot(node)))
            elif node.is_event:
                found.append(LabelRequest(n, node.name, "below"))
            elif node.is_gateway:
                found.append(LabelRequest(n, node.name, "gateway"))
        for artifact in self.artifacts:
            el = self.model.artifacts[artifact].el
            if self.model.artifacts[artifact].kind != "textAnnotation" and el.get("name"):
                found.append(LabelRequest(artifact, el.get("name"), "below"))
        found += [LabelRequest(flow.id, flow.name, "flow") for flow in self.flows if flow.name]
        return found

    def boundary_spot(self, node: Node) -> str:
        """Beside the event, away from its siblings: right of a single or last one, left of a first one."""
        siblings = self._boundaries(node.attached_to)
        if len(siblings) > 2:
            return "boundary-below"
        if len(siblings) == 2 and siblings.index(node.id) == 0:
            return "boundary-left"
        return "boundary-right"

    def edges_(self) -> list[Edge]:
        found = [Edge(flow.id, self.route(flow)) for flow in self.flows]
        links = [a for a in self.model.associations.values() if a.source in self.boxes and a.target in self.boxes]
        both_ways = {(a.source, a.target) for a in links} & {(a.target, a.source) for a in links}
        for assoc in links:
            if assoc.source in self.artifacts:
                artifact, node, shift = assoc.source, assoc.target, -ARTIFACT_PAIR
            elif assoc.target in self.artifacts:
                artifact, node, shift = assoc.target, assoc.source, ARTIFACT_PAIR
            else:
                continue
            # a data object read and written by the same task: the two links side by side, not on top of each other
            shift = shift if (assoc.source, assoc.target) in both_ways else 0
            points = artifact_route(self.boxes[artifact], self.boxes[node], shift,
                                    partner=node == self.artifact_partner.get(artifact))
            found.append(Edge(assoc.id, points if assoc.source == artifact else points[::-1]))
        return found

    def route(self, flow: Flow) -> list[tuple[int, int]]:
        source, target = flow.source, flow.target
        node, target_node = self.model.nodes[source], self.model.nodes[target]
        over, under = self._channel_rows(flow)
        s = self.boxes[source]
        high = self.row_top[over] + LOOP_ROOM // 2 if over is not None else None
        blocked = high is not None and any(
            b.x < s.cx < b.right and b.y < s.y and b.bottom > high for n, b in self.boxes.items() if n != source)
        return sequence_route(
            s, self.boxes[target], from_boundary=node.kind == "boundaryEvent",
            from_gateway=node.is_gateway, to_gateway=target_node.is_gateway,
            loop=(self.owner(source), target) in self.loops or self.owner(source) == target,
            self_loop=source == target, high=high, side_exit=blocked,
            low=self.row_top[under] + LOOP_ROOM * (under in self.head) + ROW_H + 3 if under is not None else None)
