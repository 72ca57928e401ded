"""The engine's tables (SQLAlchemy 2.0 models; the schema itself comes from the Alembic migrations in
engine/migrations). Queries read these rows; they never unpack serialized workflows.

Imports nothing of the engine: every other package may use it."""
from engine.models.account import User, UserRole, UserSession
from engine.models.admin import (
    BundleUpload,
    Escalation,
    InstanceCount,
    MigrationItem,
    MigrationPlan,
    ProgramAvailability,
    Reassignment,
)
from engine.models.api import ApiClient, ApiToken, IdempotencyRecord, WebhookDelivery, WebhookSubscription
from engine.models.audit import AuditEvent
from engine.models.base import INTEGERS, MAX_ID, Base
from engine.models.care_team import (
    AccessGrant,
    CarePlanItem,
    CareTeamMember,
    Comment,
    Notice,
    SavedFilter,
    TaskResult,
    UserPreference,
)
from engine.models.deployment import Deployment, DeploymentFile
from engine.models.inbox import InboxTask, TaskStatus
from engine.models.instance import Instance, InstanceStatus
from engine.models.jobs import BackgroundJob, JobReceipt, JobStatus, Notification, NotificationStatus
from engine.models.patient import Patient
from engine.models.reports import (
    CcmMonth,
    InstanceFacts,
    MonthlyMinutes,
    OpenWork,
    OutcomeMeasure,
    ReportCount,
    ReportRefresh,
    TaskDay,
    TcmDischarge,
)
from engine.models.studio import (
    DraftStatus,
    PathwayPublication,
    StudioChange,
    StudioDraft,
    StudioDraftFile,
    StudioReview,
    StudioTestRun,
)
from engine.models.waits import MessageWait, TimerWait
from engine.models.worklog import ImportJob, TaskDraft, TimeEntry

__all__ = [
    "ApiClient",
    "ApiToken",
    "IdempotencyRecord",
    "WebhookDelivery",
    "WebhookSubscription",
    "AccessGrant",
    "CarePlanItem",
    "CareTeamMember",
    "Comment",
    "Notice",
    "SavedFilter",
    "TaskResult",
    "UserPreference",
    "AuditEvent",
    "BundleUpload",
    "Escalation",
    "InstanceCount",
    "MigrationItem",
    "MigrationPlan",
    "ProgramAvailability",
    "Reassignment",
    "BackgroundJob",
    "Base",
    "INTEGERS",
    "MAX_ID",
    "Deployment",
    "DeploymentFile",
    "ImportJob",
    "InboxTask",
    "Instance",
    "InstanceFacts",
    "InstanceStatus",
    "JobReceipt",
    "JobStatus",
    "MessageWait",
    "MonthlyMinutes",
    "CcmMonth",
    "ReportRefresh",
    "OpenWork",
    "TaskDay",
    "ReportCount",
    "TcmDischarge",
    "Notification",
    "NotificationStatus",
    "OutcomeMeasure",
    "Patient",
    "TaskDraft",
    "TaskStatus",
    "TimeEntry",
    "TimerWait",
    "User",
    "UserRole",
    "UserSession",
    "DraftStatus",
    "PathwayPublication",
    "StudioChange",
    "StudioDraft",
    "StudioDraftFile",
    "StudioReview",
    "StudioTestRun",
]
