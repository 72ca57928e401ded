"""The engine's front door for the CLI, the web app and workers: each call is one transaction.

Concurrent writers to one instance are caught by the instance's version column: the loser gets a `Conflict`
with a clear message and nothing of its work is stored.
"""
from __future__ import annotations

import logging
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from engine.care import instances as instances_mod
from engine.care import messages as messages_mod
from engine.care import tasks as tasks_mod
from engine.care import timers as timers_mod
from engine.care.actors import SYSTEM, Actor
from engine.deploy import versions as deployments_mod
from engine.deploy.bundle import Bundle, load_bundle
from engine.deploy.spec_cache import SpecCache
from engine.errors import Conflict
from engine.read import instance_views as queries
from engine.runtime.runner import Runtime
from engine.sandbox import SandboxLimits
from engine.store import audit, receipts
from engine.store.database import Database
from engine.time import clock

log = logging.getLogger(__name__)
SYSTEM_RETRIES = 3


def _is_lock_failure(exc: OperationalError) -> bool:
    """SQLite's busy/locked, PostgreSQL's lock-not-available and deadlock: not a missing table named lock_version."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in ("55P03", "40P01", "40001"):
        return True
    message = str(exc.orig).lower()
    return "database is locked" in message or "database table is locked" in message


class CarePathways:
    def __init__(self, database: Database | str, *, specs: SpecCache | None = None,
                 limits: SandboxLimits | None = None):
        self.db = database if isinstance(database, Database) else Database(database)
        self.runtime = Runtime(specs or SpecCache(), limits)

    # ------------------------------------------------------------------------------------ plumbing
    @contextmanager
    def transaction(self, what: str):
        try:
            with self.db.transaction() as session:
                yield session
        except StaleDataError as exc:
            raise Conflict(f"{what}: someone else changed this pathway instance at the same time; "
                           "nothing was saved, reload and try again") from exc
        except IntegrityError as exc:
            raise Conflict(f"{what}: a concurrent change got there first; nothing was saved") from exc
        except OperationalError as exc:
            if _is_lock_failure(exc):
                raise Conflict(f"{what}: the database was busy with a concurrent change; try again") from exc
            raise

    def init_db(self) -> str | None:
        self.db.upgrade()
        return self.db.current_revision()

    # ------------------------------------------------------------------------------------ deployments
    def deploy(self, source: str | Path | Bundle, actor: Actor = SYSTEM, name: str | None = None):
        bundle = source if isinstance(source, Bundle) else load_bundle(source, name=name)
        with self.transaction(f"deploy {bundle.name}") as session:
            return deployments_mod.deploy(session, bundle, actor.name, self.runtime.specs)

    def versions(self):
        with self.db.transaction() as session:
            return deployments_mod.list_versions(session)

    # ------------------------------------------------------------------------------------ instances
    def start(self, program: str, patient_id: str, data: dict | None = None, actor: Actor = SYSTEM):
        with self.transaction(f"start {program}") as session:
            return instances_mod.start(session, self.runtime, program, patient_id, actor, data)

    def suspend(self, instance_id: int, actor: Actor = SYSTEM, reason: str = ""):
        with self.transaction(f"suspend instance {instance_id}") as session:
            return instances_mod.suspend(session, self.runtime, instance_id, actor, reason)

    def resume(self, instance_id: int, actor: Actor = SYSTEM):
        with self.transaction(f"resume instance {instance_id}") as session:
            return instances_mod.resume(session, self.runtime, instance_id, actor)

    def terminate(self, instance_id: int, actor: Actor = SYSTEM, reason: str = ""):
        with self.transaction(f"terminate instance {instance_id}") as session:
            return instances_mod.terminate(session, self.runtime, instance_id, actor, reason)

    def retry(self, instance_id: int, actor: Actor = SYSTEM, data: dict | None = None, upgrade: bool = False):
        with self.transaction(f"retry instance {instance_id}") as session:
            return instances_mod.retry(session, self.runtime, instance_id, actor, data, upgrade)

    def instance(self, instance_id: int, viewer: Actor | None = None) -> queries.InstanceView:
        """An instance with its tasks, waits and history. With a `viewer`, the view is audited."""
        with self.db.transaction() as session:
            instance = instances_mod.get_instance(session, instance_id)
            if viewer is not None:
                audit.record(session, "viewed", viewer.name, instance=instance, details={"what": "instance"})
            return queries.instance_view(session, instance)

    def instances(self, patient_id: str | None = None, status: str | None = None, limit: int = 100):
        with self.db.transaction() as session:
            return queries.list_instances(session, patient_id, status, limit)

    def instance_data(self, instance_id: int, viewer: Actor | None = None) -> dict:
        """The pathway's current data (what the most recent step produced). With a `viewer`, audited."""
        with self.db.transaction() as session:
            instance = instances_mod.get_instance(session, instance_id)
            if viewer is not None:
                audit.record(session, "viewed", viewer.name, instance=instance, details={"what": "data"})
            workflow = self.runtime.load(session, instance).workflow
            task = workflow.last_task or workflow.task_tree
            return dict(task.data)

    # ------------------------------------------------------------------------------------ tasks
    def tasks(self, f: queries.TaskFilter | None = None, **filters):
        f = f or queries.TaskFilter(**filters)
        with self.db.transaction() as session:
            return queries.list_tasks(session, f)

    def count_tasks(self, f: queries.TaskFilter | None = None, **filters) -> int:
        f = f or queries.TaskFilter(**filters)
        with self.db.transaction() as session:
            return queries.count_tasks(session, f)

    def task(self, task_id: int):
        with self.db.transaction() as session:
            return tasks_mod.get_task(session, task_id)

    def task_form(self, task_id: int) -> dict | None:
        """The JSON Schema of a task's form, as the pathway version its instance runs on has it (None: no form)."""
        with self.db.transaction() as session:
            task = tasks_mod.get_task(session, task_id)
            if not task.form_schema:
                return None
            instance = instances_mod.get_instance(session, task.instance_id)
            return self.runtime.specs.get(session, instance.deployment_id).forms.get(task.form_schema)

    def claim(self, task_id: int, actor: Actor):
        with self.transaction(f"claim task {task_id}") as session:
            return tasks_mod.claim(session, task_id, actor)

    def unclaim(self, task_id: int, actor: Actor):
        with self.transaction(f"release task {task_id}") as session:
            return tasks_mod.unclaim(session, task_id, actor)

    def assign(self, task_id: int, assignee: str, actor: Actor, assignee_roles=None):
        with self.transaction(f"assign task {task_id}") as session:
            return tasks_mod.assign(session, task_id, assignee, actor, assignee_roles)

    def set_follow_up(self, task_id: int, follow_up_at: datetime | None, actor: Actor):
        with self.transaction(f"set follow-up of task {task_id}") as session:
            return tasks_mod.set_follow_up(session, task_id, follow_up_at, actor)

    def complete(self, task_id: int, data: dict | None, actor: Actor, cleared=()):
        with self.transaction(f"complete task {task_id}") as session:
            return tasks_mod.complete(session, self.runtime, task_id, data, actor, cleared)

    # ------------------------------------------------------------------------------------ time and events
    def run_due_timers(self, now: datetime | None = None, limit: int = 500) -> int:
        """Fire the timers due at `now` (of at most `limit` rows, see `fire_due_timers`). Returns timers fired."""
        return self.fire_due_timers(now, limit)[1]

    def fire_due_timers(self, now: datetime | None = None, limit: int = 500, *, owner: str | None = None,
                        lease_seconds: float = 60.0) -> tuple[int, int]:
        """Claim up to `limit` due timer rows for `owner` (engine.care.timers.claim_due), then fire their instances;
        returns (instances claimed, timers fired).

        The claimed instances are fired in one transaction (locked in id order, so two batches never deadlock):
        a third of the cost of one transaction each. Should that fail (a concurrent completion of one of them,
        say), nothing of it is kept and each instance is fired in its own transaction instead; one that fails
        then keeps its claim until the lease runs out, and any sweep retries it."""
        now = now or clock.now()
        owner = owner or f"sweep:{uuid.uuid4().hex[:12]}"
        with self.transaction("claim due timers") as session:
            instance_ids = timers_mod.claim_due(session, owner, now, timedelta(seconds=lease_seconds), limit)
        if not instance_ids:
            return 0, 0
        try:
            with self.transaction(f"fire the timers of {len(instance_ids)} instances") as session:
                fired = sum(timers_mod.fire_due(session, self.runtime, i, now, owner=owner)
                            for i in sorted(instance_ids))
            return len(instance_ids), fired
        except Exception as exc:  # noqa: BLE001 - retried below, one instance at a time
            log.info("firing a batch of %d instances' timers failed (%s); firing them one by one",
                     len(instance_ids), exc)
        fired = 0
        for instance_id in instance_ids:
            try:
                fired += self._with_retries(f"fire timers of instance {instance_id}", lambda s, i=instance_id:
                                            timers_mod.fire_due(s, self.runtime, i, now, owner=owner))
            except Exception:  # one bad instance must not hold up the others; its lease brings it back
                log.exception("firing the timers of instance %s failed; retried when its claim runs out",
                              instance_id)
        return len(instance_ids), fired

    def correlate(self, name: str, keys: dict, payload: dict | None = None, actor: Actor = SYSTEM, *,
                  idempotency_key: str | None = None):
        """Deliver message `name` to the instances whose correlation keys match `keys`, or start one.

        With an `idempotency_key` (the message's id), each delivery is recorded under it in the delivering
        transaction (engine.store.receipts): the same message sent again reports what it did the first time and
        changes nothing."""
        messages_mod.check_message(name, keys, payload)
        result = messages_mod.CorrelationResult(message=name)
        key = idempotency_key
        with self.db.transaction() as session:
            waits = messages_mod.matching_waits(session, name, keys)
            done = receipts.done(session, key) if key else {}
        if "start" in done:
            result.started.append(done["start"])
            return result
        result.delivered.extend(sorted(i for i in done.values() if i is not None))
        for instance_id in sorted({w.instance_id for w in waits} - set(result.delivered)):
            def deliver(session, instance_id=instance_id):
                instance = instances_mod.get_instance(session, instance_id, for_update=True)
                if not messages_mod.is_deliverable(instance):
                    return "skipped"
                mine = messages_mod.matching_waits(session, name, keys, instance_id)
                if not mine:
                    return None  # it stopped waiting meanwhile
                if key and not receipts.record(session, key, str(instance_id), instance_id):
                    return "delivered"  # a concurrent copy of this message delivered it
                messages_mod.deliver(session, self.runtime, instance, name, payload, actor, mine)
                return "delivered"
            # counted only once the transaction committed (a retried conflict must not count twice)
            outcome = self._with_retries(f"deliver {name} to instance {instance_id}", deliver)
            if outcome == "skipped":
                result.skipped.append(instance_id)
            elif outcome == "delivered":
                result.delivered.append(instance_id)
        if not result.delivered and not result.skipped:
            with self.transaction(f"start on message {name}") as session:
                for deployment, process in messages_mod.message_start_targets(session, name):
                    instance = messages_mod.start_by_message(session, self.runtime, deployment, process, name,
                                                             keys, payload, actor)
                    result.started.append(instance.id)
                if key and result.started:
                    receipts.record(session, key, "start", result.started[0])
        return result

    def _with_retries(self, what: str, work):
        for attempt in range(1, SYSTEM_RETRIES + 1):
            try:
                with self.transaction(what) as session:
                    return work(session) or 0
            except Conflict:
                if attempt == SYSTEM_RETRIES:
                    raise
                log.info("%s: conflict, retrying (%d)", what, attempt)
        return 0
