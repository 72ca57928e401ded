"""A Celery worker process's job context: built from the settings on first use, once per process (a forked pool
child builds its own)."""
from __future__ import annotations

import os
import threading

from engine.config import Settings
from engine.jobs.context import JobContext
from engine.jobs.executors import CeleryExecutor
from engine.notifications import Notifier
from engine.service import CarePathways

_lock = threading.Lock()
_current: tuple[int, JobContext] | None = None


def current(app) -> JobContext:
    """This worker process's context; `app` is the Celery app the worker runs, which also sends the bells this
    process rings."""
    global _current
    with _lock:
        if _current is None or _current[0] != os.getpid():
            _current = (os.getpid(), build(app))
        return _current[1]


def build(app, settings: Settings | None = None) -> JobContext:
    settings = settings or Settings.from_env()
    service = CarePathways.from_settings(settings)
    ctx = JobContext(service, settings.jobs, notifier=Notifier.from_settings(service.db, settings))
    ctx.executor = CeleryExecutor(app, settings.jobs.queue)
    return ctx

