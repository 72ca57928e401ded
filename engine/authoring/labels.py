"""External labels (of events, gateways, data objects and flows): their size, measured the way bpmn-js lays out
their text, and their place, chosen among a few spots next to what they name so that they overlap no shape,
no edge, no other label and no lane border, and stay inside their pool.

bpmn-js draws an external label in 11 px Arial, wrapping it at the width of its DI bounds and starting at their
top; a word wider than the bounds is cut in the middle ("Reache" / "d"). So a label's bounds are sized from its
text (Arial's advance widths) and bpmn-js's wrapping is replayed to check that no word gets cut.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from engine.authoring.diagram import Box
from engine.authoring.planes import Plane

FONT_PX = 11  # external labels; the names inside tasks are 12 px
LINE_PX = FONT_PX * 1.2  # bpmn-js: line height 1.2 em
PAD = 4  # room left and right of the widest line, for kerning and rounding
SHAPE_LABEL_W = 100  # events, gateways, data objects: wrap at about this width
FLOW_LABEL_W = 130  # a flow label is at most this wide, and no wider than its segment
GAP = 5  # between a label and what it names
CLEAR = 2  # around a label, free of lines and other labels

# Arial's (and Liberation Sans's) advance widths in 1/1000 em
_ADVANCE = {
    " ": 278, "!": 278, '"': 355, "#": 556, "$": 556, "%": 889, "&": 667, "'": 191, "(": 333, ")": 333, "*": 389,
    "+": 584, ",": 278, "-": 333, ".": 278, "/": 278, ":": 278, ";": 278, "<": 584, "=": 584, ">": 584, "?": 556,
    "@": 1015, "[": 278, "\\": 278, "]": 278, "^": 469, "_": 556, "`": 333, "{": 334, "|": 260, "}": 334, "~": 584,
    **dict.fromkeys("0123456789", 556),
    "A": 667, "B": 667, "C": 722, "D": 722, "E": 667, "F": 611, "G": 778, "H": 722, "I": 278, "J": 500, "K": 667,
    "L": 556, "M": 833, "N": 722, "O": 778, "P": 667, "Q": 778, "R": 722, "S": 667, "T": 611, "U": 722, "V": 667,
    "W": 944, "X": 667, "Y": 667, "Z": 611,
    "a": 556, "b": 556, "c": 500, "d": 556, "e": 556, "f": 278, "g": 556, "h": 556, "i": 222, "j": 222, "k": 500,
    "l": 222, "m": 833, "n": 556, "o": 556, "p": 556, "q": 556, "r": 333, "s": 500, "t": 278, "u": 556, "v": 500,
    "w": 722, "x": 500, "y": 500, "z": 500,
    "\u2013": 556, "\u2014": 1000, "\u2018": 222, "\u2019": 222, "\u201c": 333, "\u201d": 333, "\u00b0": 400,
    "\u2264": 549, "\u2265": 549, "\u00b7": 278, "\u00e9": 556,
}


def text_width(text: str, font_px: float = FONT_PX) -> float:
    """The width of one line of text in Arial (trailing blanks do not count, as in bpmn-js)."""
    return sum(_ADVANCE.get(c, 1000 if ord(c) >= 0x2E80 else 600) for c in text.rstrip()) * font_px / 1000


# ------------------------------------------------------------------------------------- bpmn-js's wrapping
def bpmn_js_lines(text: str, max_width: float, font_px: float = FONT_PX) -> list[str]:
    """The lines bpmn-js (diagram-js's Text.layoutText) makes of `text` in bounds `max_width` wide."""
    lines, out = re.split("\u00ad?\r?\n", text), []
    while lines:
        original = lines.pop(0)
        fit = original
        while fit not in (" ", "") and len(fit) >= 2 and text_width(fit, font_px) > max_width:
            shorter = _shorten(fit, text_width(fit, font_px), max_width)
            fit = shorter if len(shorter) < len(fit) else fit[:-1]
        if len(fit) < len(original):
            lines.insert(0, original[len(fit):].strip())
        out.append(fit)
    return out


def _shorten(line: str, width: float, max_width: float) -> str:
    length = max(len(line) * (max_width / width), 1)
    kept: list[str] = []
    parts = re.split("(\\s|-|\u00ad)", line)
    if len(parts) > 1:
        used = 0
        for part in parts:
            if not part:
                break
            if len(part) + used < length:
                kept.append(part)
                used += len(part)
            else:
                if part in ("-", "\u00ad") and kept:
                    kept.pop()
                break
    if kept and kept[-1] == "\u00ad":
        kept[-1] = "-"
    return "".join(kept) or line[:max(math.floor(length - 1 + 0.5), 1)]


# ------------------------------------------------------------------------------------------------ size
def _greedy(words: list[str], width: float) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and text_width(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def label_size(text: str, max_width: float = SHAPE_LABEL_W) -> tuple[int, int]:
    """Width and height of the bounds of a label: wrapped at about max_width, never narrower than its longest
    word, and wide enough that bpmn-js breaks it only between words."""
    words = text.split()
    if not words:
        return 20, math.ceil(LINE_PX)
    longest = max(text_width(w) for w in words)
    lines = _greedy(words, max(max_width - PAD, longest))
    runs = sorted({text_width(" ".join(words[i:j])) for i in range(len(words)) for j in range(i + 1, len(words) + 1)})
    for run in runs:  # balanced: the narrowest wrap with no more lines ("Not reached," / "attempts left")
        if run >= longest and len(_greedy(words, run)) == len(lines):
            lines = _greedy(words, run)
            break
    width = math.ceil(max(text_width(line) for line in lines) + PAD)
    while " ".join(bpmn_js_lines(text, width)).split() != words:
        width += 2
    return width, math.ceil(len(bpmn_js_lines(text, width)) * LINE_PX)


# ------------------------------------------------------------------------------------------- placement
@dataclass
class LabelRequest:
    """A label to place: what it names (a shape's or an edge's element), its text, and where it prefers to go:
    "below" (events, data objects), "gateway", "boundary-right", "boundary-left", "boundary-below", "flow"."""

    element: str
    text: str
    spot: str


def _segment_box(a: tuple[float, float], b: tuple[float, float]) -> Box:
    return Box(min(a[0], b[0]), min(a[1], b[1]), abs(a[0] - b[0]), abs(a[1] - b[1]))


def _crosses(label: Box, line: Box, clear: float = CLEAR) -> bool:
    """Whether a label (with `clear` around it) touches a horizontal or vertical line."""
    return (line.x <= label.right + clear and label.x - clear <= line.right
            and line.y <= label.bottom + clear and label.y - clear <= line.bottom)


def shape_candidates(spot: str, box: Box, text: str) -> list[Box]:
    """Spots around a shape, best first."""
    w, h = label_size(text)
    below = Box(round(box.cx - w / 2), box.bottom + GAP, w, h)
    above = Box(round(box.cx - w / 2), box.y - GAP - h, w, h)
    if spot == "gateway":  # above (the question over its diamond), else beside its top or bottom corner
        return [above, Box(round(box.cx - 6 - w), box.y - GAP - h, w, h), Box(round(box.cx + 6), box.y - GAP - h, w, h),
                Box(round(box.cx - 6 - w), box.bottom + GAP, w, h), Box(round(box.cx + 6), box.bottom + GAP, w, h),
                below]
    if spot.startswith("boundary"):  # its flow leaves from its bottom: beside it, under the task's border;
        # wrapped at 80 px, else as narrow as it goes, else on one line (over a flow running under the task)
        found = []
        for w, h in dict.fromkeys([label_size(text, 80), label_size(text, 0), label_size(text, 1000)]):
            right = Box(box.right + 2, box.bottom - 4, w, h)
            left = Box(box.x - 2 - w, box.bottom - 4, w, h)
            low_right, low_left = Box(box.cx + 6, box.bottom + GAP, w, h), Box(box.cx - 6 - w, box.bottom + GAP, w, h)
            if spot == "boundary-left":
                found += [left, right, low_left, low_right]
            elif spot == "boundary-below":
                found += [low_right, low_left, right, left]
            else:
                found += [right, left, low_right, low_left]
        return found
    return [below, above, Box(box.right + 2, box.bottom + 2, w, h), Box(box.x - 2 - w, box.bottom + 2, w, h)]


def flow_candidates(points: list[tuple[int, int]], shared: list[bool], text: str) -> list[Box]:
    """Spots beside a flow's segments, best first: beside its first horizontal segment of its own (not drawn
    on top of a sibling flow's: a gateway's branches share the way down from it), near the start of it, above
    the line, then below it; then near the end of it; then beside its vertical segments (right, then left),
    and at last beside the shared ones."""
    horizontal = [points[i][1] == points[i + 1][1] for i in range(len(points) - 1)]
    order = sorted(range(len(points) - 1), key=lambda i: (shared[i], not horizontal[i], i))
    found = []
    for i in order:
        (x0, y0), (x1, y1) = points[i], points[i + 1]
        if (x0, y0) == (x1, y1):
            continue
        if y0 == y1:
            w, h = label_size(text, max(40, min(FLOW_LABEL_W, abs(x1 - x0) - 2 * (GAP + 1))))
            step = 1 if x1 > x0 else -1
            near = x0 + GAP + 1 if step > 0 else x0 - GAP - 1 - w
            far = x1 - GAP - 1 - w if step > 0 else x1 + GAP + 1
            for x in (near, far):
                found += [Box(x, y0 - GAP + 1 - h, w, h), Box(x, y0 + GAP - 1, w, h)]
        else:
            w, h = label_size(text, FLOW_LABEL_W)
            near = y0 + GAP + 1 if y1 > y0 else y0 - GAP - 1 - h
            far = y1 - GAP - 1 - h if y1 > y0 else y1 + GAP + 1
            for y in (near, far):
                found += [Box(x0 + GAP, y, w, h), Box(x0 - GAP - w, y, w, h)]
    return found


def shared_segments(edges: dict[str, list[tuple[int, int]]]) -> dict[str, list[bool]]:
    """For every segment of every edge: whether it lies along a segment of another edge."""
    runs: dict[tuple[str, int], list[tuple[int, int, str]]] = {}
    for element, points in edges.items():
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            if y0 == y1 and x0 != x1:
                runs.setdefault(("h", y0), []).append((min(x0, x1), max(x0, x1), element))
            elif x0 == x1 and y0 != y1:
                runs.setdefault(("v", x0), []).append((min(y0, y1), max(y0, y1), element))
    found = {}
    for element, points in edges.items():
        flags = []
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            key, lo, hi = (("h", y0), min(x0, x1), max(x0, x1)) if y0 == y1 else (("v", x0), min(y0, y1), max(y0, y1))
            flags.append(any(other != element and min(hi, b) - max(lo, a) > 2 for a, b, other in runs.get(key, ())))
        found[element] = flags
    return found


class LabelPlacer:
    """Places labels one by one, each at its best spot that is free: obstacles are the shapes, the edges, the
    lane borders and the labels placed before; a label also stays inside its frame (its pool, right of the lane
    headers)."""

    def __init__(self, shapes: list[Box], edges: dict[str, list[tuple[int, int]]], borders: list[Box] = ()):
        self.shapes = list(shapes)
        self.lines = [_segment_box(a, b) for points in edges.values() for a, b in zip(points, points[1:])]
        self.lines += list(borders)
        self.labels: list[Box] = []

    def hits(self, label: Box, frame: Box | None) -> int:
        grown = Box(label.x - CLEAR, label.y - CLEAR, label.w + 2 * CLEAR, label.h + 2 * CLEAR)
        count = sum(grown.overlaps(s) for s in self.shapes) + sum(grown.overlaps(o) for o in self.labels)
        count += sum(_crosses(label, line) for line in self.lines)
        if frame is not None and not frame.contains(label, 0):
            count += 10
        return count

    def place(self, candidates: list[Box], frame: Box | None = None) -> Box:
        best = min(enumerate(candidates), key=lambda c: (self.hits(c[1], frame), c[0]))[1]
        best = Box(int(best.x), int(best.y), int(best.w), int(best.h))
        self.labels.append(best)
        return best


def place_labels(plane: Plane, requests: list[LabelRequest], frames: dict[str, Box] | None = None,
                 borders: list[Box] = (), containers: set[str] = frozenset()) -> None:
    """Give the plane's shapes and edges their labels, in the order of the requests. frames: the box each
    element's label must stay in (by element); containers: shapes that are no obstacle (pools and lanes)."""
    frames = frames or {}
    shapes = {s.element: s for s in plane.shapes}
    points = {e.element: e.points for e in plane.edges}
    edges = {e.element: e for e in plane.edges}
    shared = shared_segments(points)
    placer = LabelPlacer([s.box for s in plane.shapes if s.element not in containers], points, borders)
    for request in requests:
        if request.spot == "flow":
            if request.element in edges:
                candidates = flow_candidates(points[request.element], shared[request.element], request.text)
                edges[request.element].label = placer.place(candidates, frames.get(request.element))
        elif request.element in shapes:
            shape = shapes[request.element]
            candidates = shape_candidates(request.spot, shape.box, request.text)
            shape.label = placer.place(candidates, frames.get(request.element))
