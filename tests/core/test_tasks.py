"""Starting pathways and working their human tasks through the inbox rows."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.care.actors import Actor
from engine.care.task_forms import FormInvalid
from engine.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from engine.models import AuditEvent, InboxTask, InstanceStatus, TaskStatus
from engine.models.inbox import PRIORITIES
from tests.conftest import FIXTURES
from tests.registry import register

pytestmark = pytest.mark.dates  # `make test` runs these again at other dates

REVIEW = FIXTURES / "bpmn" / "review_loop"


@pytest.fixture
def started(pathways):
    pathways.deploy(REVIEW)
    register(pathways, "patient-1", "patient-2")
    instance = pathways.start("review_loop", "patient-1", {"risk_tier": "high"})
    task = pathways.tasks(instance_id=instance.id)[0]
    return instance, task


def test_start_opens_the_first_human_task_as_an_inbox_row(started):
    instance, task = started
    assert task.title == "Monthly review"
    assert task.role == "care_manager"
    assert task.status == TaskStatus.OPEN
    assert task.patient_id == "patient-1"
    assert task.program == "Monthly review loop"
    assert task.stage == "Monthly review loop"
    assert task.form_schema == "review-schema.json"


def test_due_time_comes_from_the_due_in_property(started, frozen_clock):
    _, task = started
    assert task.due_at == frozen_clock.now() + timedelta(days=7)


def test_priority_comes_from_the_task_property(started):
    assert started[1].priority == PRIORITIES["high"]


def test_start_data_and_patient_id_reach_the_pathway(pathways, started):
    instance, _ = started
    data = pathways.instance_data(instance.id)
    assert data["risk_tier"] == "high" and data["patient_id"] == "patient-1"


def test_start_of_unknown_program_names_what_is_deployed(pathways, started):
    with pytest.raises(NotFound, match="review_loop"):
        pathways.start("no_such_program", "p1")


def test_start_without_patient_is_refused(pathways, started):
    with pytest.raises(InvalidInput, match="patient"):
        pathways.start("review_loop", "  ")


def test_completing_loops_back_to_a_new_review(pathways, started, care_manager):
    instance, task = started
    pathways.complete(task.id, {"decision": "continue"}, care_manager)
    open_tasks = pathways.tasks(instance_id=instance.id)
    assert len(open_tasks) == 1 and open_tasks[0].id != task.id
    assert pathways.task(task.id).status == TaskStatus.COMPLETED
    assert pathways.task(task.id).completed_by == care_manager.name


def test_discharge_completes_the_instance(pathways, started, care_manager):
    instance, task = started
    pathways.complete(task.id, {"decision": "discharge"}, care_manager)
    view = pathways.instance(instance.id)
    assert view.instance.status == InstanceStatus.COMPLETED
    assert view.instance.ended_at is not None
    assert pathways.instance_data(instance.id)["decision"] == "discharge"


def test_invalid_form_data_names_the_field_and_stores_nothing(pathways, started, care_manager):
    instance, task = started
    before = pathways.instance(instance.id).instance.lock_version
    with pytest.raises(FormInvalid) as err:
        pathways.complete(task.id, {"decision": "maybe"}, care_manager)
    assert "decision" in err.value.errors
    assert pathways.task(task.id).status == TaskStatus.OPEN
    assert pathways.instance(instance.id).instance.lock_version == before


def test_missing_required_field_is_reported_by_name(pathways, started, care_manager):
    with pytest.raises(FormInvalid) as err:
        pathways.complete(started[1].id, {}, care_manager)
    assert err.value.errors == {"decision": "is required"}


def test_completing_twice_gives_a_clear_conflict(pathways, started, care_manager):
    task = started[1]
    pathways.complete(task.id, {"decision": "continue"}, care_manager)
    with pytest.raises(Conflict, match="already completed by carl"):
        pathways.complete(task.id, {"decision": "continue"}, care_manager)


def test_actor_without_the_lane_role_may_not_complete(pathways, started, social_worker):
    with pytest.raises(Forbidden, match="care_manager"):
        pathways.complete(started[1].id, {"decision": "continue"}, social_worker)


def test_task_claimed_by_someone_else_cannot_be_completed_by_me(pathways, started, care_manager):
    other = Actor.person("olga", "care_manager")
    pathways.claim(started[1].id, other)
    with pytest.raises(Forbidden, match="claimed by olga"):
        pathways.complete(started[1].id, {"decision": "continue"}, care_manager)


def test_claim_sets_assignee_and_status(pathways, started, care_manager):
    row = pathways.claim(started[1].id, care_manager)
    assert row.assignee == "carl" and row.status == TaskStatus.CLAIMED


def test_second_claim_by_another_person_is_a_conflict(pathways, started, care_manager):
    pathways.claim(started[1].id, care_manager)
    with pytest.raises(Forbidden):
        pathways.claim(started[1].id, Actor.person("olga", "care_manager"))


def test_release_returns_the_task_to_the_role_queue(pathways, started, care_manager):
    pathways.claim(started[1].id, care_manager)
    row = pathways.release(started[1].id, care_manager)
    assert row.assignee is None and row.status == TaskStatus.OPEN


PASSWORD = "correct horse battery"


def test_assign_to_a_colleague_without_the_role_is_refused(pathways, started, care_manager):
    pathways.add_user("sam", PASSWORD, ["social_worker"])
    with pytest.raises(InvalidInput, match="does not hold"):
        pathways.assign(started[1].id, "sam", care_manager)


def test_assign_to_a_colleague_with_the_role(pathways, started, care_manager):
    pathways.add_user("olga", PASSWORD, ["care_manager"])
    row = pathways.assign(started[1].id, "olga", care_manager)
    assert row.assignee == "olga"


def test_assign_to_an_admin_is_allowed_whatever_the_role(pathways, started, care_manager):
    pathways.add_user("ada", PASSWORD, ["admin"])
    assert pathways.assign(started[1].id, "ada", care_manager).assignee == "ada"


def test_assign_to_a_disabled_account_is_refused(pathways, started, care_manager):
    pathways.add_user("olga", PASSWORD, ["care_manager"])
    pathways.set_active("olga", False)
    with pytest.raises(InvalidInput, match="cannot sign in"):
        pathways.assign(started[1].id, "olga", care_manager)


def test_assign_to_an_unknown_user_is_refused_naming_them(pathways, started, care_manager):
    with pytest.raises(InvalidInput, match="nobody signs in as 'nobody'"):
        pathways.assign(started[1].id, "nobody", care_manager)


def test_follow_up_date_is_kept(pathways, started, care_manager, frozen_clock):
    when = frozen_clock.now() + timedelta(days=3)
    assert pathways.set_follow_up(started[1].id, when, care_manager).follow_up_at == when


def test_unknown_task_is_not_found(pathways, started, care_manager):
    with pytest.raises(NotFound):
        pathways.complete(99999, {}, care_manager)


def test_suspended_instance_refuses_completion(pathways, started, care_manager):
    instance, task = started
    pathways.suspend(instance.id)
    with pytest.raises(InvalidState, match="suspended"):
        pathways.complete(task.id, {"decision": "continue"}, care_manager)


def test_completion_is_audited_with_who_and_what_changed(pathways, started, care_manager, database):
    pathways.complete(started[1].id, {"decision": "continue", "progress_note": "walks daily"}, care_manager)
    with database.transaction() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "completed")).one()
    assert event.actor == "carl"
    assert event.details["changed"] == {"decision": "continue", "progress_note": "walks daily"}


def _next_review(pathways, instance):
    return pathways.tasks(instance_id=instance.id)[0]


def test_a_cleared_answer_does_not_outlive_the_submission(pathways, started, care_manager):
    instance, task = started
    pathways.complete(task.id, {"decision": "continue", "progress_note": "walks daily"}, care_manager)
    pathways.complete(_next_review(pathways, instance).id, {"decision": "continue"}, care_manager,
                      cleared=["progress_note"])
    assert "progress_note" not in pathways.instance_data(instance.id)


def test_an_answer_left_out_without_clearing_keeps_its_earlier_value(pathways, started, care_manager):
    instance, task = started
    pathways.complete(task.id, {"decision": "continue", "progress_note": "walks daily"}, care_manager)
    pathways.complete(_next_review(pathways, instance).id, {"decision": "continue"}, care_manager)
    assert pathways.instance_data(instance.id)["progress_note"] == "walks daily"


def test_clearing_a_field_the_form_does_not_have_is_refused_and_nothing_stored(pathways, started, care_manager):
    instance, task = started
    with pytest.raises(InvalidInput, match="cannot clear 'risk_tier': not a field of the form"):
        pathways.complete(task.id, {"decision": "continue"}, care_manager, cleared=["risk_tier"])
    assert pathways.task(task.id).status == TaskStatus.OPEN
    assert pathways.instance_data(instance.id)["risk_tier"] == "high"


def test_a_cleared_answer_is_audited_as_emptied(pathways, started, care_manager, database):
    instance, task = started
    pathways.complete(task.id, {"decision": "continue", "progress_note": "walks daily"}, care_manager)
    pathways.complete(_next_review(pathways, instance).id, {"decision": "continue"}, care_manager,
                      cleared=["progress_note"])
    with database.transaction() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "completed")
                                 .order_by(AuditEvent.id)).all()
    assert events[-1].details["changed"] == {"progress_note": None}


def test_inbox_queries_by_role_assignee_and_overdue(pathways, started, care_manager, frozen_clock):
    pathways.start("review_loop", "patient-2")
    assert pathways.count_tasks(roles=["care_manager"]) == 2
    pathways.claim(started[1].id, care_manager)
    assert [t.id for t in pathways.tasks(assignee="carl")] == [started[1].id]
    assert pathways.count_tasks(overdue=True) == 0
    frozen_clock.advance(days=8)
    assert pathways.count_tasks(overdue=True) == 2


def test_terminate_cancels_open_tasks(pathways, started):
    instance, task = started
    pathways.terminate(instance.id, reason="patient moved away")
    assert pathways.task(task.id).status == TaskStatus.CANCELLED
    assert pathways.instance(instance.id).instance.status == InstanceStatus.TERMINATED


def test_inbox_rows_are_the_only_source_for_queries(pathways, started, database):
    with database.transaction() as session:
        rows = session.scalars(select(InboxTask)).all()
    assert len(rows) == 1


def test_viewing_an_instance_is_audited_with_who_and_which_patient(pathways, started, nurse, database):
    instance, _ = started
    pathways.instance(instance.id, viewer=nurse)
    pathways.instance_data(instance.id, viewer=nurse)
    with database.transaction() as session:
        views = session.scalars(select(AuditEvent).where(AuditEvent.action == "viewed")).all()
    assert [(v.actor, v.patient_id, v.details["what"]) for v in views] == [
        ("nina", "patient-1", "instance"), ("nina", "patient-1", "data")]


def test_a_pathway_loops_past_spiffworkflows_depth_limit(pathways, care_manager):
    """SpiffWorkflow's task iterator stops at depth 1000: unpruned, a two-task loop stalls at its 500th
    review. History pruning keeps the tree shallow, so a monthly review can repeat for decades."""
    pathways.deploy(REVIEW)
    register(pathways, "p-longterm")
    instance = pathways.start("review_loop", "p-longterm")
    for _ in range(520):
        (task,) = pathways.tasks(instance_id=instance.id)
        pathways.complete(task.id, {"decision": "continue"}, care_manager)
    (task,) = pathways.tasks(instance_id=instance.id)
    pathways.complete(task.id, {"decision": "discharge"}, care_manager)
    assert pathways.instance(instance.id).instance.status == InstanceStatus.COMPLETED


@pytest.mark.parametrize("lane,role", [("care_manager", "care_manager"), ("Care Manager", "care_manager"),
                                       ("Community health worker", "chw"), ("Nurse lead", "nurse_lead")])
def test_a_lane_names_its_role_by_id_or_by_label(lane, role):
    from engine.runtime.pending import role_from_lane

    assert role_from_lane(lane) == role
