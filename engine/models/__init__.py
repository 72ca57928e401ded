"""The engine's tables. Queries read these rows; they never unpack serialized workflows."""
from .audit import AuditEvent
from .base import Base
from .deployment import Deployment, DeploymentFile
from .inbox import InboxTask, TaskStatus
from .instance import Instance, InstanceStatus
from .waits import MessageWait, TimerWait

__all__ = [
    "AuditEvent",
    "Base",
    "Deployment",
    "DeploymentFile",
    "InboxTask",
    "Instance",
    "InstanceStatus",
    "MessageWait",
    "TaskStatus",
    "TimerWait",
]
