"""The template a new program starts from: the library's stages called in order (identification -> engagement ->
assessment -> planning -> implementation -> evaluation -> discharge), as CCM calls them, with the data contract of
pathways/README.md (program_code, program_status, program_end_reason). The service draws its diagram with
`carepath layout`, so it opens in the editor laid out."""
from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from engine.errors import InvalidInput

STAGES = ("identification", "engagement", "assessment", "planning", "implementation", "evaluation", "discharge")
INCOMING = {"implementation": "flow_after_planning", "evaluation": "flow_after_implementation"}
PROGRAM_ID = re.compile(r"^[a-z][a-z0-9_]{1,59}$")


def check_program(program_id: str, name: str, known_processes: set[str]) -> tuple[str, str]:
    program_id = (program_id or "").strip()
    name = " ".join((name or "").split())
    if not PROGRAM_ID.match(program_id):
        raise InvalidInput(f"program id '{program_id[:60]}': lower-case letters, digits and '_', starting with a "
                           "letter (it becomes program_code and the process id)")
    if program_id in known_processes:
        raise InvalidInput(f"program id '{program_id}': the bundle already has a process with that id")
    if not name or len(name) > 120:
        raise InvalidInput("program name: between 1 and 120 characters")
    missing = [s for s in STAGES if s not in known_processes]
    if missing:
        raise InvalidInput(f"the bundle lacks the stage(s) {', '.join(missing)} that the template calls")
    return program_id, name


def program_bpmn(program_id: str, name: str) -> bytes:
    """The new program's BPMN (no diagram yet)."""
    p, label = program_id, escape(name)
    calls = "".join(
        f'    <bpmn:callActivity id="{s}" name="{s.capitalize() if s != "discharge" else "Transition or discharge"}" '
        f'calledElement="{s}">\n      <bpmn:incoming>{INCOMING.get(s, "flow_to_" + s)}</bpmn:incoming>\n'
        f'      <bpmn:outgoing>flow_after_{s}</bpmn:outgoing>\n    </bpmn:callActivity>\n' for s in STAGES)
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
                  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
                  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="Definitions_{p}" targetNamespace="http://carepath.dev/pathways">
  <bpmn:collaboration id="Collaboration_{p}">
    <bpmn:participant id="Participant_{p}" name={quoteattr(name)} processRef="{p}" />
  </bpmn:collaboration>
  <bpmn:process id="{p}" name={quoteattr(name)} isExecutable="true">
    <bpmn:documentation>{label}: the library's stages in order. Add a rule for program_code '{p}' to
program_eligibility.dmn so that identification finds its patients eligible.</bpmn:documentation>
    <bpmn:laneSet id="LaneSet_{p}">
      <bpmn:lane id="Lane_{p}_care_manager" name="Care manager">
        <bpmn:flowNodeRef>referred</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>set_up_program</bpmn:flowNodeRef>
{"".join(f"        <bpmn:flowNodeRef>{s}</bpmn:flowNodeRef>{chr(10)}" for s in STAGES)}        <bpmn:flowNodeRef>identified_gateway</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>engaged_gateway</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>plan_again</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>review_decision_gateway</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>record_not_enrolled</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>record_not_engaged</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>close_program</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>not_enrolled</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>not_engaged</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>program_closed</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="referred" name="Patient referred">
      <bpmn:outgoing>flow_to_set_up</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:scriptTask id="set_up_program" name="Set up program">
      <bpmn:incoming>flow_to_set_up</bpmn:incoming>
      <bpmn:outgoing>flow_to_identification</bpmn:outgoing>
      <bpmn:script>program_code = '{p}'
program_name = {name!r}
enrolled_on = date.today().isoformat()
program_status = 'active'
care_minutes = {{}}</bpmn:script>
    </bpmn:scriptTask>
{calls}    <bpmn:exclusiveGateway id="identified_gateway" name="Identified and enrolled?" default="flow_not_enrolled">
      <bpmn:incoming>flow_after_identification</bpmn:incoming>
      <bpmn:outgoing>flow_to_engagement</bpmn:outgoing>
      <bpmn:outgoing>flow_not_enrolled</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:scriptTask id="record_not_enrolled" name="Record not enrolled">
      <bpmn:incoming>flow_not_enrolled</bpmn:incoming>
      <bpmn:outgoing>flow_to_not_enrolled</bpmn:outgoing>
      <bpmn:script>try:
    program_end_reason
except NameError:
    program_end_reason = None
try:
    eligible
except NameError:
    eligible = False
if not program_end_reason:
    program_end_reason = 'declined_enrolment' if eligible else 'not_eligible'
program_status = 'closed'
program_ended_on = date.today().isoformat()</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="not_enrolled" name="Not enrolled">
      <bpmn:incoming>flow_to_not_enrolled</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:exclusiveGateway id="engaged_gateway" name="Engaged?" default="flow_not_engaged">
      <bpmn:incoming>flow_after_engagement</bpmn:incoming>
      <bpmn:outgoing>flow_to_assessment</bpmn:outgoing>
      <bpmn:outgoing>flow_not_engaged</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:scriptTask id="record_not_engaged" name="Record not engaged">
      <bpmn:incoming>flow_not_engaged</bpmn:incoming>
      <bpmn:outgoing>flow_to_not_engaged</bpmn:outgoing>
      <bpmn:script>try:
    program_end_reason
except NameError:
    program_end_reason = None
if not program_end_reason:
    program_end_reason = 'no_contact'
program_status = 'closed'
program_ended_on = date.today().isoformat()</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="not_engaged" name="Not engaged">
      <bpmn:incoming>flow_to_not_engaged</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:exclusiveGateway id="plan_again" name="Plan of care">
      <bpmn:incoming>flow_after_assessment</bpmn:incoming>
      <bpmn:incoming>flow_adjust_plan</bpmn:incoming>
      <bpmn:outgoing>flow_to_planning</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:exclusiveGateway id="review_decision_gateway" name="Review decision?" default="flow_to_discharge">
      <bpmn:incoming>flow_after_evaluation</bpmn:incoming>
      <bpmn:outgoing>flow_adjust_plan</bpmn:outgoing>
      <bpmn:outgoing>flow_to_discharge</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:scriptTask id="close_program" name="Close program">
      <bpmn:incoming>flow_after_discharge</bpmn:incoming>
      <bpmn:outgoing>flow_to_closed</bpmn:outgoing>
      <bpmn:script>program_status = 'closed'
program_ended_on = date.today().isoformat()</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="program_closed" name="Program closed">
      <bpmn:incoming>flow_to_closed</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_to_set_up" sourceRef="referred" targetRef="set_up_program" />
    <bpmn:sequenceFlow id="flow_to_identification" sourceRef="set_up_program" targetRef="identification" />
    <bpmn:sequenceFlow id="flow_after_identification" sourceRef="identification" targetRef="identified_gateway" />
    <bpmn:sequenceFlow id="flow_to_engagement" name="Yes: enrolled" sourceRef="identified_gateway" targetRef="engagement">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">identified</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="flow_not_enrolled" name="No" sourceRef="identified_gateway" targetRef="record_not_enrolled" />
    <bpmn:sequenceFlow id="flow_to_not_enrolled" sourceRef="record_not_enrolled" targetRef="not_enrolled" />
    <bpmn:sequenceFlow id="flow_after_engagement" sourceRef="engagement" targetRef="engaged_gateway" />
    <bpmn:sequenceFlow id="flow_to_assessment" name="Yes: engaged" sourceRef="engaged_gateway" targetRef="assessment">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">engaged</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="flow_not_engaged" name="No" sourceRef="engaged_gateway" targetRef="record_not_engaged" />
    <bpmn:sequenceFlow id="flow_to_not_engaged" sourceRef="record_not_engaged" targetRef="not_engaged" />
    <bpmn:sequenceFlow id="flow_after_assessment" sourceRef="assessment" targetRef="plan_again" />
    <bpmn:sequenceFlow id="flow_to_planning" sourceRef="plan_again" targetRef="planning" />
    <bpmn:sequenceFlow id="flow_after_planning" sourceRef="planning" targetRef="implementation" />
    <bpmn:sequenceFlow id="flow_after_implementation" sourceRef="implementation" targetRef="evaluation" />
    <bpmn:sequenceFlow id="flow_after_evaluation" sourceRef="evaluation" targetRef="review_decision_gateway" />
    <bpmn:sequenceFlow id="flow_adjust_plan" name="Adjust the plan" sourceRef="review_decision_gateway" targetRef="plan_again">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">review_decision == 'adjust'</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="flow_to_discharge" name="Discharge" sourceRef="review_decision_gateway" targetRef="discharge" />
    <bpmn:sequenceFlow id="flow_after_discharge" sourceRef="discharge" targetRef="close_program" />
    <bpmn:sequenceFlow id="flow_to_closed" sourceRef="close_program" targetRef="program_closed" />
  </bpmn:process>
</bpmn:definitions>
'''.encode()
