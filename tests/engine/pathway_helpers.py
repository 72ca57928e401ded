"""Helpers shared by the engine behaviour tests: deploy a fixture bundle, look at an instance's rows."""
from __future__ import annotations

import json
from pathlib import Path

from engine.care.actors import Actor
from engine.care.instances import get_instance

BPMN_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"

NURSE = Actor.person("nina", "nurse", "care_manager")
NURSE_LEAD = Actor.person("lena", "nurse_lead")
CARE_MANAGER = Actor.person("carl", "care_manager")
PHYSICIAN = Actor.person("phil", "physician")
PHARMACIST = Actor.person("pia", "pharmacist")
SOCIAL_WORKER = Actor.person("sam", "social_worker")


def deploy(pathways, name: str):
    """Deploy tests/fixtures/bpmn/<name>; returns the deployment row."""
    return pathways.deploy(BPMN_FIXTURES / name).deployment


def open_tasks(pathways, instance_id: int) -> list:
    return pathways.tasks(instance_id=instance_id, sort="created")


def open_titles(pathways, instance_id: int) -> list[str]:
    return [t.title for t in open_tasks(pathways, instance_id)]


def open_task(pathways, instance_id: int, title: str):
    """The one open inbox row of `instance_id` titled `title`."""
    matches = [t for t in open_tasks(pathways, instance_id) if t.title == title]
    assert len(matches) == 1, f"expected one open '{title}', open: {open_titles(pathways, instance_id)}"
    return matches[0]


def all_tasks(pathways, instance_id: int) -> list:
    """Every inbox row of the instance (open, completed, cancelled), oldest first."""
    return pathways.instance(instance_id).tasks


def timer_rows(pathways, instance_id: int) -> dict:
    """element id -> due_at of the instance's timer rows."""
    return {t.element_id: t.due_at for t in pathways.instance(instance_id).timers}


def audit_actions(pathways, instance_id: int) -> list[str]:
    return [e.action for e in pathways.instance(instance_id).history]


def state_text(pathways, instance_id: int) -> str:
    return pathways.instance(instance_id).instance.state


def state_doc(pathways, instance_id: int) -> dict:
    return json.loads(state_text(pathways, instance_id))


def workflow_of(pathways, instance_id: int):
    """The instance's workflow as the runtime loads it (read only: nothing is saved)."""
    with pathways.db.transaction() as session:
        return pathways.runtime.load(session, get_instance(session, instance_id)).workflow


def phq9_answers(total: int) -> dict:
    """Nine PHQ-9 items (0-3 each) adding up to `total`."""
    assert 0 <= total <= 27
    answers = {}
    for item in range(1, 10):
        answers[f"phq9_{item}"] = min(3, total)
        total -= answers[f"phq9_{item}"]
    return answers
