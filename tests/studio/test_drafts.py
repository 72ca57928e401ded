"""Drafts on the server: opened from a version, saved file by file with a conflict check, every change recorded,
never seen by care managers until published."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from engine.models import AuditEvent
from tests.registry import register
from tests.studio.conftest import ADMIN, LEAD, NURSE, SECOND_LEAD, edit, file_of


def test_a_draft_opens_as_a_copy_of_the_newest_version(studio, draft):
    view = studio.draft_files(draft, LEAD)
    assert view.draft.base_deployment_id == studio.versions()[-1].id
    assert "bpmn/ccm.bpmn" in {f["path"] for f in view.files}
    assert all(f["version"] == 1 for f in view.files)


def test_a_draft_can_open_from_an_older_version(studio, draft):
    edit(studio, draft, "bpmn/ccm.bpmn", b"Patient referred for CCM", b"Patient referred to CCM")
    studio.deploy(studio._draft_bundle(draft))  # version 2 (from the command line)
    older = studio.open_draft("pathways", LEAD, version=1)
    content, _ = file_of(studio, older, "bpmn/ccm.bpmn")
    assert b"Patient referred for CCM" in content


def test_a_save_raises_the_file_version_and_lints_the_draft(studio, draft):
    saved = edit(studio, draft, "bpmn/ccm.bpmn", b"Patient referred for CCM", b"Patient referred to CCM")
    assert saved.version == 2
    assert [f for f in saved.findings if f.severity == "error"] == []


def test_two_leads_saving_the_same_file_get_a_conflict_and_nothing_is_lost(studio, draft):
    content, version = file_of(studio, draft, "bpmn/ccm.bpmn")
    studio.save_draft_file(draft, "bpmn/ccm.bpmn", content.replace(b"for CCM", b"to CCM", 1), version, LEAD)
    with pytest.raises(Conflict, match="saved by lead"):
        studio.save_draft_file(draft, "bpmn/ccm.bpmn", content.replace(b"for CCM", b"into CCM", 1), version,
                               SECOND_LEAD)
    kept, now = file_of(studio, draft, "bpmn/ccm.bpmn")
    assert (b"Patient referred to CCM" in kept, now) == (True, 2)


def test_saves_of_different_files_by_two_leads_do_not_conflict(studio, draft):
    edit(studio, draft, "bpmn/ccm.bpmn", b"Patient referred for CCM", b"Patient referred to CCM")
    saved = edit(studio, draft, "bpmn/tcm.bpmn", b'name="Transitional Care Management"',
                 b'name="Transitional care management"', actor=SECOND_LEAD)
    assert saved.version == 2


def test_every_change_says_who_changed_what_and_when(studio, draft, frozen_clock):
    edit(studio, draft, "bpmn/ccm.bpmn", b"Patient referred for CCM", b"Patient referred to CCM", actor=SECOND_LEAD)
    change = studio.draft_files(draft, LEAD).changes[0]
    assert (change.actor, change.action, change.path, change.file_version, change.at) == (
        "lee", "saved", "bpmn/ccm.bpmn", 2, frozen_clock.now())


def test_draft_changes_are_audited(studio, draft):
    edit(studio, draft, "bpmn/ccm.bpmn", b"Patient referred for CCM", b"Patient referred to CCM")
    with studio.reading() as session:
        actions = [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.actor == "lead"))]
    assert {"studio_opened", "studio_saved"} <= set(actions)


def test_a_new_file_is_added_and_can_be_removed(studio, draft):
    studio.save_draft_file(draft, "forms/new-schema.json", b'{"type": "object", "properties": {}}', None, LEAD)
    _, version = file_of(studio, draft, "forms/new-schema.json")
    studio.remove_draft_file(draft, "forms/new-schema.json", version, LEAD)
    with pytest.raises(NotFound):
        file_of(studio, draft, "forms/new-schema.json")


def test_a_file_outside_the_bundle_folders_is_refused(studio, draft):
    with pytest.raises(InvalidInput, match="bpmn/NAME.bpmn"):
        studio.save_draft_file(draft, "../etc/passwd.bpmn", b"<x/>", None, LEAD)


def test_a_draft_is_never_what_a_care_manager_starts(studio, draft):
    edit(studio, draft, "bpmn/ccm.bpmn", b"Patient referred for CCM", b"Patient referred to CCM")
    register(studio, "MRN-D")
    instance = studio.start("ccm", "MRN-D", {}, NURSE)
    assert (len(studio.versions()), instance.deployment_id) == (1, studio.versions()[0].id)


def test_a_discarded_draft_can_no_longer_change(studio, draft):
    studio.discard_draft(draft, LEAD)
    with pytest.raises(InvalidState, match="discarded"):
        edit(studio, draft, "bpmn/ccm.bpmn", b"Patient referred for CCM", b"Patient referred to CCM")


def test_only_a_clinical_lead_edits(studio, draft):
    with pytest.raises(Forbidden):
        edit(studio, draft, "bpmn/ccm.bpmn", b"Patient referred for CCM", b"x", actor=ADMIN)


def test_a_care_manager_cannot_see_the_studio(studio):
    with pytest.raises(Forbidden):
        studio.studio_workspace(NURSE)


def test_the_workspace_lists_each_bundle_with_its_versions_and_open_drafts(studio, draft):
    workspace = studio.studio_workspace(ADMIN)
    bundle = workspace["bundles"]["pathways"]
    assert ([r.deployment.version for r in bundle["versions"]], [d.id for d in bundle["drafts"]]) == ([1], [draft])


def test_tidy_layout_saves_a_new_version_of_the_diagram(studio, draft):
    content, version = file_of(studio, draft, "bpmn/ccm.bpmn")
    moved = content.replace(b'<dc:Bounds x="350" y="90"', b'<dc:Bounds x="380" y="95"', 1)
    studio.save_draft_file(draft, "bpmn/ccm.bpmn", moved, version, LEAD)
    saved = studio.tidy_draft_file(draft, "bpmn/ccm.bpmn", version + 1, LEAD)
    tidied, _ = file_of(studio, draft, "bpmn/ccm.bpmn")
    assert (saved.version, b'x="380" y="95"' in tidied) == (version + 2, False)


def test_a_new_program_from_the_template_calls_the_library_stages_and_lints_clean(studio):
    draft_id = studio.new_program("pathways", "copd", "COPD management", LEAD)
    content, _ = file_of(studio, draft_id, "bpmn/copd.bpmn")
    findings = [f for f in studio.lint_draft(draft_id, LEAD) if f.severity != "info"]
    called = [s for s in ("identification", "engagement", "assessment", "planning", "implementation",
                          "evaluation", "discharge") if f'calledElement="{s}"'.encode() in content]
    assert (findings, len(called)) == ([], 7)


def test_a_new_program_id_that_exists_is_refused(studio):
    with pytest.raises(InvalidInput, match="already has a process"):
        studio.new_program("pathways", "ccm", "CCM again", LEAD)
