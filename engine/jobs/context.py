"""What a job runs with: the engine, the settings, the executor that rings bells, the notifier, and who it is
(the owner name its claims carry). A worker process builds one from the environment on first use."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engine.jobs.config import JobSettings, worker_name
from engine.time import clock


@dataclass
class JobContext:
    pathways: object  # engine.service.CarePathways
    settings: JobSettings
    executor: object = None  # engine.jobs.executors: InProcessExecutor or CeleryExecutor
    notifier: object = None  # engine.notifications.Notifier, or None when no SMTP server is configured
    owner: str = field(default_factory=worker_name)

    @property
    def db(self):
        return self.pathways.db

    @staticmethod
    def now() -> datetime:
        return clock.now()

    def seconds(self, name: str) -> timedelta:
        return timedelta(seconds=getattr(self.settings, name))


_lock = threading.Lock()
_current: tuple[int, JobContext] | None = None


def current(app=None) -> JobContext:
    """This worker process's context (built once per process: a forked pool child builds its own). `app`: the
    Celery app the worker runs, which then also sends the bells this process rings."""
    global _current
    with _lock:
        if _current is None or _current[0] != os.getpid():
            _current = (os.getpid(), from_env(app=app))
        return _current[1]


def from_env(executor=None, app=None) -> JobContext:
    from engine.cli.settings import database_url
    from engine.jobs.executors import make_executor
    from engine.notifications import Notifier
    from engine.service import CarePathways

    settings = JobSettings.from_env()
    pathways = CarePathways(database_url())
    ctx = JobContext(pathways, settings, notifier=Notifier.from_env(pathways.db))
    ctx.executor = executor or make_executor(ctx, app)
    return ctx


def reset() -> None:
    """Forget this process's context (tests)."""
    global _current
    with _lock:
        if _current is not None:
            _current[1].db.dispose()
        _current = None
