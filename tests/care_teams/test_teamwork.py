"""Working beside colleagues: delegation round trips, comments that notify by @name, saved filters shared with a
role, follow-up dates in the inbox, the Program and Stage filters, time zones, what a completed task was completed
with, a recent result taken instead of asking again, and drafts kept when a colleague takes the task."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.service import Conflict, Forbidden, InboxQuery, InvalidInput, NotFound, Submission
from tests.care_teams.conftest import FIXTURES, actor
from tests.pathways.library import deploy_stages


@pytest.fixture
def review(teamed):
    """MRN-1's monthly review, routed to Carl (the lead care manager)."""
    teamed.deploy(FIXTURES / "bpmn" / "review_loop")
    instance = teamed.start("review_loop", "MRN-1", None, actor("carl"))
    return teamed.tasks(instance_id=instance.id)[0]


# ------------------------------------------------------------------------------------------------ delegation
def test_a_delegated_task_goes_to_the_colleague_asked(review, teamed):
    teamed.delegate(review.id, "pia", "Are her doses right?", actor("carl"))
    task = teamed.task(review.id)
    assert (task.assignee, task.delegated_by) == ("pia", "carl")


def test_the_colleague_asked_cannot_complete_the_task(review, teamed):
    teamed.delegate(review.id, "nina", "Can you check this?", actor("carl"))
    with pytest.raises(Forbidden, match="hand it back"):
        teamed.complete(review.id, {"decision": "continue"}, actor("nina"))


def test_handing_back_returns_the_task_to_its_owner_with_the_note(review, teamed):
    teamed.delegate(review.id, "pia", "Are her doses right?", actor("carl"))
    teamed.resolve_delegation(review.id, "Doses are right", actor("pia"))
    ctx = teamed.task_context(review.id, actor("carl"))
    assert (ctx.task.assignee, ctx.task.delegated_by) == ("carl", None)
    assert [(c.kind, c.body) for c in ctx.comments] == [("asked", "Are her doses right?"),
                                                        ("answered", "Doses are right")]


def test_the_owner_completes_the_task_once_it_is_back(review, teamed):
    teamed.delegate(review.id, "pia", "Are her doses right?", actor("carl"))
    teamed.resolve_delegation(review.id, "Doses are right", actor("pia"))
    assert teamed.complete(review.id, {"decision": "discharge"}, actor("carl")).status == "completed"


def test_only_the_colleague_asked_hands_the_task_back(review, teamed):
    teamed.delegate(review.id, "pia", "Are her doses right?", actor("carl"))
    with pytest.raises(Forbidden):
        teamed.resolve_delegation(review.id, "Looks fine", actor("ned"))


def test_the_owner_may_take_the_task_back_before_the_answer(review, teamed):
    teamed.delegate(review.id, "pia", "Are her doses right?", actor("carl"))
    teamed.take_back(review.id, actor("carl"))
    assert teamed.task(review.id).assignee == "carl"


def test_a_task_already_out_for_input_is_not_delegated_again(review, teamed):
    teamed.delegate(review.id, "pia", "Are her doses right?", actor("carl"))
    with pytest.raises(Conflict):
        teamed.delegate(review.id, "ned", "And you?", actor("carl"))


def test_asking_for_input_needs_a_note(review, teamed):
    with pytest.raises(InvalidInput, match="request"):
        teamed.delegate(review.id, "pia", " ", actor("carl"))


def test_the_colleague_asked_is_told_and_the_owner_hears_back(review, teamed):
    teamed.delegate(review.id, "pia", "Are her doses right?", actor("carl"))
    teamed.resolve_delegation(review.id, "Doses are right", actor("pia"))
    assert [n.kind for n in teamed.notices(actor("pia"))] == ["delegated"]
    assert [n.kind for n in teamed.notices(actor("carl"))] == ["resolved"]


def test_the_colleague_asked_may_open_the_task_without_its_role(review, teamed):
    teamed.delegate(review.id, "pia", "Are her doses right?", actor("carl"))
    assert teamed.task_context(review.id, actor("pia")).task.delegated_by == "carl"


# ------------------------------------------------------------------------------------------------ comments
def test_a_comment_notifies_the_colleagues_it_mentions(teamed):
    teamed.add_comment("MRN-1", "@ned please visit on Friday, @nobody-here too", actor("carl"))
    assert [n.text for n in teamed.notices(actor("ned"))] == ["carl mentioned you on a patient's record"]


def test_a_comment_is_seen_on_the_patients_page(teamed):
    teamed.add_comment("MRN-1", "Prefers calls after 4pm", actor("carl"))
    assert [c.body for c in teamed.patient_page("MRN-1", actor("pia")).record.comments] == ["Prefers calls after 4pm"]


def test_reading_a_notice_clears_it(teamed):
    teamed.add_comment("MRN-1", "@ned please visit", actor("carl"))
    (notice,) = teamed.notices(actor("ned"))
    teamed.mark_notices_read(actor("ned"), notice.id)
    assert teamed.unread_notices(actor("ned")) == 0


def test_someone_elses_notice_cannot_be_marked(teamed):
    teamed.add_comment("MRN-1", "@ned please visit", actor("carl"))
    (notice,) = teamed.notices(actor("ned"))
    with pytest.raises(NotFound):
        teamed.mark_notices_read(actor("pia"), notice.id)


def test_someone_outside_the_team_cannot_comment(teamed):
    with pytest.raises(Forbidden):
        teamed.add_comment("MRN-1", "Hello", actor("dana"))


def test_an_empty_comment_is_refused(teamed):
    with pytest.raises(InvalidInput, match="write the comment"):
        teamed.add_comment("MRN-1", "   ", actor("carl"))


# ------------------------------------------------------------------------------------------------ filters
def test_a_saved_filter_is_the_owners_tab(teamed):
    saved = teamed.save_filter("Ada's", {"q": "Ada", "tab": "mine"}, actor("carl"))
    assert [(f.name, f.query) for f in teamed.saved_filters(actor("carl"))] == [(saved.name, {"q": "Ada",
                                                                                             "tab": "mine"})]


def test_a_filter_shared_with_a_role_is_seen_by_its_holders(teamed):
    teamed.save_filter("Overdue CCM", {"program": "CCM"}, actor("nina"), shared_role="nurse")
    assert [f.name for f in teamed.saved_filters(actor("ned"))] == ["Overdue CCM"]


def test_a_private_filter_is_not_seen_by_others(teamed):
    teamed.save_filter("Mine", {"program": "CCM"}, actor("nina"))
    assert teamed.saved_filters(actor("ned")) == []


def test_a_filter_is_shared_only_with_a_role_its_owner_holds(teamed):
    with pytest.raises(InvalidInput, match="role you hold"):
        teamed.save_filter("Mine", {"program": "CCM"}, actor("carl"), shared_role="nurse")


def test_a_filter_without_any_filter_is_refused(teamed):
    with pytest.raises(InvalidInput, match="set a filter"):
        teamed.save_filter("Nothing", {"tab": "mine"}, actor("carl"))


def test_only_its_owner_removes_a_shared_filter(teamed):
    saved = teamed.save_filter("Overdue CCM", {"program": "CCM"}, actor("nina"), shared_role="nurse")
    with pytest.raises(InvalidInput):
        teamed.delete_filter(saved.id, actor("ned"))


# ------------------------------------------------------------------------------------------------ inbox
def test_the_follow_up_tab_holds_my_tasks_whose_follow_up_day_has_come(review, teamed, frozen_clock):
    teamed.set_follow_up(review.id, frozen_clock.now() + timedelta(days=2), actor("carl"))
    query = InboxQuery(username="carl", viewer_roles=("care_manager",), tab="follow_up")
    assert teamed.inbox(query).total == 0
    frozen_clock.advance(timedelta(days=2))
    assert [t.id for t in teamed.inbox(query).tasks] == [review.id]


def test_the_follow_up_tab_takes_the_end_of_the_persons_own_day(review, teamed, frozen_clock):
    teamed.set_follow_up(review.id, frozen_clock.now() + timedelta(hours=20), actor("carl"))
    tonight = frozen_clock.now() + timedelta(hours=21)
    query = InboxQuery(username="carl", viewer_roles=("care_manager",), tab="follow_up", today_ends=tonight)
    assert teamed.inbox(query).total == 1


def test_the_program_filter_offers_programs_not_their_stages(teamed):
    deploy_stages(teamed, "assessment", "mood_screening")
    assert teamed.inbox_programs() == ["Assessment"] and "Mood screening" in teamed.inbox_stages()


def test_the_stage_filter_finds_the_tasks_of_a_stage(review, teamed):
    assert teamed.count_tasks(stage="Monthly review loop") == 1 and teamed.count_tasks(stage="Other") == 0


def test_assign_to_offers_the_tasks_role_holders_with_the_care_team_first(review, teamed):
    colleagues = [u for u, _ in teamed.task_context(review.id, actor("carl")).colleagues]
    assert colleagues == ["carl", "cora", "nina"]  # not the admin; Carl is on the team


# ------------------------------------------------------------------------------------------------ time zones
def test_a_person_chooses_their_own_time_zone(teamed):
    teamed.set_time_zone("America/Chicago", actor("carl"))
    assert teamed.time_zone_of("carl") == "America/Chicago"


def test_an_unknown_time_zone_is_refused(teamed):
    with pytest.raises(InvalidInput, match="not a time zone"):
        teamed.set_time_zone("Mars/Olympus", actor("carl"))


def test_clearing_the_time_zone_falls_back_to_the_installations(teamed):
    teamed.set_time_zone("America/Chicago", actor("carl"))
    teamed.set_time_zone("", actor("carl"))
    assert teamed.time_zone_of("carl") is None


# ------------------------------------------------------------------------------------------------ results
def test_a_completed_task_keeps_what_it_was_completed_with(review, teamed):
    teamed.complete(review.id, {"decision": "discharge", "notes": "Goals met"}, actor("carl"))
    result = teamed.task_context(review.id, actor("carl")).result
    assert (result.answers, result.completed_by) == ({"decision": "discharge", "notes": "Goals met"}, "carl")


def test_a_recent_phq9_is_taken_by_the_next_program_instead_of_asking_again(care, frozen_clock):
    deploy_stages(care, "mood_screening")
    first = care.start("mood_screening", "MRN-1", {}, actor("carl"))
    answers = {f"phq9_{n}": 1 for n in range(1, 10)} | {"phq9_9": 0, "phq9_difficulty": "somewhat_difficult"}
    care.complete(care.tasks(instance_id=first.id)[0].id, answers, actor("carl"))
    care.terminate(first.id, actor("admin"))
    frozen_clock.advance(timedelta(days=10))
    second = care.start("mood_screening", "MRN-1", {}, actor("carl"))
    recent = care.task_context(care.tasks(instance_id=second.id)[0].id, actor("carl")).recent
    assert recent is not None and recent.answers["phq9_1"] == 1


def test_a_phq9_older_than_the_window_is_asked_again(care, frozen_clock):
    deploy_stages(care, "mood_screening")
    first = care.start("mood_screening", "MRN-1", {}, actor("carl"))
    answers = {f"phq9_{n}": 0 for n in range(1, 10)}
    care.complete(care.tasks(instance_id=first.id)[0].id, answers, actor("carl"))
    care.terminate(first.id, actor("admin"))
    frozen_clock.advance(timedelta(days=15))
    second = care.start("mood_screening", "MRN-1", {}, actor("carl"))
    assert care.task_context(care.tasks(instance_id=second.id)[0].id, actor("carl")).recent is None


# ------------------------------------------------------------------------------------------------ drafts
def test_a_draft_saved_after_a_colleague_claimed_is_kept_and_says_who(care):
    care.deploy(FIXTURES / "bpmn" / "review_loop")
    instance = care.start("review_loop", "MRN-2", None, actor("carl"))
    task = care.tasks(instance_id=instance.id)[0]
    care.claim(task.id, actor("nina"))
    row = care.save_draft(task.id, _submission({"decision": "continue"}), actor("carl"))
    assert row.assignee == "nina" and care.task_context(task.id, actor("carl")).draft == {"decision": "continue"}


def _submission(data):
    return Submission(data)
