from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, JsonDoc


class Deployment(Base):
    """One immutable, numbered version of a program bundle."""

    __tablename__ = "deployments"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str] = mapped_column(String(200))
    # [{id, name, file, executable, startable, message_start_events, documentation}, ...]
    processes: Mapped[list] = mapped_column(JsonDoc)
    total_bytes: Mapped[int] = mapped_column(Integer)

    files: Mapped[list[DeploymentFile]] = relationship(
        back_populates="deployment", cascade="all, delete-orphan", lazy="raise"
    )

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    def process(self, process_id: str) -> dict | None:
        return next((p for p in self.processes if p["id"] == process_id), None)


class DeploymentFile(Base):
    __tablename__ = "deployment_files"

    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(500), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)

    deployment: Mapped[Deployment] = relationship(back_populates="files")
