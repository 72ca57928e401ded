"""Where a rung bell goes: to a Celery broker (workers on any machine), or to a thread of this process.

Both take an `Envelope` and return at once; neither promises more than "probably soon". What must not be lost
lives in the database (timer rows, background jobs, notifications) and the sweep rings again for it.
"""
from __future__ import annotations

import logging
import queue as queue_mod
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from engine.jobs.envelope import Envelope

log = logging.getLogger(__name__)


class Executor(Protocol):
    name: str
    schedules: bool  # whether `eta` is honoured (else the envelope runs as soon as it can)

    def dispatch(self, envelope: Envelope, eta: datetime | None = None) -> None: ...

    def close(self) -> None: ...


class CeleryExecutor:
    name = "celery"
    schedules = True

    def __init__(self, app, queue: str = "carepath"):
        self.app = app
        self.queue = queue

    def dispatch(self, envelope: Envelope, eta: datetime | None = None) -> None:
        self.app.send_task(envelope.task, args=[envelope.to_message()], queue=self.queue,
                           expires=envelope.expires_at, eta=eta)

    def close(self) -> None:
        pass


class InProcessExecutor:
    """Jobs run one at a time on a daemon thread of this process (the embedded default needs no service)."""

    name = "in-process"
    schedules = False

    def __init__(self, run: Callable[[Envelope], Any], threads: int = 1):
        self.run = run
        self._queue: queue_mod.Queue = queue_mod.Queue()
        self._threads = [threading.Thread(target=self._loop, name=f"carepath-jobs-{i}", daemon=True)
                         for i in range(threads)]
        self._started = False
        self._lock = threading.Lock()
        self.errors: list[str] = []

    def dispatch(self, envelope: Envelope, eta: datetime | None = None) -> None:
        with self._lock:
            if not self._started:
                for thread in self._threads:
                    thread.start()
                self._started = True
        self._queue.put(envelope)

    def _loop(self) -> None:
        while True:
            envelope = self._queue.get()
            try:
                if envelope is None:
                    return
                self.run(envelope)
            except Exception as exc:  # a job's failure is its own; the thread goes on
                log.exception("in-process job %s failed", envelope.task)
                self.errors.append(f"{envelope.task}: {type(exc).__name__}: {exc}")
            finally:
                self._queue.task_done()

    def join(self) -> None:
        """Wait until every job dispatched so far has run (tests, and `carepath` commands that wait)."""
        if self._started:
            self._queue.join()

    def close(self) -> None:
        if self._started:
            for _ in self._threads:
                self._queue.put(None)
            for thread in self._threads:
                thread.join(10)

