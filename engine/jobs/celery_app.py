"""The Celery app: `celery -A engine.jobs.celery_app worker` (or `carepath worker`) and `... beat`.

Configured from CELERY_BROKER_URL (redis://... or amqp://...) for at-least-once delivery:

- late acknowledgement (`task_acks_late`): a task is acknowledged after it ran, so a worker that dies mid-task
  leaves it to be delivered again (RabbitMQ at once, when the connection drops; Redis once the visibility
  timeout has passed);
- `task_reject_on_worker_lost`: a pool process killed mid-task puts its task back instead of dropping it;
- prefetch 1: a worker holds no more tasks than it runs, so a busy worker does not sit on others' work.

Redelivery is only a wake-up: what makes each effect happen once are the database claims, the instance version
column and the idempotency keys (see engine.jobs.work). A task can therefore be delivered twice, and it is.
"""
from __future__ import annotations

import logging

from celery import Celery, signals
from celery.schedules import crontab

from engine import heap
from engine.config import JobSettings, Settings
from engine.jobs import process
from engine.jobs.envelope import Envelope
from engine.jobs.work import TASKS, execute


def make_celery(settings: JobSettings | None = None) -> Celery:
    settings = settings or Settings.from_env().jobs
    app = Celery("carepath", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={"visibility_timeout": settings.visibility_timeout},
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a restarted broker is waited for, however long it takes
        worker_cancel_long_running_tasks_on_connection_loss=False,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=settings.queue,
        timezone="UTC",
        enable_utc=True,
        worker_hijack_root_logger=False,
        # a sweep or plan that waited in the queue longer than its period is dropped unrun (expires)
        beat_schedule={
            "carepath-sweep": {"task": "carepath.sweep", "schedule": settings.sweep_seconds,
                               "options": {"expires": settings.sweep_seconds}},
            "carepath-notifications": {"task": "carepath.plan_notifications", "schedule": settings.notify_seconds,
                                       "options": {"expires": settings.notify_seconds}},
            "carepath-reports": {"task": "carepath.refresh_reports", "schedule": settings.report_seconds,
                                 "options": {"expires": settings.report_seconds}},
            "carepath-digest": {"task": "carepath.daily_digest",
                                "schedule": crontab(minute=0, hour=settings.digest_hour)},
        },
    )
    for name in TASKS:
        _register(app, name)
    return app


@signals.worker_init.connect
@signals.after_setup_logger.connect
def _quiet_spiffworkflow(*_args, **_kwargs) -> None:
    """SpiffWorkflow logs every task state change at INFO: at a worker's INFO level that is most of a timer
    firing's CPU time. Its warnings still show."""
    logging.getLogger("spiff").setLevel(logging.WARNING)


_quiet_spiffworkflow()


@signals.worker_init.connect
def _settle_heap(*_args, **_kwargs) -> None:
    """The worker's imports and app out of the collector's full passes, before its pool's processes fork
    (engine.heap)."""
    heap.settle()


def _register(app: Celery, name: str) -> None:
    def run(message: dict | None = None):
        # beat sends no envelope: a periodic task gets a fresh one, stamped now
        envelope = Envelope.from_message(message) if message is not None else Envelope.new(name)
        return execute(process.current(app), envelope)

    run.__name__ = run.__qualname__ = name.replace(".", "_")
    # shared=False: each app its own tasks (the default shares them with every app made later)
    app.task(name=name, shared=False, acks_late=True, reject_on_worker_lost=True, ignore_result=True)(run)


app = make_celery()
