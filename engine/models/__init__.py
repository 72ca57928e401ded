"""The engine's tables (SQLAlchemy 2.0 models; the schema itself comes from the Alembic migrations in
engine/migrations). Queries read these rows; they never unpack serialized workflows.

Imports nothing of the engine: every other package may use it."""
from engine.models.account import User, UserRole, UserSession
from engine.models.audit import AuditEvent
from engine.models.base import INTEGERS, MAX_ID, Base
from engine.models.deployment import Deployment, DeploymentFile
from engine.models.inbox import InboxTask, TaskStatus
from engine.models.instance import Instance, InstanceStatus
from engine.models.jobs import BackgroundJob, JobReceipt, JobStatus, Notification, NotificationStatus
from engine.models.patient import Patient
from engine.models.waits import MessageWait, TimerWait
from engine.models.worklog import ImportJob, TaskDraft, TimeEntry

__all__ = [
    "AuditEvent",
    "BackgroundJob",
    "Base",
    "INTEGERS",
    "MAX_ID",
    "Deployment",
    "DeploymentFile",
    "ImportJob",
    "InboxTask",
    "Instance",
    "InstanceStatus",
    "JobReceipt",
    "JobStatus",
    "MessageWait",
    "Notification",
    "NotificationStatus",
    "Patient",
    "TaskDraft",
    "TaskStatus",
    "TimeEntry",
    "TimerWait",
    "User",
    "UserRole",
    "UserSession",
]
