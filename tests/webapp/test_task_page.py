"""The task page: the form prefilled, per-field messages, drafts, submitting through the engine, the next task,
minutes spent; refusals (claimed by someone else, already completed, tampered field) store nothing."""
from __future__ import annotations

from html import unescape

from sqlalchemy import select

from engine.care.actors import Actor
from engine.models import TaskDraft, TimeEntry

CARL = Actor.person("carl", "care_manager")


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def submit(browser, task, **fields):
    data = {"task_uuid": task.task_uuid, "action": "submit", **fields}
    return browser.post(f"/tasks/{task.id}", data)


def test_task_page_shows_the_form_with_its_choices(signed_in, review):
    page = text(signed_in("carl").get(f"/tasks/{review.id}"))
    assert "Monthly review" in page and 'name="decision"' in page and "Progress on goals" in page


def test_a_missing_required_answer_gets_a_field_message_and_keeps_the_rest(signed_in, review, service):
    response = submit(signed_in("carl"), review, progress_note="walking daily")
    page = text(response)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in page and "walking daily" in page
    assert service.task(review.id).status == "open"


def test_submitting_completes_the_task_through_the_engine(signed_in, review, service):
    submit(signed_in("carl"), review, decision="discharge")
    assert service.task(review.id).status == "completed"


def test_submitting_offers_the_next_task_for_the_same_patient(signed_in, review, service):
    response = submit(signed_in("carl"), review, decision="continue")
    following = service.tasks(patient_id="MRN-1")[0]
    assert response.headers["Location"] == f"/tasks/{following.id}"


def test_without_a_next_task_submitting_returns_to_the_inbox(signed_in, review):
    response = submit(signed_in("carl"), review, decision="discharge")
    assert response.headers["Location"] == "/inbox"


def test_an_answer_emptied_on_the_page_is_cleared_from_the_pathway_data(signed_in, review, service):
    carl = signed_in("carl")
    submit(carl, review, decision="continue", progress_note="walking daily")
    second = service.tasks(patient_id="MRN-1")[0]
    assert "walking daily" in text(carl.get(f"/tasks/{second.id}"))  # the loop's form opens with it
    submit(carl, second, decision="continue", progress_note="")
    assert "progress_note" not in service.instance_data(second.instance_id)


def test_minutes_spent_are_recorded_for_the_month(signed_in, review, service):
    submit(signed_in("carl"), review, decision="discharge", _minutes="12")
    with service.db.transaction() as s:
        entry = s.scalars(select(TimeEntry)).one()
        assert (entry.username, entry.minutes, entry.patient_id) == ("carl", 12, "MRN-1")


def test_minutes_that_are_not_a_number_are_refused_and_nothing_is_stored(signed_in, review, service):
    response = submit(signed_in("carl"), review, decision="discharge", _minutes="a while")
    assert response.status_code == 400 and "whole number" in text(response)
    assert service.task(review.id).status == "open"


def test_a_draft_is_saved_without_completing_and_fills_the_form_again(signed_in, review, service):
    carl = signed_in("carl")
    carl.post(f"/tasks/{review.id}", {"task_uuid": review.task_uuid, "action": "draft",
                                     "progress_note": "half way"})
    assert service.task(review.id).status == "open"
    assert "half way" in text(carl.get(f"/tasks/{review.id}"))


def test_a_draft_is_only_seen_by_its_author(signed_in, review):
    signed_in("carl").post(f"/tasks/{review.id}", {"task_uuid": review.task_uuid, "action": "draft",
                                                  "progress_note": "private note"})
    assert "private note" not in text(signed_in("nina").get(f"/tasks/{review.id}"))


def test_submitting_removes_the_draft(signed_in, review, service):
    carl = signed_in("carl")
    carl.post(f"/tasks/{review.id}", {"task_uuid": review.task_uuid, "action": "draft", "progress_note": "x"})
    submit(carl, review, decision="discharge")
    with service.db.transaction() as s:
        assert s.scalars(select(TaskDraft)).all() == []


def test_a_task_claimed_by_someone_else_cannot_be_completed(signed_in, review, service):
    signed_in("nina").post(f"/tasks/{review.id}/claim")
    response = submit(signed_in("carl"), review, decision="discharge")
    assert response.status_code == 409 and "Nina took this task" in text(response)
    assert service.task(review.id).status == "claimed"


def test_submitting_a_task_a_colleague_took_keeps_the_answers_as_a_draft(signed_in, review, service):
    signed_in("nina").post(f"/tasks/{review.id}/claim")
    submit(signed_in("carl"), review, decision="discharge")
    with service.db.transaction() as s:
        assert s.scalar(select(TaskDraft.data).where(TaskDraft.username == "carl")) == {"decision": "discharge"}


def test_saving_a_draft_after_a_colleague_claimed_says_so_plainly_without_a_success_message(signed_in, review):
    carl = signed_in("carl")
    carl.get(f"/tasks/{review.id}")
    signed_in("nina").post(f"/tasks/{review.id}/claim")
    response = carl.post(f"/tasks/{review.id}", {"task_uuid": review.task_uuid, "action": "draft",
                                                 "decision": "continue"})
    page = text(response)
    assert response.status_code == 409
    assert "Nina took this task" in page and "kept as your draft" in page and "Draft saved" not in page
    assert 'value="continue" checked' in page or "Continue" in page


def test_a_completed_task_cannot_be_submitted_again(signed_in, review, service):
    carl = signed_in("carl")
    submit(carl, review, decision="discharge")
    response = submit(carl, review, decision="continue")
    assert response.status_code == 409 and "already completed" in text(response)


def test_a_tampered_task_field_is_refused_and_nothing_is_stored(signed_in, review, service):
    response = submit(signed_in("carl"), review, decision="discharge", task_uuid="not-this-task")
    assert response.status_code == 409 and "nothing was saved" in text(response)
    assert service.task(review.id).status == "open"


def test_a_value_outside_the_choices_gets_a_field_message(signed_in, review, service):
    response = submit(signed_in("carl"), review, decision="promote")
    assert response.status_code == 400 and service.task(review.id).status == "open"


def test_submitting_without_the_csrf_token_is_refused(signed_in, review, service):
    response = signed_in("carl").post(f"/tasks/{review.id}", {"task_uuid": review.task_uuid,
                                                              "decision": "discharge"}, csrf=False)
    assert response.status_code == 400 and service.task(review.id).status == "open"


def test_an_unknown_task_is_a_404(signed_in, users):
    assert signed_in("carl").get("/tasks/99999").status_code == 404


def test_a_task_of_another_role_is_forbidden(signed_in, review):
    assert signed_in("sam").get(f"/tasks/{review.id}").status_code == 403


def test_viewing_a_task_is_audited(signed_in, review, service):
    from engine.models import AuditEvent

    signed_in("nina").get(f"/tasks/{review.id}")
    with service.db.transaction() as s:
        viewed = s.scalars(select(AuditEvent).where(AuditEvent.action == "viewed")).all()
        assert [(e.actor, e.details["what"]) for e in viewed] == [("nina", "task")]
