from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JsonDoc


class TimerWait(Base):
    """A timer an instance waits on, with its due time (start, intermediate or boundary)."""

    __tablename__ = "timer_waits"
    __table_args__ = (Index(None, "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    task_uuid: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))  # date, duration, cycle
    due_at: Mapped[datetime]
    # the sweep that claimed the row to fire it, until when (engine.jobs.claims); empty when unclaimed
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]


class MessageWait(Base):
    """A message an instance waits for, with the keys that route a message to it."""

    __tablename__ = "message_waits"
    __table_args__ = (Index(None, "message_name", "patient_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    task_uuid: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    message_name: Mapped[str] = mapped_column(String(200))
    patient_id: Mapped[str] = mapped_column(String(100))
    correlation: Mapped[dict] = mapped_column(JsonDoc)
