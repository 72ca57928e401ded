"""The BPMNDI of a BPMN file, read: planes with their shapes (bounds) and edges (waypoints).

Shared by lint (is every element drawn, do shapes overlap) and layout (the old positions decide the order of
a gateway's branches, since SpiffWorkflow orders outgoing flows by their target's y).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DD_DI_NS = "http://www.omg.org/spec/DD/20100524/DI"


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def overlaps(self, other: Box, tolerance: float = 0.5) -> bool:
        return (min(self.right, other.right) - max(self.x, other.x) > tolerance
                and min(self.bottom, other.bottom) - max(self.y, other.y) > tolerance)

    def contains(self, other: Box, tolerance: float = 1.0) -> bool:
        return (other.x >= self.x - tolerance and other.y >= self.y - tolerance
                and other.right <= self.right + tolerance and other.bottom <= self.bottom + tolerance)

    def contains_point(self, x: float, y: float, tolerance: float = 1.0) -> bool:
        return self.x - tolerance <= x <= self.right + tolerance and self.y - tolerance <= y <= self.bottom + tolerance


@dataclass
class ShapeInfo:
    element: str
    box: Box | None
    el: etree._Element
    expanded: bool | None


@dataclass
class EdgeInfo:
    element: str
    points: list[tuple[float, float]]
    el: etree._Element


@dataclass
class PlaneInfo:
    element: str | None
    el: etree._Element
    shapes: dict[str, ShapeInfo] = field(default_factory=dict)
    edges: dict[str, EdgeInfo] = field(default_factory=dict)


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _box(bounds) -> Box | None:
    if bounds is None:
        return None
    values = [_number(bounds.get(k)) for k in ("x", "y", "width", "height")]
    return None if None in values else Box(*values)


def read_planes(root: etree._Element) -> list[PlaneInfo]:
    planes = []
    for plane_el in root.iter(f"{{{DI_NS}}}BPMNPlane"):
        plane = PlaneInfo(plane_el.get("bpmnElement"), plane_el)
        for shape in plane_el.iter(f"{{{DI_NS}}}BPMNShape"):
            element = shape.get("bpmnElement")
            if element and element not in plane.shapes:
                expanded = shape.get("isExpanded")
                plane.shapes[element] = ShapeInfo(element, _box(shape.find(f"{{{DC_NS}}}Bounds")), shape,
                                                  None if expanded is None else expanded == "true")
        for edge in plane_el.iter(f"{{{DI_NS}}}BPMNEdge"):
            element = edge.get("bpmnElement")
            points = [(_number(p.get("x")), _number(p.get("y"))) for p in edge.iter(f"{{{DD_DI_NS}}}waypoint")]
            if element and element not in plane.edges:
                plane.edges[element] = EdgeInfo(element, [p for p in points if None not in p], edge)
        planes.append(plane)
    return planes


def old_positions(root: etree._Element) -> dict[str, Box]:
    """The first shape's bounds of every element, over all planes."""
    found: dict[str, Box] = {}
    for plane in read_planes(root):
        for element, shape in plane.shapes.items():
            if shape.box is not None:
                found.setdefault(element, shape.box)
    return found
