"""The front door of background work for the web app, the CLI and other systems' messages."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from engine.config import JobSettings, Settings
from engine.errors import Conflict, InvalidInput
from engine.jobs import queue, work
from engine.jobs.context import JobContext
from engine.jobs.envelope import Envelope
from engine.jobs.executors import CeleryExecutor, InProcessExecutor
from engine.jobs.inprocess import InProcessScheduler
from engine.notifications import Notifier

_DEFAULT = object()


@dataclass(frozen=True)
class JobView:
    id: int
    key: str
    kind: str
    status: str
    attempts: int
    created_at: datetime
    finished_at: datetime | None
    result: dict | None
    error: str | None


class Background:
    """Submit background jobs and run the periodic work: on Celery when CELERY_BROKER_URL is set, else on
    threads of this process (`start()` starts the in-process scheduler then)."""

    def __init__(self, service, settings: JobSettings | None = None, *, executor=None, notifier=_DEFAULT,
                 app=None):
        """`settings` and the notifier default to what the environment says (engine.config); `app`: the Celery
        app to send bells with (one is made from the settings when a broker is configured)."""
        if settings is None or notifier is _DEFAULT:
            everything = Settings.from_env()
            settings = settings or everything.jobs
            if notifier is _DEFAULT:
                notifier = Notifier.from_settings(service.db, everything)
        self.ctx = JobContext(service, settings, notifier=notifier)
        self.ctx.executor = executor or self._executor(app)
        self.scheduler = None

    @classmethod
    def from_settings(cls, service, settings: Settings, **kwargs) -> Background:
        """Background work as the settings describe it: their job settings, and e-mail when SMTP is set."""
        return cls(service, settings.jobs, notifier=Notifier.from_settings(service.db, settings), **kwargs)

    def _executor(self, app):
        """Celery when a broker is configured, else a thread of this process."""
        settings = self.ctx.settings
        if not settings.broker_url:
            return InProcessExecutor(lambda envelope: work.execute(self.ctx, envelope))
        if app is None:
            from engine.jobs.celery_app import make_celery  # Celery is imported only when a broker is used

            app = make_celery(settings)
        return CeleryExecutor(app, settings.queue)

    @property
    def in_process(self) -> bool:
        return isinstance(self.ctx.executor, InProcessExecutor)

    # ------------------------------------------------------------------------------------------ jobs
    def submit(self, kind: str, payload: dict, key: str | None = None) -> int:
        """Store a job and ring for it; returns its id. The same `key` twice stores and runs it once."""
        if kind not in work.HANDLERS:
            raise InvalidInput(f"unknown kind of background job {kind!r}; known: {', '.join(sorted(work.HANDLERS))}")
        key = key or f"{kind}:{uuid.uuid4().hex}"
        mark = self.ctx.seconds("redispatch_seconds")
        try:
            with self.ctx.service.transaction(f"queue {kind}") as session:
                job, new = queue.add(session, kind, payload, key, self.ctx.now(), mark)
                job_id = job.id
        except Conflict:  # the same key submitted concurrently: the other one stored it
            with self.ctx.db.transaction() as session:
                job_id, new = queue.by_key(session, key).id, False
        if new:
            self.ctx.executor.dispatch(Envelope.new("carepath.run_job", {"job_id": job_id}))
        return job_id

    def correlate(self, name: str, keys: dict, payload: dict | None = None, *, message_id: str | None = None,
                  actor: str = "messages") -> int:
        """Queue message `name` for the instances whose keys match. `message_id` (the sender's id for the
        message) makes a message sent twice count once."""
        self.ctx.service.check_message(name, keys, payload)
        key = f"message:{message_id}" if message_id else None
        return self.submit("correlate_message", {"name": name, "keys": keys, "payload": payload,
                                                 "actor": actor}, key)

    def import_patients(self, import_id: int) -> int:
        return self.submit("import_patients", {"import_id": import_id}, f"import_patients:{import_id}")

    def job(self, job_id: int) -> JobView:
        with self.ctx.db.transaction() as session:
            j = queue.get(session, job_id)
            return JobView(j.id, j.key, j.kind, j.status, j.attempts, j.created_at, j.finished_at, j.result,
                           j.error)

    def sweep(self) -> None:
        """Ring the bells of due work once (what beat does every few seconds)."""
        self.ctx.executor.dispatch(Envelope.new("carepath.sweep"))

    # ------------------------------------------------------------------------------------------ in-process
    def start(self, interval_seconds: float | None = None):
        """Start the in-process scheduler thread (without a broker); returns it, or None with a broker (beat
        and workers do the periodic work then)."""
        if not self.in_process:
            return None
        if self.scheduler is None:
            self.scheduler = InProcessScheduler(self.ctx, interval_seconds)
        return self.scheduler.start()

    def join(self) -> None:
        """Wait for the in-process jobs dispatched so far (no-op with a broker)."""
        if self.in_process:
            self.ctx.executor.join()

    def close(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        self.ctx.executor.close()
