"""Background work: firing due timers, correlating messages, running imports, sending notifications.

In-process by default (a scheduler thread and a job thread, see `inprocess`); on Celery workers when
CELERY_BROKER_URL is set (`celery_app`, `carepath worker`, `carepath beat`). Either way the same functions run
(`work`), and the database, not the broker, makes each effect happen once:

- due timers are claimed with a lease (engine.care.timers.claim_due: FOR UPDATE SKIP LOCKED on PostgreSQL); the
  firing itself locks the instance, fires only what is still due, and is checked by the instance's version;
- jobs are stored before the broker hears of them (`queue`) and record their effects under their key
  (engine.store.receipts), so a redelivered or re-rung job changes nothing twice;
- notifications are planned under a unique key and sent by whoever claims them (engine.notifications).

The broker only rings bells: a lost bell (a broker restarted empty) or an abandoned job (a worker killed) is
rung again by the next sweep once its mark or lease has run out.

A caller of the engine like the CLI: the domain work goes through the service (`engine.service`); this package
keeps only its own tables (the job queue). Celery is imported only where a broker is used.
"""
from __future__ import annotations

from engine.jobs.background import Background
from engine.jobs.envelope import Envelope

__all__ = ["Background", "Envelope"]
