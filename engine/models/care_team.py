"""Care teams and the work around them: who is on a patient's team (FHIR CareTeam's participants), access by
breaking the glass, a patient's care plan as a record, the answers each task was completed with, comments and
the notices they send, saved inbox filters and each person's preferences (time zone)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JsonDoc


class CareTeamMember(Base):
    """One membership of a patient's care team: a person in a role, from `started_at` until `ended_at` (None:
    on the team now), with why they joined and why they left. `lead` marks the lead care manager. A person
    who changes role on the team gets a new membership; the old one ends (FHIR CareTeam.participant)."""

    __tablename__ = "care_team_members"
    __table_args__ = (Index(None, "patient_id", "ended_at"), Index(None, "username", "ended_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(100), ForeignKey("patients.id"))
    username: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(50))
    lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reason: Mapped[str] = mapped_column(String(300))
    started_at: Mapped[datetime]
    started_by: Mapped[str] = mapped_column(String(200))
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(200))
    end_reason: Mapped[str | None] = mapped_column(String(300))

    @property
    def active(self) -> bool:
        return self.ended_at is None


class AccessGrant(Base):
    """Break the glass: someone outside a patient's care team opened their record, giving a reason. The grant
    lasts until `expires_at`, or (with `session_id`) while that sign-in session lives, whichever ends first."""

    __tablename__ = "access_grants"
    __table_args__ = (Index(None, "username", "patient_id", "expires_at"), Index(None, "granted_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    roles: Mapped[list] = mapped_column(JsonDoc)  # what they held when they broke the glass
    patient_id: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    session_id: Mapped[str | None] = mapped_column(String(64))


class CarePlanItem(Base):
    """A goal, an intervention or a barrier of a patient's care plan, in one program (or across programs when
    `instance_id` is None). Pathway forms write them (source "pathway", `item_key` the plan's own id), and the
    care team edits them between stages (source "care team")."""

    __tablename__ = "care_plan_items"
    __table_args__ = (Index(None, "patient_id", "kind"), Index(None, "instance_id", "item_key"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(100))
    instance_id: Mapped[int | None] = mapped_column(Integer)
    program: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # goal, intervention, barrier
    item_key: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    target: Mapped[str | None] = mapped_column(String(300))
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(40))
    progress: Mapped[list | None] = mapped_column(JsonDoc)  # [{date, status, note, by}]
    owner: Mapped[str | None] = mapped_column(String(200))  # a username or a role
    due_date: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))


class TaskResult(Base):
    """What a task was completed with: its answers as submitted, kept for its page (read only), for the
    patient's record and for a later stage that may take a recent result instead of asking again."""

    __tablename__ = "task_results"
    __table_args__ = (Index(None, "patient_id", "form_schema", "completed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(Integer, unique=True)
    patient_id: Mapped[str] = mapped_column(String(100))
    instance_id: Mapped[int] = mapped_column(Integer)
    program: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    form_schema: Mapped[str | None] = mapped_column(String(300))
    answers: Mapped[dict] = mapped_column(JsonDoc)
    completed_by: Mapped[str] = mapped_column(String(200))
    completed_at: Mapped[datetime]


class Comment(Base):
    """A note on a patient (or one of their tasks) for their care team; @names in it notify those people."""

    __tablename__ = "comments"
    __table_args__ = (Index(None, "patient_id", "id"), Index(None, "task_id", "id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(100))
    task_id: Mapped[int | None] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # comment; asked, answered (a delegation's request, its reply)
    body: Mapped[str] = mapped_column(Text)
    mentions: Mapped[list | None] = mapped_column(JsonDoc)
    created_at: Mapped[datetime]


class Notice(Base):
    """Something for one person to look at: they were mentioned, asked for input, or their request came
    back. Unread until they open it."""

    __tablename__ = "notices"
    __table_args__ = (Index(None, "username", "read_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # mention, delegated, resolved
    text: Mapped[str] = mapped_column(String(500))
    by: Mapped[str] = mapped_column(String(200))
    patient_id: Mapped[str | None] = mapped_column(String(100))
    task_id: Mapped[int | None] = mapped_column(Integer)
    comment_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class SavedFilter(Base):
    """A named inbox filter of one person, shown as a tab; shared with a role, its holders see it too."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("username", "name"), Index(None, "shared_role"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(60))
    query: Mapped[dict] = mapped_column(JsonDoc)  # the inbox's arguments: tab, q, program, stage, ...
    shared_role: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime]


class UserPreference(Base):
    """A person's own settings: the time zone times are shown in (None: the installation's)."""

    __tablename__ = "user_preferences"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime]
