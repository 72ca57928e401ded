from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JsonDoc


class AuditEvent(Base):
    """Append-only record of every change (and, from the web app, every view of patient data).

    Database triggers (see the migrations) refuse UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index(None, "instance_id", "id"), Index(None, "patient_id", "id"), Index(None, "at"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    patient_id: Mapped[str | None] = mapped_column(String(100))
    instance_id: Mapped[int | None] = mapped_column(Integer)
    deployment_id: Mapped[int | None] = mapped_column(Integer)
    task_uuid: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict | None] = mapped_column(JsonDoc)
