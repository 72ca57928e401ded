"""The CCM-like benchmark pathway: eight user tasks in sequence across two lanes, written as a bundle."""
from __future__ import annotations

import json
from pathlib import Path

TASKS = [
    ("review_candidate", "Review candidate", "care_manager"),
    ("outreach_call", "Outreach call", "care_manager"),
    ("record_consent", "Record consent", "care_manager"),
    ("medical_assessment", "Medical assessment", "nurse"),
    ("medication_review", "Medication review", "nurse"),
    ("social_needs", "Social needs screening", "care_manager"),
    ("care_plan", "Agree care plan", "nurse"),
    ("monthly_review", "Monthly review", "care_manager"),
]
LANES = {"care_manager": 80, "nurse": 260}
FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["minutes_spent"],
    "properties": {
        "minutes_spent": {"type": "integer", "minimum": 0, "maximum": 600, "title": "Minutes spent"},
        "note": {"type": "string", "title": "Note"},
    },
}


def _task_xml(i: int, task_id: str, name: str) -> str:
    incoming = f"f{i}"
    outgoing = f"f{i + 1}"
    return f"""    <bpmn:userTask id="{task_id}" name="{name}">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="step-schema.json" />
          <spiffworkflow:property name="dueIn" value="P3D" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>{incoming}</bpmn:incoming>
      <bpmn:outgoing>{outgoing}</bpmn:outgoing>
    </bpmn:userTask>
"""


def bpmn_text() -> str:
    nodes = [("start", "Enrolled", "care_manager")] + TASKS + [("end", "Discharged", "care_manager")]
    lanes = ""
    for role in LANES:
        refs = "".join(f"        <bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>\n" for n, _, r in nodes if r == role)
        lanes += f'      <bpmn:lane id="lane_{role}" name="{role}">\n{refs}      </bpmn:lane>\n'
    body = '    <bpmn:startEvent id="start" name="Enrolled"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>\n'
    flows = ""
    for i, (task_id, name, _) in enumerate(TASKS):
        body += _task_xml(i, task_id, name)
    body += f'    <bpmn:endEvent id="end" name="Discharged"><bpmn:incoming>f{len(TASKS)}</bpmn:incoming></bpmn:endEvent>\n'
    ids = [n for n, _, _ in nodes]
    for i in range(len(ids) - 1):
        flows += f'    <bpmn:sequenceFlow id="f{i}" sourceRef="{ids[i]}" targetRef="{ids[i + 1]}" />\n'
    # start's outgoing is f0 and task i has incoming f{i}, outgoing f{i+1}
    shapes, edges, pos = "", "", {}
    for i, (node, _, role) in enumerate(nodes):
        x = 200 + i * 150
        y = LANES[role] + 50
        w, h = (36, 36) if node in ("start", "end") else (100, 80)
        if node in ("start", "end"):
            y += 22
        pos[node] = (x, y, w, h)
        shapes += (f'      <bpmndi:BPMNShape id="{node}_di" bpmnElement="{node}">'
                   f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" /></bpmndi:BPMNShape>\n')
    for i in range(len(ids) - 1):
        (x1, y1, w1, h1), (x2, y2, _w2, h2) = pos[ids[i]], pos[ids[i + 1]]
        a, b = (x1 + w1, y1 + h1 // 2), (x2, y2 + h2 // 2)
        points = [a, b] if a[1] == b[1] else [a, ((a[0] + b[0]) // 2, a[1]), ((a[0] + b[0]) // 2, b[1]), b]
        wps = "".join(f'<di:waypoint x="{px}" y="{py}" />' for px, py in points)
        edges += f'      <bpmndi:BPMNEdge id="f{i}_di" bpmnElement="f{i}">{wps}</bpmndi:BPMNEdge>\n'
    width = 200 + len(nodes) * 150
    lane_shapes = "".join(
        f'      <bpmndi:BPMNShape id="lane_{r}_di" bpmnElement="lane_{r}" isHorizontal="true">'
        f'<dc:Bounds x="150" y="{y}" width="{width}" height="180" /></bpmndi:BPMNShape>\n'
        for r, y in LANES.items()
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="ccm8_definitions" targetNamespace="http://carepath.dev/bench">
  <bpmn:collaboration id="ccm8_collaboration">
    <bpmn:participant id="ccm8_participant" name="CCM (benchmark)" processRef="ccm8" />
  </bpmn:collaboration>
  <bpmn:process id="ccm8" name="CCM benchmark pathway" isExecutable="true">
    <bpmn:laneSet id="ccm8_lanes">
{lanes}    </bpmn:laneSet>
{body}{flows}  </bpmn:process>
  <bpmndi:BPMNDiagram id="ccm8_diagram">
    <bpmndi:BPMNPlane id="ccm8_plane" bpmnElement="ccm8_collaboration">
      <bpmndi:BPMNShape id="ccm8_participant_di" bpmnElement="ccm8_participant" isHorizontal="true">
        <dc:Bounds x="120" y="{min(LANES.values())}" width="{width + 30}" height="360" /></bpmndi:BPMNShape>
{lane_shapes}{shapes}{edges}    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def write_bundle(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ccm8.bpmn").write_text(bpmn_text())
    (folder / "step-schema.json").write_text(json.dumps(FORM, indent=2))
    return folder


STEP_DATA = {"minutes_spent": 15, "note": "spoke with patient"}
