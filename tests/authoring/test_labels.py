"""How `carepath layout` sizes and places labels, and keeps flows clear of shapes and lane borders, so that the
diagrams read cleanly in bpmn-js: no word cut in two, no label over a shape, a line or another label, nothing
clipped at the top of a pool."""
from __future__ import annotations

import math

import pytest
from lxml import etree

from engine.authoring.diagram import DC_NS, DI_NS, Box, read_planes
from engine.authoring.labels import LINE_PX, bpmn_js_lines, label_size, text_width
from engine.authoring.model import read_model
from engine.authoring.rewrite import lay_out
from engine.authoring.shapes import task_width

from .conftest import BPMN_FIXTURES

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
"""

# a parallel split over two lanes, an exclusive choice, a flow that skips columns, a join at the top of the pool
SCREENING = (HEAD + """  <bpmn:process id="p" name="Mood screening" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="cm" name="care_manager"><bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>phq9</bpmn:flowNodeRef><bpmn:flowNodeRef>item9</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>gad7</bpmn:flowNodeRef><bpmn:flowNodeRef>score</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>band</bpmn:flowNodeRef><bpmn:flowNodeRef>severe</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="doc" name="physician"><bpmn:flowNodeRef>safety</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>review</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Mood screening due" />
    <bpmn:userTask id="phq9" name="PHQ-9 depression screen" />
    <bpmn:inclusiveGateway id="item9" name="PHQ-9 item 9 above 0?" />
    <bpmn:userTask id="gad7" name="GAD-7 anxiety screen" />
    <bpmn:scriptTask id="score" name="Add up the scores"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:businessRuleTask id="band" name="Severity" />
    <bpmn:exclusiveGateway id="severe" name="Severe symptoms?" default="f_no" />
    <bpmn:userTask id="safety" name="Safety assessment (PHQ-9 item 9)" />
    <bpmn:userTask id="review" name="Severe symptoms review" />
    <bpmn:inclusiveGateway id="done" name="All parts of the assessment done" />
    <bpmn:endEvent id="end" name="Mood screened" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="phq9" />
    <bpmn:sequenceFlow id="f2" sourceRef="phq9" targetRef="item9" />
    <bpmn:sequenceFlow id="f_mood" name="Mood" sourceRef="item9" targetRef="gad7" />
    <bpmn:sequenceFlow id="f_safety" name="Item 9 above 0: urgent safety assessment" sourceRef="item9"
        targetRef="safety"><bpmn:conditionExpression>phq9_9 &gt; 0</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="gad7" targetRef="score" />
    <bpmn:sequenceFlow id="f4" sourceRef="score" targetRef="band" />
    <bpmn:sequenceFlow id="f5" sourceRef="band" targetRef="severe" />
    <bpmn:sequenceFlow id="f_no" name="Reached" sourceRef="severe" targetRef="done" />
    <bpmn:sequenceFlow id="f_yes" name="PHQ-9 20+ or GAD-7 15+" sourceRef="severe" targetRef="review">
      <bpmn:conditionExpression>severe</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f6" sourceRef="safety" targetRef="done" />
    <bpmn:sequenceFlow id="f7" sourceRef="review" targetRef="done" />
    <bpmn:sequenceFlow id="f8" sourceRef="done" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
""").encode()

# timers on a task: one leads down to another lane, one back up to a join at the top
DEADLINES = (HEAD + """  <bpmn:process id="p" name="Visits" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="nurse" name="nurse"><bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>over</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="doc" name="physician"><bpmn:flowNodeRef>visit</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>late</bpmn:flowNodeRef><bpmn:flowNodeRef>deadline</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>record</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="lead" name="nurse_lead"><bpmn:flowNodeRef>missed</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Hospital discharge" />
    <bpmn:userTask id="visit" name="Face-to-face visit" />
    <bpmn:boundaryEvent id="late" name="30-day period ended" attachedToRef="visit">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P30D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="deadline" name="Visit deadline passed" cancelActivity="false" attachedToRef="visit">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P14D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="missed" name="Missed visit: follow up" />
    <bpmn:scriptTask id="record" name="Record the visit"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="over" name="Period over" />
    <bpmn:endEvent id="end" name="Done" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="visit" />
    <bpmn:sequenceFlow id="f2" sourceRef="visit" targetRef="record" />
    <bpmn:sequenceFlow id="f3" sourceRef="record" targetRef="over" />
    <bpmn:sequenceFlow id="f_late" sourceRef="late" targetRef="over" />
    <bpmn:sequenceFlow id="f_missed" sourceRef="deadline" targetRef="missed" />
    <bpmn:sequenceFlow id="f4" sourceRef="over" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
""").encode()

# a loop back from a branch drawn under another task of the same column
REDRAFT = (HEAD + """  <bpmn:process id="p" name="Planning" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="cm" name="care_manager"><bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>again</bpmn:flowNodeRef><bpmn:flowNodeRef>draft</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>agrees</bpmn:flowNodeRef><bpmn:flowNodeRef>record</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>changes</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Care plan needed" />
    <bpmn:exclusiveGateway id="again" name="Draft the plan" />
    <bpmn:userTask id="draft" name="Draft the care plan" />
    <bpmn:exclusiveGateway id="agrees" name="Patient agrees to the plan?" default="f_yes" />
    <bpmn:scriptTask id="record" name="Record the agreement"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="changes" name="Note the changes"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end" name="Care plan agreed" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="again" />
    <bpmn:sequenceFlow id="f2" sourceRef="again" targetRef="draft" />
    <bpmn:sequenceFlow id="f3" sourceRef="draft" targetRef="agrees" />
    <bpmn:sequenceFlow id="f_yes" name="Agrees" sourceRef="agrees" targetRef="record" />
    <bpmn:sequenceFlow id="f_no" name="Asks for changes" sourceRef="agrees" targetRef="changes">
      <bpmn:conditionExpression>not agreed</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_back" name="Back to drafting" sourceRef="changes" targetRef="again" />
    <bpmn:sequenceFlow id="f4" sourceRef="record" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
""").encode()

SAMPLES = {"screening": SCREENING, "deadlines": DEADLINES, "redraft": REDRAFT}
FIXTURES = sorted(BPMN_FIXTURES.glob("*/*.bpmn"))


class Drawn:
    """A laid-out file's first plane: its shapes, edges and labels, by element."""

    def __init__(self, data: bytes):
        root = etree.fromstring(lay_out(data).data)
        self.model = read_model(root)
        plane = read_planes(root)[0]
        self.pools = {p.id for p in self.model.participants}
        self.containers = self.pools | set(self.model.lanes)
        self.boxes = {e: s.box for e, s in plane.shapes.items()}
        self.shapes = {e: b for e, b in self.boxes.items() if e not in self.containers}
        self.edges = {e: [(int(x), int(y)) for x, y in info.points] for e, info in plane.edges.items()}
        self.labels = {}
        for info in [*plane.shapes.values(), *plane.edges.values()]:
            bounds = info.el.find(f"{{{DI_NS}}}BPMNLabel/{{{DC_NS}}}Bounds")
            if bounds is not None:
                self.labels[info.element] = Box(*(float(bounds.get(k)) for k in ("x", "y", "width", "height")))

    def segments(self, element: str | None = None) -> list[Box]:
        return [Box(min(a[0], b[0]), min(a[1], b[1]), abs(a[0] - b[0]), abs(a[1] - b[1]))
                for e, points in self.edges.items() if element in (None, e) for a, b in zip(points, points[1:])]

    def lane_borders(self) -> list[float]:
        tops = [self.boxes[p].y for p in self.pools if p in self.boxes]
        return [self.boxes[lane].y for lane in self.model.lanes if tops and self.boxes[lane].y > min(tops)]

    def pool(self) -> Box:
        return next(self.boxes[p] for p in self.pools if p in self.boxes)


def touches(box: Box, line: Box) -> bool:
    return line.x <= box.right and box.x <= line.right and line.y <= box.bottom and box.y <= line.bottom


def drawn(name: str) -> Drawn:
    return Drawn(SAMPLES[name] if name in SAMPLES else (BPMN_FIXTURES / name).read_bytes())


ALL = [*SAMPLES, *(str(f.relative_to(BPMN_FIXTURES)) for f in FIXTURES)]


# ---------------------------------------------------------------------------------------------- text size
def test_text_width_uses_arials_advance_widths():
    """Chromium measures "Reached" in 11 px Arial at 44.03 px."""
    assert text_width("Reached") == pytest.approx(44.03, abs=0.05)


def test_bpmn_js_cuts_a_word_wider_than_its_label_bounds():
    """Replaying bpmn-js's wrapping: bounds 42 px wide (6 px a character) gave "Reache" / "d"."""
    assert bpmn_js_lines("Reached", 42) == ["Reache", "d"]


@pytest.mark.parametrize("text", ["Reached", "Mood", "No", "Enrol (eligible)", "Not reached after three attempts",
                                  "Item 9 above 0: urgent safety assessment", "All parts of the assessment done",
                                  "PHQ-9 20+ or GAD-7 15+", "Safety-netting", "Face-to-face visit (after the deadline)"])
def test_flow_label_box_fits_its_longest_word(text):
    width, _ = label_size(text, 40)
    assert width >= max(text_width(word) for word in text.split()) + 2
    assert " ".join(bpmn_js_lines(text, width)).split() == text.split()


def test_short_label_stays_on_one_line():
    assert bpmn_js_lines("Consent given", label_size("Consent given", 100)[0]) == ["Consent given"]


def test_long_label_wraps_into_balanced_lines():
    width, _ = label_size("Not reached, attempts left", 110)
    assert [line.strip() for line in bpmn_js_lines("Not reached, attempts left", width)] == \
        ["Not reached,", "attempts left"]


def test_label_height_counts_its_lines():
    width, height = label_size("All parts of the assessment done", 100)
    assert height == math.ceil(len(bpmn_js_lines("All parts of the assessment done", width)) * LINE_PX)


def test_task_with_a_name_of_more_than_two_lines_is_wider():
    assert task_width("Review candidate") == 100
    assert task_width("Missed face-to-face visit: follow up") > 100


# ---------------------------------------------------------------------------------------------- placement
@pytest.mark.parametrize("name", ALL)
def test_labels_overlap_no_shape(name):
    d = drawn(name)
    assert [(e, s) for e, label in d.labels.items() for s, box in d.shapes.items() if label.overlaps(box)] == []


@pytest.mark.parametrize("name", ALL)
def test_labels_overlap_no_other_label(name):
    d = drawn(name)
    assert [(a, b) for a, la in d.labels.items() for b, lb in d.labels.items() if a < b and la.overlaps(lb)] == []


@pytest.mark.parametrize("name", ALL)
def test_labels_touch_no_edge(name):
    d = drawn(name)
    assert [e for e, label in d.labels.items() if any(touches(label, line) for line in d.segments())] == []


@pytest.mark.parametrize("name", ALL)
def test_labels_cross_no_lane_border(name):
    d = drawn(name)
    assert [e for e, label in d.labels.items() for y in d.lane_borders() if label.y < y < label.bottom] == []


@pytest.mark.parametrize("name", ["screening", "deadlines", "redraft"])
def test_labels_stay_inside_their_pool(name):
    d = drawn(name)
    assert [e for e, label in d.labels.items() if not d.pool().contains(label, 0)] == []


def test_gateway_label_at_the_top_of_the_pool_is_not_clipped():
    d = drawn("screening")
    assert d.labels["done"].y >= d.pool().y
    assert d.labels["done"].bottom <= d.shapes["done"].y


def test_gateway_label_sits_over_its_gateway_when_nothing_leaves_from_its_top():
    d = drawn("screening")
    label, gateway = d.labels["severe"], d.shapes["severe"]
    assert label.bottom < gateway.y and abs(label.cx - gateway.cx) <= 1


def test_flow_label_sits_beside_its_first_segment():
    """A flow straight out of a gateway: beside that segment, starting right after the gateway."""
    d = drawn("screening")
    (x0, y0), (x1, _) = d.edges["f_mood"][:2]
    label = d.labels["f_mood"]
    assert x0 < label.x <= x0 + 10 and label.right < x1
    assert 0 < y0 - label.bottom <= 6 or 0 < label.y - y0 <= 6


def test_branch_label_sits_after_the_bend_not_on_the_shared_way_down():
    """A gateway's branches share the way down from it: each is labelled along its own horizontal part."""
    d = drawn("screening")
    (bx, by), (tx, _) = d.edges["f_safety"][1:3]
    label = d.labels["f_safety"]
    assert bx < label.x <= bx + 10 and label.right < tx and 0 < by - label.bottom <= 6


def test_boundary_event_label_sits_beside_it_under_its_task():
    d = drawn("deadlines")
    for event in ("late", "deadline"):
        label, box = d.labels[event], d.shapes[event]
        assert label.y >= d.shapes["visit"].bottom and (label.x >= box.right or label.right <= box.x)


def test_layout_with_labels_is_idempotent():
    for data in SAMPLES.values():
        once = lay_out(data).data
        assert lay_out(once).changed is False


# ---------------------------------------------------------------------------------------------- edges
@pytest.mark.parametrize("name", ALL)
def test_sequence_flows_run_through_no_shape(name):
    d = drawn(name)
    found = []
    for flow in d.model.flows.values():
        ends = {flow.source, flow.target, d.model.nodes[flow.source].attached_to}
        for line in d.segments(flow.id):
            found += [(flow.id, s) for s, b in d.shapes.items() if s not in ends and s in d.model.nodes
                      and line.x < b.right - 1 and b.x + 1 < line.right and line.y < b.bottom - 1 and b.y + 1 < line.bottom]
    assert found == []


def test_flow_that_skips_columns_keeps_its_row_free():
    """The safety assessment's flow to the join runs along its row: the severe-symptoms review goes under it."""
    d = drawn("screening")
    assert d.shapes["review"].y > d.shapes["safety"].bottom


def test_loop_under_another_task_leaves_from_its_side():
    d = drawn("redraft")
    changes = d.shapes["changes"]
    assert d.edges["f_back"][0] == (changes.right, changes.cy)


@pytest.mark.parametrize("name", ["deadlines", "redraft", "tcm_contact/tcm_contact.bpmn", "review_loop/review_loop.bpmn"])
def test_flows_do_not_run_along_a_lane_or_pool_border(name):
    d = drawn(name)
    pool = d.pool()
    borders = [*d.lane_borders(), pool.y, pool.bottom]
    found = [(e, y0) for e, points in d.edges.items() for (x0, y0), (x1, y1) in zip(points, points[1:])
             if y0 == y1 and abs(x1 - x0) > 40 and any(0 < abs(y0 - b) < 12 for b in borders)]
    assert found == []
