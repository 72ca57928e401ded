"""`carepath layout`: a left-to-right BPMNDI that lints clean, keeps the model byte for byte, deploys and runs
the same, and is computed the same way every time."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.util.task import TaskState

from engine.authoring.diagram import read_planes
from engine.authoring.lint import lint_bundle, lint_path
from engine.authoring.rewrite import lay_out
from engine.deploy.bundle import Bundle, load_bundle
from engine.deploy.parsing import parse_bundle
from engine.runtime.runner import Runtime, run_engine_steps

from .conftest import BPMN_FIXTURES

BUNDLES = sorted(p.name for p in BPMN_FIXTURES.iterdir() if p.is_dir())
FILES = sorted(BPMN_FIXTURES.glob("*/*.bpmn"))
DIAGRAM = re.compile(rb"\s*<bpmndi:BPMNDiagram\b.*?</bpmndi:BPMNDiagram>", re.S)
ANSWERS = {"decision": "discharge", "progress_note": "fine", "weight_kg": 80, "height_m": 1.8, "confirmed": True,
           "reached": True, "notes": "ok", **{f"phq9_{i}": 2 for i in range(1, 10)}}


def laid_out(folder: Path) -> Bundle:
    """The bundle with every BPMN file laid out."""
    bundle = load_bundle(folder)
    files = {path: lay_out(data, path).data if path.endswith(".bpmn") else data
             for path, data in bundle.files.items()}
    return Bundle(bundle.name, files)


def layout_findings(bundle: Bundle):
    return [f for f in lint_bundle(bundle).at_least("warning") if f.check in ("diagram", "layout")]


def outputs(parsed) -> dict:
    """Every task spec's outputs, in order: SpiffWorkflow orders them by the target's y in the diagram."""
    found = {}
    for pid in parsed.startable:
        for spec in [parsed.spec(pid), *parsed.subprocess_specs(pid).values()]:
            found.update({f"{spec.name}/{name}": [o.name for o in ts.outputs] for name, ts in spec.task_specs.items()})
    return found


def run_trace(parsed, pid: str) -> list:
    """Start the pathway and complete its human tasks with the same answers; what happened, in order."""
    workflow = Runtime().new_workflow(parsed, pid)
    workflow.get_tasks(state=TaskState.READY)[0].data.update({"patient_id": "P1", "outreach_at": "2030-01-01T09:00"})
    trace = []
    for _ in range(30):
        try:
            run_engine_steps(workflow)
        except Exception as exc:  # noqa: BLE001 - the same failure in both runs is the same behaviour
            trace.append(("error", type(exc).__name__))
            break
        ready = sorted(workflow.get_tasks(state=TaskState.READY, manual=True), key=lambda t: t.task_spec.bpmn_id)
        if not ready:
            break
        ready[0].data.update(ANSWERS)
        ready[0].run()
        trace.append(ready[0].task_spec.bpmn_id)
    waiting = sorted(t.task_spec.bpmn_id or t.task_spec.name for t in workflow.get_tasks(state=TaskState.WAITING))
    return [*trace, ("waiting", waiting), ("completed", workflow.is_completed())]


# ---------------------------------------------------------------------------------------------- fixtures
@pytest.mark.parametrize("name", BUNDLES)
def test_laid_out_fixture_has_no_diagram_or_layout_problem(name):
    assert layout_findings(laid_out(BPMN_FIXTURES / name)) == []


@pytest.mark.parametrize("name", BUNDLES)
def test_laid_out_fixture_deploys_with_the_same_flow_order(name):
    before, after = parse_bundle(load_bundle(BPMN_FIXTURES / name)), parse_bundle(laid_out(BPMN_FIXTURES / name))
    assert after.startable == before.startable
    assert outputs(after) == outputs(before)


@pytest.mark.parametrize("name", BUNDLES)
def test_laid_out_fixture_runs_the_same(name):
    before, after = parse_bundle(load_bundle(BPMN_FIXTURES / name)), parse_bundle(laid_out(BPMN_FIXTURES / name))
    for pid in before.startable:
        assert run_trace(after, pid) == run_trace(before, pid)


@pytest.mark.parametrize("file", FILES, ids=lambda f: f"{f.parent.name}/{f.name}")
def test_layout_keeps_everything_but_the_diagram_byte_for_byte(file):
    data = file.read_bytes()
    assert DIAGRAM.sub(b"", lay_out(data).data) == DIAGRAM.sub(b"", data)


@pytest.mark.parametrize("file", FILES, ids=lambda f: f"{f.parent.name}/{f.name}")
def test_layout_is_idempotent(file):
    once = lay_out(file.read_bytes()).data
    assert lay_out(once).changed is False


def test_layout_is_deterministic():
    data = (BPMN_FIXTURES / "tcm_contact" / "tcm_contact.bpmn").read_bytes()
    assert lay_out(data).data == lay_out(data).data


# ---------------------------------------------------------------------------------------------- geometry
def shapes_of(data: bytes) -> dict:
    return {e: s.box for plane in read_planes(etree.fromstring(data)) for e, s in plane.shapes.items()}


def test_boundary_events_sit_on_the_bottom_border_of_their_task():
    boxes = shapes_of(lay_out((BPMN_FIXTURES / "tcm_contact" / "tcm_contact.bpmn").read_bytes()).data)
    task = boxes["contact"]
    for event in ("missed_contact", "reminder_cycle"):
        assert boxes[event].cy == task.bottom and task.x <= boxes[event].cx <= task.right
    assert not boxes["missed_contact"].overlaps(boxes["reminder_cycle"])


def test_flow_runs_left_to_right():
    boxes = shapes_of(lay_out((BPMN_FIXTURES / "parallel_care" / "care_plan_setup.bpmn").read_bytes()).data)
    assert boxes["start"].x < boxes["split"].x < boxes["med_rec"].x < boxes["join"].x < boxes["confirm"].x
    assert boxes["med_rec"].x == boxes["social_referral"].x


def test_standard_sizes_are_used():
    boxes = shapes_of(lay_out((BPMN_FIXTURES / "review_loop" / "review_loop.bpmn").read_bytes()).data)
    assert [(boxes[e].w, boxes[e].h) for e in ("start", "review", "continue_gw")] == [(36, 36), (100, 80), (50, 50)]


def test_events_and_gateways_get_labels():
    root = etree.fromstring(lay_out((BPMN_FIXTURES / "review_loop" / "review_loop.bpmn").read_bytes()).data)
    shapes = {s.get("bpmnElement"): s for s in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")}
    label = "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNLabel"
    assert all(shapes[e].find(label) is not None for e in ("start", "continue_gw", "end"))


def test_edges_are_orthogonal():
    root = etree.fromstring(lay_out((BPMN_FIXTURES / "tcm_on_discharge" / "tcm_on_discharge.bpmn").read_bytes()).data)
    for plane in read_planes(root):
        for edge in plane.edges.values():
            for (x0, y0), (x1, y1) in zip(edge.points, edge.points[1:]):
                assert x0 == x1 or y0 == y1 or edge.element.startswith(("assoc", "Association")), edge.element


# ---------------------------------------------------------------------------------------------- special files
NO_DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" name="Lanes, no pool" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="lane_cm" name="care_manager"><bpmn:flowNodeRef>s</bpmn:flowNodeRef><bpmn:flowNodeRef>sub</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="lane_nurse" name="nurse"><bpmn:flowNodeRef>e</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s" name="Start" />
    <bpmn:subProcess id="sub" name="Inner steps">
      <bpmn:startEvent id="is" name="Inner start" />
      <bpmn:scriptTask id="st" name="Compute"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
      <bpmn:endEvent id="ie" name="Inner end" />
      <bpmn:sequenceFlow id="if1" sourceRef="is" targetRef="st" />
      <bpmn:sequenceFlow id="if2" sourceRef="st" targetRef="ie" />
    </bpmn:subProcess>
    <bpmn:endEvent id="e" name="End" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sub" />
    <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_process_with_lanes_but_no_collaboration_gets_a_pool():
    root = etree.fromstring(lay_out(NO_DIAGRAM).data)
    participant = root.find("{http://www.omg.org/spec/BPMN/20100524/MODEL}collaboration/"
                            "{http://www.omg.org/spec/BPMN/20100524/MODEL}participant")
    assert participant.get("processRef") == "p" and participant.get("name") == "Lanes, no pool"
    assert read_planes(root)[0].element == root.find("{*}collaboration").get("id")


def test_sub_process_is_drawn_collapsed_with_a_plane_of_its_own():
    planes = read_planes(etree.fromstring(lay_out(NO_DIAGRAM).data))
    assert planes[0].shapes["sub"].expanded is False
    assert [p.element for p in planes[1:]] == ["sub"] and set(planes[1].shapes) == {"is", "st", "ie"}


def test_file_laid_out_from_nothing_lints_clean_and_deploys():
    bundle = Bundle("new", {"new.bpmn": lay_out(NO_DIAGRAM).data})
    assert layout_findings(bundle) == []
    assert parse_bundle(bundle).startable == ["p"]


def test_lint_of_a_single_file_reports_only_that_file(tmp_path):
    (tmp_path / "a.bpmn").write_bytes(NO_DIAGRAM)
    (tmp_path / "b.bpmn").write_bytes(NO_DIAGRAM.replace(b'id="p"', b'id="q"'))
    assert {f.file for f in lint_path(tmp_path / "a.bpmn").findings} == {"a.bpmn"}


# ---------------------------------------------------------------------------------------------- bpmn-js
NODE_MODULES = BPMN_FIXTURES.parents[2] / "node_modules"


@pytest.mark.skipif(shutil.which("node") is None or not (NODE_MODULES / "bpmn-js").is_dir(),
                    reason="node and node_modules/bpmn-js (make install) are needed")
def test_laid_out_files_import_cleanly_in_bpmn_js(tmp_path):
    """bpmn-moddle reads each file and bpmn-js's import walker visits every diagram without a warning."""
    files = []
    for file in [*FILES, *sorted((BPMN_FIXTURES.parent / "lint" / "clean").glob("*.bpmn"))]:
        target = tmp_path / f"{file.parent.name}-{file.name}"
        target.write_bytes(lay_out(file.read_bytes()).data)
        files.append(str(target))
    (tmp_path / "new.bpmn").write_bytes(lay_out(NO_DIAGRAM).data)
    files.append(str(tmp_path / "new.bpmn"))
    here = Path(__file__).resolve().parent / "bpmnjs"
    result = subprocess.run(["node", "--import", str(here / "register.mjs"), str(here / "import_check.mjs"),
                             str(NODE_MODULES), *files], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().endswith("all clean"), result.stdout + result.stderr


def test_branches_keep_their_top_to_bottom_order_from_the_old_diagram():
    """SpiffWorkflow tries a gateway's outgoing flows in the order of their targets' y."""
    data = (BPMN_FIXTURES / "lab_or_timeout" / "lab_or_timeout.bpmn").read_bytes()
    swapped = data.replace(b'bpmnElement="lab_arrived"><dc:Bounds x="362" y="102"',
                           b'bpmnElement="lab_arrived"><dc:Bounds x="362" y="302"')
    assert swapped != data
    boxes = shapes_of(lay_out(swapped).data)
    assert boxes["no_lab"].y < boxes["lab_arrived"].y
    boxes = shapes_of(lay_out(data).data)
    assert boxes["lab_arrived"].y < boxes["no_lab"].y


def test_layout_says_when_it_changes_the_order_of_a_gateways_flows():
    relaid = lay_out(NO_GATEWAY_ORDER)
    assert any(note.startswith("gw:") for note in relaid.layout.notes)


NO_GATEWAY_ORDER = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    id="d" targetNamespace="t">
  <bpmn:collaboration id="c"><bpmn:participant id="pp" processRef="p" /></bpmn:collaboration>
  <bpmn:process id="p" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="l1" name="nurse"><bpmn:flowNodeRef>s</bpmn:flowNodeRef><bpmn:flowNodeRef>gw</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>a</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="l2" name="physician"><bpmn:flowNodeRef>b</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s" name="Start" />
    <bpmn:exclusiveGateway id="gw" name="Which?" />
    <bpmn:endEvent id="a" name="A" />
    <bpmn:endEvent id="b" name="B" />
    <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="gw" />
    <bpmn:sequenceFlow id="fa" sourceRef="gw" targetRef="a"><bpmn:conditionExpression>x</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="fb" sourceRef="gw" targetRef="b"><bpmn:conditionExpression>y</bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane id="P" bpmnElement="c">
    <bpmndi:BPMNShape id="a_di" bpmnElement="a"><dc:Bounds x="300" y="400" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="b_di" bpmnElement="b"><dc:Bounds x="300" y="100" width="36" height="36" /></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def test_layout_of_a_file_with_a_sub_process_plane_is_idempotent():
    once = lay_out(NO_DIAGRAM).data
    assert lay_out(once).changed is False
