"""The pathway studio's rows: drafts of a bundle (its files, each with a version number that catches two saves of
the same file), the changes made to them, test runs, reviews, and how a pathway version was published."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from engine.models.base import Base, JsonDoc
from engine.models.deployment import Deployment


class DraftStatus:
    EDITING = "editing"
    IN_REVIEW = "in_review"  # a change note was written and a second person was asked to approve
    PUBLISHED = "published"
    DISCARDED = "discarded"
    OPEN = (EDITING, IN_REVIEW)


class StudioDraft(Base):
    """A bundle being edited: a copy of a pathway version's files (or a new program's), never seen by care
    managers until it is published as a new pathway version."""

    __tablename__ = "studio_drafts"
    __table_args__ = (Index(None, "bundle", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    base_deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployments.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]
    change_note: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime | None]
    published_deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployments.id"))


class StudioDraftFile(Base):
    """One file of a draft. `version` goes up by one with every save: a save names the version it was made
    from, and a save made from an older one is a conflict, never a lost edit."""

    __tablename__ = "studio_draft_files"

    draft_id: Mapped[int] = mapped_column(ForeignKey("studio_drafts.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(String(500), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    version: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class StudioChange(Base):
    """Who changed what in a draft, and when (a save, a new or removed file, a tidy layout, an import)."""

    __tablename__ = "studio_changes"
    __table_args__ = (Index(None, "draft_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("studio_drafts.id", ondelete="CASCADE"))
    path: Mapped[str | None] = mapped_column(String(500))
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
    file_version: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(String(500))


class StudioTestRun(Base):
    """One run of a draft's (or a version's) test cases, against the content it had then."""

    __tablename__ = "studio_test_runs"
    __table_args__ = (Index(None, "draft_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("studio_drafts.id", ondelete="CASCADE"))
    content_hash: Mapped[str] = mapped_column(String(64))
    run_by: Mapped[str] = mapped_column(String(200))
    run_at: Mapped[datetime]
    passed: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    # [{file, case, passed, message, step, expected, actual, path}]
    results: Mapped[list] = mapped_column(JsonDoc)


class StudioReview(Base):
    """A second person's decision on a draft, for the content it had then: approved, or changes requested."""

    __tablename__ = "studio_reviews"
    __table_args__ = (Index(None, "draft_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("studio_drafts.id", ondelete="CASCADE"))
    content_hash: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(20))  # approved, changes_requested
    reviewer: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
    comment: Mapped[str | None] = mapped_column(Text)


class PathwayPublication(Base):
    """How a pathway version came to be from the studio: the change note, who published and approved it, its
    test results, and the version it rolled back to. A version deployed otherwise (`carepath deploy`) has none.
    Shown by the version history and the admin console (`Deployment.publication`)."""

    __tablename__ = "pathway_publications"

    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), primary_key=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("studio_drafts.id"))
    change_note: Mapped[str] = mapped_column(Text)
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime]
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None]
    tests_passed: Mapped[int] = mapped_column(Integer, default=0)
    tests_failed: Mapped[int] = mapped_column(Integer, default=0)
    rollback_of: Mapped[int | None] = mapped_column(Integer)  # the version number published again

    deployment: Mapped[Deployment] = relationship(
        backref=backref("publication", uselist=False, lazy="raise"), lazy="raise")

    def to_dict(self) -> dict:
        return {"change_note": self.change_note, "published_by": self.published_by,
                "published_at": self.published_at.isoformat(), "approved_by": self.approved_by,
                "approved_at": self.approved_at.isoformat() if self.approved_at else None,
                "tests_passed": self.tests_passed, "tests_failed": self.tests_failed,
                "rollback_of": self.rollback_of, "draft_id": self.draft_id}
