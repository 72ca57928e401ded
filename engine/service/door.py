"""`CarePathways`: the engine's one front door. Every caller (web pages, the CLI, background jobs, and the API,
studio and admin console to come) reaches the engine through it: one method per use case, one transaction
each, the same checks for everyone."""
from __future__ import annotations

from engine.service.base import ServiceBase
from engine.service.deploying import DeployUseCases
from engine.service.events import EventUseCases
from engine.service.instances import InstanceUseCases
from engine.service.patients import PatientUseCases
from engine.service.people import PeopleUseCases
from engine.service.tasks import TaskUseCases


class CarePathways(DeployUseCases, InstanceUseCases, TaskUseCases, PatientUseCases, PeopleUseCases, EventUseCases,
                   ServiceBase):
    """The use cases of carepath over one database (see each base class for its area)."""
