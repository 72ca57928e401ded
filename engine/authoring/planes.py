"""A diagram plane as a layout writes it: the shapes and edges of one process or collaboration, with their boxes,
waypoints and label boxes."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.authoring.diagram import Box


@dataclass
class Shape:
    element: str
    box: Box
    label: Box | None = None
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Edge:
    element: str
    points: list[tuple[int, int]]
    label: Box | None = None


@dataclass
class Plane:
    element: str
    shapes: list[Shape] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
