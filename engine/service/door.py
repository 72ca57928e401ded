"""`CarePathways`: the engine's one front door. Every caller (web pages, the CLI, background jobs, and the API,
studio and admin console to come) reaches the engine through it: one method per use case, one transaction
each, the same checks for everyone."""
from __future__ import annotations

from engine.service.admin import AdminUseCases
from engine.service.api_clients import ApiClientUseCases
from engine.service.base import ServiceBase
from engine.service.care_teams import CareTeamUseCases
from engine.service.deploying import DeployUseCases
from engine.service.events import EventUseCases
from engine.service.fhir import FhirUseCases
from engine.service.instances import InstanceUseCases
from engine.service.integration import IntegrationUseCases
from engine.service.migrating import MigrationUseCases
from engine.service.operations import OperationUseCases
from engine.service.patient_records import PatientRecordUseCases
from engine.service.patients import PatientUseCases
from engine.service.people import PeopleUseCases
from engine.service.reports import ReportUseCases
from engine.service.studio import StudioUseCases
from engine.service.supervision import SupervisionUseCases
from engine.service.tasks import TaskUseCases
from engine.service.teamwork import TeamworkUseCases


class CarePathways(DeployUseCases, InstanceUseCases, TaskUseCases, PatientUseCases, PeopleUseCases, EventUseCases,
                   StudioUseCases, CareTeamUseCases, PatientRecordUseCases, TeamworkUseCases,
                   ApiClientUseCases, IntegrationUseCases, FhirUseCases, ReportUseCases, AdminUseCases,
                   OperationUseCases, MigrationUseCases, SupervisionUseCases, ServiceBase):
    """The use cases of carepath over one database (see each base class for its area)."""
