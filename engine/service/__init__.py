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
