"""What publishing a draft takes, and the record it leaves.

Nothing reaches a care manager unless it is linted clean, tested green, noted and reviewed:

- a clean lint: no error or warning (`carepath lint`'s default), deploy's own checks included;
- every test case of the draft green, run on the content the draft has now;
- a change note saying what changed and why;
- with two-person review (on by default, `CAREPATH_STUDIO_TWO_PERSON_REVIEW`), the approval of a second person,
  a clinical lead or an admin who did not edit the draft, given to the content the draft has now. An edit after
  the approval needs a new one.

Publishing deploys the draft through the deploy path (`engine.deploy.versions.deploy`): a new immutable numbered
version with its content hash. New starts take it; running instances stay on theirs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Forbidden, InvalidInput, InvalidState
from engine.models import (
    Deployment,
    DraftStatus,
    PathwayPublication,
    StudioDraft,
    StudioReview,
    StudioTestRun,
)
from engine.roles import ADMIN, CLINICAL_LEAD
from engine.store import audit
from engine.studio import drafts
from engine.time import clock

APPROVED, CHANGES_REQUESTED = "approved", "changes_requested"
DECISIONS = (APPROVED, CHANGES_REQUESTED)
MAX_NOTE = 4000


@dataclass
class Readiness:
    """What the draft still needs before it can be published (empty `missing`: ready)."""

    content_hash: str
    lint_errors: int
    lint_warnings: int
    test_run: StudioTestRun | None
    approval: StudioReview | None
    two_person: bool
    change_note: str | None
    missing: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.missing


def check_note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) < 10:
        raise InvalidInput("change note: say what changed and why, in at least 10 characters")
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"change note: at most {MAX_NOTE} characters")
    return note


def latest_run(session: Session, draft_id: int) -> StudioTestRun | None:
    return session.scalars(select(StudioTestRun).where(StudioTestRun.draft_id == draft_id)
                           .order_by(StudioTestRun.id.desc()).limit(1)).first()


def reviews(session: Session, draft_id: int) -> list[StudioReview]:
    return list(session.scalars(select(StudioReview).where(StudioReview.draft_id == draft_id)
                                .order_by(StudioReview.id)))


def valid_approval(session: Session, draft_id: int, content_hash: str) -> StudioReview | None:
    """The latest review of the content the draft has now, when it approved it."""
    latest = [r for r in reviews(session, draft_id) if r.content_hash == content_hash]
    return latest[-1] if latest and latest[-1].decision == APPROVED else None


def readiness(session: Session, draft: StudioDraft, lint_counts: dict, two_person: bool) -> Readiness:
    content_hash = drafts.content_hash(session, draft)
    run = latest_run(session, draft.id)
    approval = valid_approval(session, draft.id, content_hash)
    state = Readiness(content_hash, lint_counts.get("error", 0), lint_counts.get("warning", 0), run, approval,
                      two_person, draft.change_note)
    if state.lint_errors or state.lint_warnings:
        state.missing.append(f"a clean lint ({state.lint_errors} error(s), {state.lint_warnings} warning(s) now)")
    if run is None or run.content_hash != content_hash:
        state.missing.append("a test run of the draft as it is now")
    elif run.failed or not run.passed:
        state.missing.append(f"every test green ({run.failed} failing, {run.passed} passing)"
                             if run.passed or run.failed else "at least one test case")
    if not (draft.change_note or "").strip():
        state.missing.append("a change note")
    if two_person and approval is None:
        state.missing.append("a second person's approval of the draft as it is now")
    return state


def submit(session: Session, draft: StudioDraft, note: str, actor: str) -> None:
    drafts.open_draft(draft)
    draft.change_note = check_note(note)
    draft.status = DraftStatus.IN_REVIEW
    draft.submitted_by, draft.submitted_at = actor, clock.now()
    drafts.record(session, draft, "submitted", actor, summary=draft.change_note[:200])


def may_review(session: Session, draft: StudioDraft, actor_name: str, actor_roles) -> bool:
    """Whether `review` would take this person's decision now (the review page offers it to them only)."""
    return (CLINICAL_LEAD in actor_roles or ADMIN in actor_roles) and draft.status == DraftStatus.IN_REVIEW \
        and actor_name != draft.submitted_by and actor_name not in drafts.editors(session, draft.id)


def review(session: Session, draft: StudioDraft, decision: str, comment: str | None, actor_name: str,
           actor_roles, content_hash: str) -> StudioReview:
    drafts.open_draft(draft)
    if decision not in DECISIONS:
        raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}")
    if not (CLINICAL_LEAD in actor_roles or ADMIN in actor_roles):
        raise Forbidden("only a clinical lead or an admin may review a draft")
    if draft.status != DraftStatus.IN_REVIEW:
        raise InvalidState(f"draft {draft.id} was not sent for review: its author writes a change note and asks "
                           "for a review first")
    if actor_name in drafts.editors(session, draft.id) or actor_name == draft.submitted_by:
        raise Forbidden(f"{actor_name} edited or submitted draft {draft.id}: a second person must review it")
    comment = (comment or "").strip() or None
    if decision == CHANGES_REQUESTED and not comment:
        raise InvalidInput("comment: say which changes are needed")
    row = StudioReview(draft_id=draft.id, content_hash=content_hash, decision=decision, reviewer=actor_name,
                       at=clock.now(), comment=comment[:4000] if comment else None)
    session.add(row)
    if decision == CHANGES_REQUESTED:
        draft.status = DraftStatus.EDITING
    drafts.record(session, draft, "reviewed", actor_name, summary=f"{decision.replace('_', ' ')}"
                  + (f": {comment[:150]}" if comment else ""))
    session.flush()
    return row


def record_publication(session: Session, draft: StudioDraft, deployment: Deployment, state: Readiness,
                       actor: str) -> PathwayPublication:
    base = session.get(Deployment, draft.base_deployment_id) if draft.base_deployment_id else None
    rollback_of = base.version if base is not None and base.content_hash == state.content_hash \
        and draft.title.startswith("Roll back") else None
    publication = PathwayPublication(
        deployment_id=deployment.id, draft_id=draft.id, change_note=draft.change_note or "", published_by=actor,
        published_at=clock.now(), approved_by=state.approval.reviewer if state.approval else None,
        approved_at=state.approval.at if state.approval else None,
        tests_passed=state.test_run.passed if state.test_run else 0,
        tests_failed=state.test_run.failed if state.test_run else 0, rollback_of=rollback_of)
    session.add(publication)
    draft.status = DraftStatus.PUBLISHED
    draft.published_deployment_id = deployment.id
    drafts.record(session, draft, "published", actor, summary=f"published as {deployment.label}")
    audit.record(session, "studio_published", actor, deployment_id=deployment.id,
                 details={"draft": draft.id, "version": deployment.version, "note": (draft.change_note or "")[:300],
                          "approved_by": publication.approved_by, "tests_passed": publication.tests_passed})
    session.flush()
    return publication
