"""The engine's one front door, and the types its callers may use.

    from engine.service import CarePathways, Actor, Submission, InboxQuery, Conflict, ...

Web pages, the CLI, background jobs and the tools to come call `CarePathways`: one method per use case, one
transaction each, the same checks for every caller. Callers import from this package (and `engine.config`)
only: the modules under it, the care domain, the read side and the runtime are the engine's own.

    base        transactions and the runtime every use case shares
    deploying   deploy, versions, programs to start, lint, lay out
    instances   start, suspend, resume, terminate, retry, migrate, instance views and data
    tasks       inbox, task pages, claim, release, assign, follow-up, drafts, complete
    patients    registry, patient pages, CSV imports
    people      sign-in and accounts
    events      due timers and messages from other systems
"""
from __future__ import annotations

from engine import roles
from engine.authoring.findings import SEVERITIES
from engine.care.accounts import Account
from engine.care.actors import SYSTEM, Actor
from engine.care.messages import CorrelationResult
from engine.care.patient_imports import COLUMNS as IMPORT_COLUMNS
from engine.care.patients import SEXES, PatientInput, PatientInvalid
from engine.care.task_forms import (
    MINUTES_FIELD,
    FieldProblem,
    FormInvalid,
    Submission,
    TaskForm,
    asks_minutes,
)
from engine.deploy.versions import DeployResult
from engine.errors import (
    BundleRefused,
    CarepathError,
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    Problem,
    RoleMissing,
)
from engine.logs import where as failure_site
from engine.models import (
    MAX_ID,
    AuditEvent,
    ImportJob,
    InboxTask,
    Instance,
    InstanceStatus,
    Patient,
    TaskStatus,
)
from engine.models.inbox import PRIORITIES, PRIORITY_NAMES
from engine.read.inbox import (
    COMPLETED,
    MINE,
    OVERDUE,
    ROLE_PREFIX,
    SORT_COLUMNS,
    InboxPage,
    InboxQuery,
    tabs_for,
)
from engine.read.instance_views import InstanceView
from engine.read.patient_page import PatientPage, ProgramView
from engine.read.task_context import TaskContext
from engine.service.door import CarePathways
from engine.service.patients import PatientList
from engine.service.people import SignInResult
from engine.service.tasks import Completion
from engine.time.clock import now

__all__ = [
    "COMPLETED", "IMPORT_COLUMNS", "MAX_ID", "SEVERITIES", "MINE", "MINUTES_FIELD", "OVERDUE", "PRIORITIES", "PRIORITY_NAMES", "ROLE_PREFIX",
    "SEXES", "SORT_COLUMNS", "SYSTEM", "Account", "Actor", "AuditEvent", "BundleRefused", "CarePathways", "CarepathError",
    "Completion", "Conflict", "CorrelationResult", "DeployResult", "FieldProblem", "Forbidden", "FormInvalid",
    "ImportJob", "InboxPage", "InboxQuery", "InboxTask", "Instance", "InstanceStatus", "InstanceView",
    "InvalidInput", "InvalidState", "NotFound", "Patient", "PatientInput", "PatientInvalid", "PatientList",
    "PatientPage", "Problem", "ProgramView", "RoleMissing", "SignInResult", "Submission", "TaskContext", "TaskForm",
    "TaskStatus", "asks_minutes", "failure_site", "now", "roles", "tabs_for",
]

# the pathway studio (issue 13)
from engine.models import DraftStatus  # noqa: E402
from engine.service.studio import DraftFiles, ReviewPage, Saved, VersionRow  # noqa: E402

__all__ += ["DraftFiles", "DraftStatus", "ReviewPage", "Saved", "VersionRow"]

# care teams, access and the patient record (issue 17)
from engine.care.access import GLASS, Access, AccessRefused  # noqa: E402
from engine.care.care_plans import ItemInput as CarePlanInput  # noqa: E402
from engine.care.teams import MEMBER_ROLES as TEAM_MEMBER_ROLES  # noqa: E402
from engine.read.inbox import FOLLOW_UP  # noqa: E402
from engine.read.my_patients import SORTS as MY_PATIENT_SORTS  # noqa: E402
from engine.read.my_patients import MyPatients, MyPatientsQuery  # noqa: E402
from engine.service.care_teams import CareTeam  # noqa: E402
from engine.service.patient_records import COMPLEXITIES, END_REASONS, DischargeInput  # noqa: E402
from engine.service.teamwork import InboxPulse  # noqa: E402

__all__ += ["COMPLEXITIES", "END_REASONS", "FOLLOW_UP", "GLASS", "MY_PATIENT_SORTS", "TEAM_MEMBER_ROLES", "Access",
            "AccessRefused", "CarePlanInput", "CareTeam", "DischargeInput", "InboxPulse", "MyPatients",
            "MyPatientsQuery"]

# the JSON API and FHIR (issue 16)
from engine.authoring.questionnaire import ImportedForm  # noqa: E402
from engine.care.api_clients import SCOPES as API_SCOPES  # noqa: E402
from engine.care.api_clients import ClientView, NewToken, Principal, Unauthenticated  # noqa: E402
from engine.care.webhooks import DeliveryView, NewSubscription, SubscriptionView  # noqa: E402
from engine.read.fhir_records import CarePlanRecords, FormResult  # noqa: E402
from engine.service.integration import Answered, Received, Upserted  # noqa: E402
from engine.store.audit import through as acting_through  # noqa: E402
from engine.store.idempotency import KeyReused  # noqa: E402
from engine.store.webhook_outbox import EVENTS as WEBHOOK_EVENTS  # noqa: E402

__all__ += ["API_SCOPES", "WEBHOOK_EVENTS", "Answered", "CarePlanRecords", "ClientView", "DeliveryView", "FormResult",
            "ImportedForm", "KeyReused", "NewSubscription", "NewToken", "Principal", "Received", "SubscriptionView",
            "Unauthenticated", "Upserted", "acting_through"]

# reports and dashboards (issue 15)
from engine.care.time_log import ACTIVITIES as LOG_TIME_ACTIVITIES  # noqa: E402
from engine.care.time_log import NO_PROGRAM as LOG_TIME_NO_PROGRAM  # noqa: E402
from engine.care.time_log import LoggedTime, TimeLogInvalid  # noqa: E402
from engine.reports.billing import STATUS_LABELS as CCM_STATUS_LABELS  # noqa: E402
from engine.reports.billing import STATUSES as CCM_STATUSES  # noqa: E402
from engine.reports.periods import Month  # noqa: E402
from engine.reports.scope import VIEWERS as REPORT_ROLES  # noqa: E402
from engine.reports.scope import may_view as may_view_reports  # noqa: E402
from engine.service.reports import Dashboard, HeatmapPage, MonthMinutes, ReportAccess, TimeLogForm  # noqa: E402

__all__ += ["CCM_STATUSES", "CCM_STATUS_LABELS", "LOG_TIME_ACTIVITIES", "LOG_TIME_NO_PROGRAM", "REPORT_ROLES",
            "Dashboard", "HeatmapPage", "LoggedTime", "Month", "MonthMinutes", "ReportAccess", "TimeLogForm",
            "TimeLogInvalid", "may_view_reports"]

# the admin and supervisor console (issue 14)
from engine.care.migrations import PlanFilters as MigrationFilters  # noqa: E402
from engine.care.repair import RetryRefused  # noqa: E402
from engine.models import BundleUpload, Escalation, MigrationItem, MigrationPlan  # noqa: E402
from engine.read.audit_trail import OUTCOMES as AUDIT_OUTCOMES  # noqa: E402
from engine.read.audit_trail import AuditPage, AuditQuery, ViewersReport  # noqa: E402
from engine.read.background import JOB_STATUSES, OUTBOX_STATUSES, TIMER_VIEWS  # noqa: E402
from engine.read.instance_console import STUCK, InstanceList, InstanceQuery  # noqa: E402
from engine.read.programs_overview import ITEM_FILTERS as MIGRATION_ITEM_FILTERS  # noqa: E402
from engine.service.admin import ProgramsOverview  # noqa: E402
from engine.service.migrating import PlanView  # noqa: E402
from engine.service.operations import InstanceConsole  # noqa: E402
from engine.service.supervision import TEAM_VIEWS, TeamQuery  # noqa: E402

__all__ += ["AUDIT_OUTCOMES", "JOB_STATUSES", "MIGRATION_ITEM_FILTERS", "OUTBOX_STATUSES", "STUCK", "TEAM_VIEWS",
            "TIMER_VIEWS", "AuditPage", "AuditQuery", "BundleUpload", "Escalation", "InstanceConsole", "InstanceList",
            "InstanceQuery", "MigrationFilters", "MigrationItem", "MigrationPlan", "PlanView", "ProgramsOverview",
            "RetryRefused", "TeamQuery", "ViewersReport"]
