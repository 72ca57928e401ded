"""The admin and supervisor console's tables: programs closed to new starts, bundle uploads checked before they
are deployed, bulk migration plans with their per-instance report, escalations raised by boundary timers (and
overdue notices acknowledged), and reassignments with the reason the new assignee reads.

Also the indexes the console's lists need on tables of other areas (instances, audit events): declared here,
created by the admin revision (0007), so every list page reads an index range, not the table."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.audit import AuditEvent
from engine.models.base import Base, JsonDoc
from engine.models.instance import Instance

# an instance that is running with nothing to wake it: no open task, no timer, no message wait
STUCK = "status = 'running' AND open_tasks = 0 AND timer_rows = 0 AND message_rows = 0"

# the instance list (newest first) by status, by pathway and by version, with counts per status
Index("ix_instances_status_id", Instance.status, Instance.id)
Index("ix_instances_process_id_status_id", Instance.process_id, Instance.status, Instance.id)
Index("ix_instances_deployment_id_status_id", Instance.deployment_id, Instance.status, Instance.id)
Index("ix_instances_stuck", Instance.id, sqlite_where=text(STUCK), postgresql_where=text(STUCK))
# "started at least N days ago": counts per status read the index alone (up to the cap), and the newest first
# page skips the younger instances in the index, not in the table
Index("ix_instances_status_started_at", Instance.status, Instance.started_at)
Index("ix_instances_id_started_at", Instance.id, Instance.started_at)
# the audit viewer's filters: by person and by action, newest first (by time)
Index("ix_audit_events_actor_at_id", AuditEvent.actor, AuditEvent.at, AuditEvent.id)
Index("ix_audit_events_action_at_id", AuditEvent.action, AuditEvent.at, AuditEvent.id)


COUNT_SLOTS = 16  # an instance counts in slot id % 16: concurrent starts of one program rarely share a row


class InstanceCount(Base):
    """How many instances each version, pathway and status holds, kept by database triggers on `instances` (an
    insert adds one, a change of status or version moves one): the console's counts per status read these few
    rows instead of counting a million. Spread over slots so that concurrent starts do not wait on one row."""

    __tablename__ = "instance_counts"

    deployment_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))


class ProgramAvailability(Base):
    """Whether a program (a pathway's process id) takes new starts. No row: it does. Running instances are
    not touched either way."""

    __tablename__ = "program_availability"

    process_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    open_for_starts: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(500))
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime]


class BundleUpload(Base):
    """A bundle an admin uploaded: checked at once (the same report as `carepath deploy`), deployed only when
    they say so. The zip is kept until then, so that what is deployed is exactly what was checked."""

    __tablename__ = "bundle_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))  # the bundle's name (a new version of it, when it exists)
    filename: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # cleared once deployed
    content_hash: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    files: Mapped[list] = mapped_column(JsonDoc)  # [path, ...]
    problems: Mapped[list] = mapped_column(JsonDoc)  # [{file, element, line, message}]
    warnings: Mapped[list] = mapped_column(JsonDoc)
    status: Mapped[str] = mapped_column(String(20))  # refused, checked, deployed, unchanged
    deployment_id: Mapped[int | None] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime]
    deployed_at: Mapped[datetime | None]


class MigrationPlan(Base):
    """Moving the open instances of one pathway version onto a newer one: chosen by a filter, with elements of
    the old version mapped onto the new where a task was renamed or replaced. A dry run first says of each
    instance whether it moves; then the plan runs as a background job, instance by instance."""

    __tablename__ = "migration_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"))
    target_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"))
    filters: Mapped[dict] = mapped_column(JsonDoc)  # {status, patient_id, started_before}
    mapping: Mapped[dict] = mapped_column(JsonDoc)  # old element id -> new element id
    # planned (dry run to come), checking, checked, queued, running, done, failed
    status: Mapped[str] = mapped_column(String(20))
    total: Mapped[int] = mapped_column(Integer, default=0)
    checked: Mapped[int] = mapped_column(Integer, default=0)  # dry run: instances looked at
    movable: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)  # run: instances handled
    moved: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    started_by: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class MigrationItem(Base):
    """One instance of a plan: what the dry run found, and what the run did."""

    __tablename__ = "migration_items"
    __table_args__ = (Index(None, "plan_id", "outcome", "instance_id"),)

    plan_id: Mapped[int] = mapped_column(ForeignKey("migration_plans.id", ondelete="CASCADE"), primary_key=True)
    instance_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(100))
    at_elements: Mapped[str | None] = mapped_column(String(500))  # where the instance stands, when checked
    movable: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)  # why it cannot move
    outcome: Mapped[str] = mapped_column(String(20))  # checked, moved, refused, skipped
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime | None]


class Escalation(Base):
    """Something a lead should look at: a boundary timer that fired on a task (kind `timer`), or an overdue
    task a lead acknowledged (kind `overdue`; overdue tasks are escalations while they are overdue, a row is
    written when one is acknowledged). `key` names it once."""

    __tablename__ = "escalations"
    __table_args__ = (Index(None, "acknowledged_at", "id"), Index(None, "task_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(250), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    task_id: Mapped[int | None] = mapped_column(Integer)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    patient_id: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(100))  # the role of the task it is about
    element_id: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    raised_at: Mapped[datetime]
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(500))


class Reassignment(Base):
    """A lead gave a task to someone else, with the reason the new assignee reads on the task's page."""

    __tablename__ = "reassignments"
    __table_args__ = (Index(None, "task_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    task_id: Mapped[int] = mapped_column(Integer)
    from_assignee: Mapped[str | None] = mapped_column(String(200))
    to_assignee: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500))
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
