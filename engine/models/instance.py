from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JsonDoc


class InstanceStatus:
    RUNNING = "running"  # has work to do or waits for people, time or messages
    COMPLETED = "completed"
    ERROR = "error"  # a script, expression or decision failed; see error; retry after the fix
    SUSPENDED = "suspended"
    TERMINATED = "terminated"

    ALL = (RUNNING, COMPLETED, ERROR, SUSPENDED, TERMINATED)
    ENDED = (COMPLETED, TERMINATED)
    OPEN = (RUNNING, ERROR, SUSPENDED)  # not ended: a patient has at most one open instance of a pathway


# one open instance per patient and pathway, enforced by the database (a partial unique index)
ONE_OPEN = "status IN ('running', 'error', 'suspended')"


class Instance(Base):
    """One pathway run for one patient, pinned to the deployment version it started on."""

    __tablename__ = "instances"
    __table_args__ = (
        Index(None, "patient_id", "status"),
        Index(None, "status"),  # not with updated_at, which every step changes: a step's UPDATE stays in place
        Index("uq_instances_one_open", "patient_id", "process_id", unique=True,
              sqlite_where=text(ONE_OPEN), postgresql_where=text(ONE_OPEN)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(200))
    program: Mapped[str] = mapped_column(String(200))  # the process's display name
    patient_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    # {element, name, message, line, error_line, at}
    error: Mapped[dict | None] = mapped_column(JsonDoc, nullable=True)
    state: Mapped[str] = mapped_column(Text)  # pruned workflow state, see engine.runtime.state_codec
    started_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # how many open inbox, timer and message rows the instance has: a step skips the queries it can
    open_tasks: Mapped[int] = mapped_column(Integer, default=0)
    timer_rows: Mapped[int] = mapped_column(Integer, default=0)
    message_rows: Mapped[int] = mapped_column(Integer, default=0)
    # the care team roles the patient has someone in (",nurse,pharmacist,"), kept by engine.care.teams: a new
    # task looks for its team member only when its role is here (a step of a patient without one asks nothing)
    team_roles: Mapped[str] = mapped_column(String(200), default="", server_default="")
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": lock_version}
