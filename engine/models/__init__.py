"""The engine's tables. Queries read these rows; they never unpack serialized workflows."""
from .account import User, UserRole
from .audit import AuditEvent
from .base import Base
from .deployment import Deployment, DeploymentFile
from .inbox import InboxTask, TaskStatus
from .instance import Instance, InstanceStatus
from .jobs import BackgroundJob, JobReceipt, JobStatus, Notification, NotificationStatus
from .patient import Patient
from .waits import MessageWait, TimerWait
from .worklog import ImportJob, TaskDraft, TimeEntry

__all__ = [
    "AuditEvent",
    "BackgroundJob",
    "Base",
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
]
