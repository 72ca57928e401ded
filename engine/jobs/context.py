"""What a job runs with: the engine's service, the settings, the executor that rings bells, the notifier, and who
it is (the owner name its claims carry)."""
from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engine.config import JobSettings
from engine.jobs.executors import Executor
from engine.notifications import Notifier
from engine.service import CarePathways
from engine.time import clock


def worker_name() -> str:
    """Who holds a claim: host, process and a random part (a restarted process is someone else)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class JobContext:
    service: CarePathways
    settings: JobSettings
    executor: Executor | None = None  # set once made: an executor may need the context to run what it rings
    notifier: Notifier | None = None  # None when no SMTP server is configured
    owner: str = field(default_factory=worker_name)

    @property
    def db(self):
        return self.service.db

    @staticmethod
    def now() -> datetime:
        return clock.now()

    def seconds(self, name: str) -> timedelta:
        return timedelta(seconds=getattr(self.settings, name))
