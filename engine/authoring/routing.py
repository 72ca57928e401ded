"""Orthogonal edge routes between boxes of a left-to-right layout.

A flow leaves a task on its right and enters on the left; a gateway sends branches out of its top or bottom and
takes joins in the same way; a boundary event's flow leaves from its bottom (and runs under its task's row when
its target is not below); a loop goes back over the top of its rows (under them when it starts at a boundary
event), leaving from the right of its source when another shape is in the way up.
"""
from __future__ import annotations

from engine.authoring.diagram import Box
from engine.authoring.shapes import GAP_X


def sequence_route(s: Box, t: Box, *, from_boundary: bool = False, from_gateway: bool = False,
                   to_gateway: bool = False, loop: bool = False, self_loop: bool = False,
                   high: int | None = None, low: int | None = None,
                   side_exit: bool = False) -> list[tuple[int, int]]:
    """The waypoints of a sequence flow from box s to box t. high: the y a loop goes back along (over the top of
    its rows); low: the y a boundary event's flow runs along under its task's row when its target is not below
    it; side_exit: a loop leaves from the right of s, as the way up from its top is blocked."""
    if from_boundary:
        if loop or t.cx <= s.cx:
            low = low if low is not None else int(s.bottom + 15)
            return ints([(s.cx, s.bottom), (s.cx, low), (t.cx, low), (t.cx, t.bottom)])
        if t.cy > s.bottom + 5:
            return ints([(s.cx, s.bottom), (s.cx, t.cy), (t.x, t.cy)])
        low = low if low is not None else int(s.bottom + 15)
        if to_gateway:
            return ints([(s.cx, s.bottom), (s.cx, low), (t.cx, low), (t.cx, t.bottom)])
        xg = t.x - GAP_X // 2
        return ints([(s.cx, s.bottom), (s.cx, low), (xg, low), (xg, t.cy), (t.x, t.cy)])
    if loop:
        high = high if high is not None else int(min(s.y, t.y) - 20)
        if self_loop:
            return ints([(s.right, s.cy), (s.right + 20, s.cy), (s.right + 20, high), (s.cx, high), (s.cx, s.y)])
        if side_exit:
            return ints([(s.right, s.cy), (s.right + 20, s.cy), (s.right + 20, high), (t.cx, high), (t.cx, t.y)])
        return ints([(s.cx, s.y), (s.cx, high), (t.cx, high), (t.cx, t.y)])
    if abs(s.cy - t.cy) < 1:
        return ints([(s.right, s.cy), (t.x, t.cy)])
    down = t.cy > s.cy
    if from_gateway and t.x > s.right:
        return ints([(s.cx, s.bottom if down else s.y), (s.cx, t.cy), (t.x, t.cy)])
    if to_gateway and t.x > s.right:
        return ints([(s.right, s.cy), (t.cx, s.cy), (t.cx, t.y if down else t.bottom)])
    xm = t.x - (t.x - s.right) / 2 if t.x - s.right < GAP_X * 2 else t.x - GAP_X / 2
    return ints([(s.right, s.cy), (xm, s.cy), (xm, t.cy), (t.x, t.cy)])


def artifact_route(a: Box, n: Box, shift: int = 0, partner: bool = False) -> list[tuple[int, int]]:
    """From an artifact to a node. To its partner, right under it: straight down (`shift` from the artifact's
    middle), with a jog under the artifact when the partner is narrower than where the artifact stands. To
    another node: straight down when the node is in its column, else along the artifact's row and down the
    column gap beside the node."""
    if partner and n.y >= a.bottom:
        x = a.cx + shift
        if n.x + 4 <= x <= n.right - 4:
            return ints([(x, a.bottom), (x, n.y)])
        xn = min(max(x, n.x + 4), n.right - 4)
        return ints([(x, a.bottom), (x, a.bottom + 8), (xn, a.bottom + 8), (xn, n.y)])
    if n.x <= a.cx <= n.right:
        return ints([(a.cx, a.bottom if n.y >= a.bottom else a.y), (a.cx, n.y if n.y >= a.bottom else n.bottom)])
    if n.cx > a.cx:
        gap = n.x - 15
        return ints([(a.right, a.cy), (gap, a.cy), (gap, n.cy), (n.x, n.cy)])
    gap = n.right + 15
    return ints([(a.x, a.cy), (gap, a.cy), (gap, n.cy), (n.right, n.cy)])


def ints(points) -> list[tuple[int, int]]:
    """Whole-number points, repeats dropped, at least two."""
    out: list[tuple[int, int]] = []
    for x, y in points:
        p = (int(round(x)), int(round(y)))
        if not out or out[-1] != p:
            out.append(p)
    if len(out) == 1:
        out.append(out[0])
    return out
