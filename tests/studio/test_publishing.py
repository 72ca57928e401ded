"""Publishing: a clean lint, every test green, a change note and a second person's approval make a new immutable
version; new starts take it, running instances keep theirs; history shows who, when, the note, the approver and
the tests; a rollback publishes an older version again as a new one."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.config import StudioSettings
from engine.errors import Forbidden, InvalidInput, InvalidState
from engine.models import AuditEvent
from tests.pathways.answers import CCM_CANDIDATE
from tests.registry import register
from tests.studio.conftest import ADMIN, LEAD, NURSE, SECOND_LEAD, edit, ready_to_publish

NOTE = "Clearer name for the CCM start event"


def test_publishing_waits_for_a_second_persons_approval(studio, draft):
    ready_to_publish(studio, draft)
    assert studio.request_publish(draft, NOTE, LEAD) is None
    assert len(studio.versions()) == 1


def test_an_approval_publishes_a_new_version(studio, draft):
    ready_to_publish(studio, draft)
    studio.request_publish(draft, NOTE, LEAD)
    result = studio.review_draft(draft, "approved", None, SECOND_LEAD)
    assert (result.deployment.version, result.deployment.deployed_by) == (2, "lead")


def test_an_admin_may_approve(studio, draft):
    ready_to_publish(studio, draft)
    studio.request_publish(draft, NOTE, LEAD)
    assert studio.review_draft(draft, "approved", None, ADMIN).deployment.version == 2


def test_the_author_cannot_approve_their_own_draft(studio, draft):
    ready_to_publish(studio, draft)
    studio.request_publish(draft, NOTE, LEAD)
    with pytest.raises(Forbidden, match="a second person"):
        studio.review_draft(draft, "approved", None, LEAD)


def test_someone_who_edited_the_draft_cannot_approve_it(studio, draft):
    ready_to_publish(studio, draft)
    edit(studio, draft, "bpmn/tcm.bpmn", b'name="Transitional Care Management"', b'name="TCM"', actor=SECOND_LEAD)
    studio.run_draft_tests(draft, LEAD)
    studio.request_publish(draft, NOTE, LEAD)
    with pytest.raises(Forbidden):
        studio.review_draft(draft, "approved", None, SECOND_LEAD)


def test_a_care_manager_cannot_approve(studio, draft):
    ready_to_publish(studio, draft)
    studio.request_publish(draft, NOTE, LEAD)
    with pytest.raises(Forbidden):
        studio.review_draft(draft, "approved", None, NURSE)


def test_an_edit_after_the_approval_needs_a_new_one(studio, draft):
    ready_to_publish(studio, draft)
    studio.request_publish(draft, NOTE, LEAD)
    studio.review_draft(draft, "changes_requested", "Say 'referral' instead", SECOND_LEAD)
    edit(studio, draft, "bpmn/ccm.bpmn", b"Patient referred to CCM", b"Referral to CCM")
    studio.run_draft_tests(draft, LEAD)
    with pytest.raises(InvalidState, match="a second person's approval"):
        studio.publish_draft(draft, LEAD)


def test_publishing_needs_a_change_note(studio, draft):
    ready_to_publish(studio, draft)
    with pytest.raises(InvalidInput, match="change note"):
        studio.request_publish(draft, "", LEAD)


def test_publishing_needs_a_green_run_of_the_draft_as_it_is_now(studio, draft):
    ready_to_publish(studio, draft)
    edit(studio, draft, "bpmn/ccm.bpmn", b"Patient referred to CCM", b"Referral to CCM")
    with pytest.raises(InvalidState, match="a test run of the draft as it is now"):
        studio.request_publish(draft, NOTE, LEAD)


def test_publishing_needs_every_test_green(studio, draft):
    edit(studio, draft, "bpmn/ccm.bpmn", b"program_code = 'ccm'", b"program_code = 'ccm2'")
    run = studio.run_draft_tests(draft, LEAD)
    assert run.failed > 0
    with pytest.raises(InvalidState, match="every test green"):
        studio.request_publish(draft, NOTE, LEAD)


def test_publishing_needs_a_clean_lint(studio, draft):
    edit(studio, draft, "bpmn/ccm.bpmn", b'name="Set up program"', b'name=""')
    studio.run_draft_tests(draft, LEAD)
    with pytest.raises(InvalidState, match="a clean lint"):
        studio.request_publish(draft, NOTE, LEAD)


def test_without_two_person_review_a_clean_draft_is_published_at_once(studio, draft):
    studio.studio_settings = StudioSettings(two_person_review=False)
    ready_to_publish(studio, draft)
    assert studio.request_publish(draft, NOTE, LEAD).deployment.version == 2


def test_two_person_review_is_on_unless_the_installation_turns_it_off():
    assert (StudioSettings.from_env({}).two_person_review,
            StudioSettings.from_env({"CAREPATH_STUDIO_TWO_PERSON_REVIEW": "off"}).two_person_review) == (True, False)


def test_new_starts_take_the_published_version_and_running_instances_keep_theirs(studio, draft):
    register(studio, "MRN-OLD")
    register(studio, "MRN-NEW")
    before = studio.start("ccm", "MRN-OLD", CCM_CANDIDATE, NURSE)
    ready_to_publish(studio, draft)
    studio.request_publish(draft, NOTE, LEAD)
    studio.review_draft(draft, "approved", None, ADMIN)
    after = studio.start("ccm", "MRN-NEW", CCM_CANDIDATE, NURSE)
    old, new = studio.instance(before.id).instance, studio.instance(after.id).instance
    assert (old.deployment_id, new.deployment_id) == (studio.versions()[0].id, studio.versions()[1].id)


def test_the_version_listing_shows_the_note_the_approver_and_the_tests(studio, draft):
    ready_to_publish(studio, draft)
    studio.request_publish(draft, NOTE, LEAD)
    studio.review_draft(draft, "approved", None, SECOND_LEAD)
    first, second = studio.versions()
    assert first.publication is None
    assert (second.publication.change_note, second.publication.approved_by, second.publication.published_by,
            second.publication.tests_passed, second.publication.tests_failed) == (NOTE, "lee", "lead", 20, 0)


def test_a_roll_back_publishes_an_older_version_again_as_a_new_one(studio, draft):
    ready_to_publish(studio, draft)
    studio.request_publish(draft, NOTE, LEAD)
    studio.review_draft(draft, "approved", None, SECOND_LEAD)
    back = studio.roll_back("pathways", 1, LEAD)
    studio.run_draft_tests(back, LEAD)
    studio.request_publish(back, "Roll back: the new name confused the team", LEAD)
    result = studio.review_draft(back, "approved", None, ADMIN)
    history = studio.version_history("pathways", LEAD)
    assert (result.deployment.version, result.deployment.content_hash, history[0].publication.rollback_of) == (
        3, studio.versions()[0].content_hash, 1)


def test_publishing_is_audited(studio, draft):
    ready_to_publish(studio, draft)
    studio.request_publish(draft, NOTE, LEAD)
    studio.review_draft(draft, "approved", None, SECOND_LEAD)
    with studio.reading() as session:
        actions = {(e.actor, e.action) for e in session.scalars(select(AuditEvent))}
    assert {("lead", "studio_submitted"), ("lee", "studio_reviewed"), ("lead", "studio_published"),
            ("lead", "studio_tested")} <= actions
