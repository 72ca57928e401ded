"""Admin console fixtures: the web app's (app, users for every role, signed-in browsers), the review loop and
its second version (the monthly review replaced by an assessment: instances at the review cannot move without a
mapping), a pathway that fails in a script (BMI over a height of 0), and helpers."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.care.actors import Actor
from engine.service import CarePathways
from tests.registry import register
from tests.webapp import conftest as web

# the web app's fixtures, shared (named here so pytest finds them for the tests of this folder)
app, browser, patient, review, service = web.app, web.browser, web.patient, web.review, web.service
signed_in, users = web.signed_in, web.users

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parents[0] / "fixtures" / "bpmn"
REVIEW_LOOP = FIXTURES / "review_loop"
REVIEW_LOOP_V2 = HERE / "bundles" / "review_loop_v2"
ADMIN = Actor.person("admin", "admin")
CARL = Actor.person("carl", "care_manager")

BMI_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d"
                  targetNamespace="http://carepath.dev/tests">
  <bpmn:process id="bmi" name="BMI check" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="lane" name="care_manager">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>compute</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="compute" name="Compute BMI">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>bmi = weight_kg / (height_m * height_m)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:userTask id="review" name="Review the measures">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="measures-schema.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute" />
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="review" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""
BMI_FORM = ('{"type": "object", "properties": {"height_m": {"type": "number", "title": "Height (m)", "minimum": 0.3, '
            '"maximum": 2.5}, "weight_kg": {"type": "number", "title": "Weight (kg)"}}}')


def write_bmi(folder: Path) -> Path:
    """A script that divides by the height squared, then a review of the measures (whose form says what a height
    can be)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bmi.bpmn").write_bytes(CarePathways.lay_out(BMI_BPMN.encode(), "bmi.bpmn").data)  # drawn, too
    (folder / "measures-schema.json").write_text(BMI_FORM)
    return folder


@pytest.fixture
def pathways_admin(service) -> CarePathways:
    """The web app's service (its database), with review_loop deployed and patients P1..P3 registered."""
    service.deploy(REVIEW_LOOP)
    register(service, "P1", "P2", "P3")
    return service


@pytest.fixture
def reviews(pathways_admin) -> list[int]:
    """Three running review loops (P1, P2, P3), each waiting at the monthly review."""
    return [pathways_admin.start("review_loop", p, None, CARL).id for p in ("P1", "P2", "P3")]


@pytest.fixture
def version_two(pathways_admin) -> int:
    """review_loop v2 deployed (the review replaced by an assessment); its deployment id."""
    return pathways_admin.deploy(REVIEW_LOOP_V2, name="review_loop").deployment.id


@pytest.fixture
def failed_bmi(pathways_admin, tmp_path) -> int:
    """A BMI check in error: it divided by a height of 0. Returns the instance id."""
    pathways_admin.deploy(write_bmi(tmp_path / "bmi"))
    register(pathways_admin, "P9")
    instance = pathways_admin.start("bmi", "P9", {"height_m": 0, "weight_kg": 70})
    assert instance.status == "error"
    return instance.id


@pytest.fixture
def admin_browser(signed_in):
    return signed_in("admin")


def copy_bundle(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target
