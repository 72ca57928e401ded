"""The rules of a use case hold whoever calls it: one open instance of a program per patient (the database holds
to it too), minutes and drafts on every completion, answers a task takes from its data."""
from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import func, select

from engine.care import instances as instances_mod
from engine.care.actors import Actor
from engine.care.task_forms import FormInvalid, Submission
from engine.errors import Conflict, InvalidInput, NotFound
from engine.models import AuditEvent, TaskDraft, TimeEntry
from tests.conftest import FIXTURES
from tests.registry import register

CARL = Actor.person("carl", "care_manager")
REVIEW_LOOP = FIXTURES / "bpmn" / "review_loop"


@pytest.fixture
def review_loop(pathways):
    pathways.deploy(REVIEW_LOOP)
    register(pathways, "P1", "P2")
    return pathways


def test_a_program_open_for_a_patient_cannot_start_again_for_them(review_loop):
    first = review_loop.start("review_loop", "P1", None, CARL)
    with pytest.raises(Conflict, match=f"already running for patient P1 \\(instance {first.id}\\)"):
        review_loop.start("review_loop", "P1", None, CARL)


def test_a_program_cannot_start_for_a_patient_not_in_the_registry(review_loop):
    with pytest.raises(NotFound, match="patient 'P404' is not in the registry"):
        review_loop.start("review_loop", "P404", None, CARL)


def test_a_program_may_start_for_another_patient(review_loop):
    review_loop.start("review_loop", "P1", None, CARL)
    assert review_loop.start("review_loop", "P2", None, CARL).status == "running"


def test_a_program_starts_again_once_the_open_one_has_ended(review_loop):
    first = review_loop.start("review_loop", "P1", None, CARL)
    review_loop.terminate(first.id, CARL, "moved away")
    assert review_loop.start("review_loop", "P1", None, CARL).id != first.id


def test_a_suspended_program_still_counts_as_open(review_loop):
    first = review_loop.start("review_loop", "P1", None, CARL)
    review_loop.suspend(first.id, CARL)
    with pytest.raises(Conflict, match="already suspended"):
        review_loop.start("review_loop", "P1", None, CARL)


def test_the_database_refuses_a_second_open_instance_when_the_check_is_passed_by(review_loop, monkeypatch):
    # two starts at the same moment both pass the check; the unique index lets one of them commit
    review_loop.start("review_loop", "P1", None, CARL)
    monkeypatch.setattr(instances_mod, "require_none_open", lambda *args: None)
    with pytest.raises(Conflict, match="got there first"):
        review_loop.start("review_loop", "P1", None, CARL)
    assert len(review_loop.instances(patient_id="P1")) == 1


def _minutes(pathways) -> list[int]:
    with pathways.db.transaction() as s:
        return list(s.scalars(select(TimeEntry.minutes)))


def test_minutes_given_with_a_completion_are_recorded_whoever_completes(review_loop):
    task = review_loop.tasks(instance_id=review_loop.start("review_loop", "P1", None, CARL).id)[0]
    review_loop.complete(task.id, {"decision": "discharge"}, CARL, minutes=12)
    assert _minutes(review_loop) == [12]


def test_minutes_that_are_not_a_whole_number_refuse_the_completion(review_loop):
    task = review_loop.tasks(instance_id=review_loop.start("review_loop", "P1", None, CARL).id)[0]
    with pytest.raises(FormInvalid) as refused:
        review_loop.complete(task.id, {"decision": "discharge"}, CARL, minutes="a while")
    assert "minutes_spent" in refused.value.errors and review_loop.task(task.id).status == "open"


def test_a_completion_drops_every_draft_of_the_task(review_loop):
    task = review_loop.tasks(instance_id=review_loop.start("review_loop", "P1", None, CARL).id)[0]
    review_loop.save_draft(task.id, Submission({"progress_note": "half done"}), CARL)
    review_loop.complete(task.id, {"decision": "discharge"}, CARL)
    with review_loop.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(TaskDraft)) == 0


def test_a_draft_is_kept_for_its_author_and_audited(review_loop):
    task = review_loop.tasks(instance_id=review_loop.start("review_loop", "P1", None, CARL).id)[0]
    review_loop.save_draft(task.id, Submission({"progress_note": "half done"}), CARL)
    assert review_loop.task_context(task.id, CARL).draft == {"progress_note": "half done"}
    with review_loop.db.transaction() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "draft_saved")) == 1


@pytest.fixture
def goal_choice(pathways, tmp_path):
    """review_loop whose form also asks for a goal, chosen from those the task's data lists (SpiffArena's
    options_from_task_data_var)."""
    bundle = tmp_path / "review_goals"
    shutil.copytree(REVIEW_LOOP, bundle)
    schema_file = bundle / "review-schema.json"
    schema = json.loads(schema_file.read_text())
    schema["properties"]["goal"] = {"type": "string", "title": "Goal", "anyOf": ["options_from_task_data_var:goals"]}
    schema_file.write_text(json.dumps(schema))
    pathways.deploy(bundle)
    goals = {"goals": [{"value": "walk", "label": "Walk daily"}, {"value": "diet", "label": "Eat less salt"}]}
    register(pathways, "P1")
    instance = pathways.start("review_loop", "P1", goals, CARL)
    return pathways.tasks(instance_id=instance.id)[0]


def test_an_answer_the_task_data_offers_is_taken(pathways, goal_choice):
    pathways.complete(goal_choice.id, {"decision": "discharge", "goal": "walk"}, CARL)
    assert pathways.task(goal_choice.id).status == "completed"


def test_an_answer_the_task_data_does_not_offer_is_refused_by_name(pathways, goal_choice):
    with pytest.raises(FormInvalid) as refused:
        pathways.complete(goal_choice.id, {"decision": "discharge", "goal": "swim"}, CARL)
    assert list(refused.value.errors) == ["goal"]
    assert pathways.task(goal_choice.id).status == "open"


def test_an_assignee_typed_in_capitals_is_stored_as_the_account_name(review_loop):
    review_loop.add_user("nina", "correct horse battery", ["care_manager"])
    register(review_loop, "P9")
    task = review_loop.tasks(instance_id=review_loop.start("review_loop", "P9", None, CARL).id)[0]
    assert review_loop.assign(task.id, "NINA", CARL).assignee == "nina"


def test_start_data_with_a_nul_is_refused_naming_the_place(review_loop):
    register(review_loop, "P1")
    with pytest.raises(InvalidInput, match="start data: lab.note contains a control character"):
        review_loop.start("review_loop", "P1", {"lab": {"note": "a\x00b"}}, CARL)
    assert review_loop.instances(patient_id="P1") == []


def test_a_patient_id_with_a_nul_is_refused_as_start(review_loop):
    with pytest.raises(InvalidInput, match="the patient id contains a control character"):
        review_loop.start("review_loop", "P\x001", None, CARL)
