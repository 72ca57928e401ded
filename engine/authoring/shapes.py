"""What a layout is made of, before it is written as BPMNDI: shapes, edges, planes; the standard sizes
(bpmn-js's: tasks 100x80, events 36x36, gateways 50x50) and the grid the layout places them on."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from engine.authoring.labels import bpmn_js_lines
from engine.authoring.model import Node
from engine.authoring.planes import Plane

TASK_W, TASK_H = 100, 80
WIDE_TASKS = (120, 140)  # for names that take more than two lines in a standard task
EVENT = 36
GATEWAY = 50
DATA_OBJECT = (36, 50)
DATA_STORE = (50, 50)
ANNOTATION = (100, 30)
GAP_X = 60
ROW_H = 140
LOOP_ROOM = 28  # above a row that a loop goes back over
CHANNEL_ROOM = 24  # below a row that a boundary event's flow runs under
ART_H = 90  # room for a line of data objects or annotations above their partner's row
ARTIFACT_GAP = 14  # between artifacts side by side
ARTIFACT_ASIDE = 24  # artifacts above a node whose top a loop uses: this far right of its middle
ARTIFACT_PAIR = 6  # a data object's input and output links to one task: this far either side of its middle
POOL_HEADER = 30
LANE_HEADER = 30
POOL_GAP = 40
BLACK_BOX_H = 100
ORIGIN_X, ORIGIN_Y = 120, 60
PLANE_X, PLANE_Y = 150, 80


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
    width = TASK_W
    if boundaries > 2:
        width = int(math.ceil((38 * (boundaries - 1) + 40) / 10) * 10)
    return max(width, task_width(node.name)), TASK_H


def task_width(name: str) -> int:
    """A task is wider than the standard 100 when its name would take more than two lines in it: bpmn-js writes
    a task's name in 12 px Arial, 7 px in from its sides, and a third line starts under its type icon."""
    for width in (TASK_W, *WIDE_TASKS):
        if len(bpmn_js_lines(name or "", width - 14, 12)) <= 2:
            return width
    return WIDE_TASKS[-1]
