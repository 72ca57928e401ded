"""Where an instance stands on its diagrams: current steps up the chain of running stages, done steps marked."""
from __future__ import annotations

from engine.care.instances import get_instance
from engine.read import diagrams
from tests.engine.pathway_helpers import NURSE, PHYSICIAN, deploy, open_task, phq9_answers
from tests.registry import register


def drawn(pathways, instance_id) -> dict:
    with pathways.db.transaction() as s:
        found = diagrams.instance_diagrams(s, pathways.runtime, get_instance(s, instance_id))
        return {d.process_id: d.to_dict() for d in found}


def test_a_running_stage_marks_its_task_and_the_call_activity_that_runs_it(pathways):
    deploy(pathways, "assessment_program")
    register(pathways, "P1")
    instance = pathways.start("assessment_program", "P1")
    shown = drawn(pathways, instance.id)
    assert shown["assessment_program"]["current"] == ["phq9_screen"]
    assert shown["phq9_stage"]["current"] == ["phq9"]


def test_current_steps_are_named_as_on_the_diagram(pathways):
    deploy(pathways, "assessment_program")
    register(pathways, "P1")
    instance = pathways.start("assessment_program", "P1")
    assert drawn(pathways, instance.id)["phq9_stage"]["current_names"] == ["PHQ-9"]


def test_a_finished_stage_is_marked_done_in_the_program(pathways):
    deploy(pathways, "assessment_program")
    register(pathways, "P1")
    instance = pathways.start("assessment_program", "P1")
    task = open_task(pathways, instance.id, "PHQ-9")
    pathways.complete(task.id, phq9_answers(20), NURSE)
    shown = drawn(pathways, instance.id)
    assert (shown["assessment_program"]["current"], shown["assessment_program"]["done"]) == (
        ["referral"], ["phq9_screen"])


def test_a_completed_instance_has_nothing_current(pathways):
    deploy(pathways, "assessment_program")
    register(pathways, "P1")
    instance = pathways.start("assessment_program", "P1")
    pathways.complete(open_task(pathways, instance.id, "PHQ-9").id, phq9_answers(20), NURSE)
    pathways.complete(open_task(pathways, instance.id, "Behavioural health referral").id,
                      {"service": "psychiatry"}, PHYSICIAN)
    assert drawn(pathways, instance.id)["assessment_program"]["current"] == []
