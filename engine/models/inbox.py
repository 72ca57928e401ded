from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base


class TaskStatus:
    OPEN = "open"
    CLAIMED = "claimed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    ACTIVE = (OPEN, CLAIMED)


PRIORITIES = {"low": 10, "normal": 20, "high": 30, "urgent": 40}
PRIORITY_NAMES = {v: k for k, v in PRIORITIES.items()}


class InboxTask(Base):
    """A human task (user or manual task) as the inbox sees it; kept in sync on every save."""

    __tablename__ = "inbox_tasks"
    __table_args__ = (
        Index(None, "assignee", "status", "due_at"),
        Index(None, "role", "status", "due_at"),
        Index(None, "status", "due_at"),
        Index(None, "patient_id", "status"),
        Index(None, "completed_by", "completed_at"),
        Index(None, "created_at"),  # the bottleneck heatmap's date range
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    task_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    element_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    documentation: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(String(100))
    assignee: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime | None]
    follow_up_at: Mapped[datetime | None]
    form_schema: Mapped[str | None] = mapped_column(String(300))
    form_ui_schema: Mapped[str | None] = mapped_column(String(300))
    patient_id: Mapped[str] = mapped_column(String(100))
    program: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(200))
    # someone saved a draft of it: its completion drops the drafts (a completion without any skips the DELETE)
    has_drafts: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # delegated for input (Camunda's delegate/resolve): the person who owns it and gets it back; `assignee` is
    # the colleague asked, who may only hand it back with a note
    delegated_by: Mapped[str | None] = mapped_column(String(200))

    # loaded explicitly (contains_eager) where needed; never lazily, so a listing can't turn into N+1 queries
    instance: Mapped[Instance] = relationship(lazy="raise")  # noqa: F821

    @property
    def priority_name(self) -> str:
        return PRIORITY_NAMES.get(self.priority, str(self.priority))
