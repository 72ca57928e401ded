"""What a layout is made of, before it is written as BPMNDI: shapes, edges, planes; the standard sizes
(bpmn-js's: tasks 100x80, events 36x36, gateways 50x50) and the grid the layout places them on."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from engine.authoring.diagram import Box
from engine.authoring.model import Node

TASK_W, TASK_H = 100, 80
EVENT = 36
GATEWAY = 50
DATA_OBJECT = (36, 50)
DATA_STORE = (50, 50)
ANNOTATION = (100, 30)
GAP_X = 60
ROW_H = 140
ART_H = 90
POOL_HEADER = 30
LANE_HEADER = 30
POOL_GAP = 40
BLACK_BOX_H = 100
ORIGIN_X, ORIGIN_Y = 120, 60
PLANE_X, PLANE_Y = 150, 80
LABEL_W, LINE_H, CHAR_W = 90, 14, 6


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


@dataclass
class NewCollaboration:
    """A collaboration the file lacks (a process with lanes needs a pool): one participant per process."""

    id: str
    participants: list[tuple[str, str, str]]  # (participant id, name, process id)


@dataclass
class Layout:
    planes: list[Plane]
    collaboration: NewCollaboration | None = None
    notes: list[str] = field(default_factory=list)


def size_of(node: Node, boundaries: int = 0) -> tuple[int, int]:
    if node.is_event:
        return EVENT, EVENT
    if node.is_gateway:
        return GATEWAY, GATEWAY
    if boundaries > 2:
        return int(math.ceil((38 * (boundaries - 1) + 40) / 10) * 10), TASK_H
    return TASK_W, TASK_H


def text_box(text: str, cx: float, top: float, width: int = LABEL_W) -> Box:
    """A label's bounds: centred on cx, starting at top, wrapped at `width`."""
    length = max(len(text), 1) * CHAR_W
    w = min(width, max(length, 20))
    lines = max(1, math.ceil(length / width))
    return Box(int(round(cx - w / 2)), int(round(top)), w, LINE_H * lines)
