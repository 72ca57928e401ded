"""Use cases of time and other systems: fire the timers that are due, deliver a message to the instances waiting
for it (or start one)."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from engine.care import messages as messages_mod
from engine.care import timers as timers_mod
from engine.care.actors import SYSTEM, Actor
from engine.care.messages import CorrelationResult
from engine.errors import Conflict, NotFound
from engine.models import Instance, InstanceStatus
from engine.store import receipts
from engine.time import clock

log = logging.getLogger("engine.service")


class EventUseCases:
    # ------------------------------------------------------------------------------------------------ timers
    def run_due_timers(self, now: datetime | None = None, limit: int = 500) -> int:
        """Fire the timers due at `now` (of at most `limit` rows, see `fire_due_timers`). Returns timers fired."""
        return self.fire_due_timers(now, limit)[1]

    def fire_due_timers(self, now: datetime | None = None, limit: int = 500, *, owner: str | None = None,
                        lease_seconds: float = 60.0) -> tuple[int, int]:
        """Claim up to `limit` due timer rows for `owner` (engine.care.timers.claim_due), then fire their
        instances; returns (instances claimed, timers fired).

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
                fired += self.with_retries(f"fire timers of instance {instance_id}", lambda s, i=instance_id:
                                           timers_mod.fire_due(s, self.runtime, i, now, owner=owner))
            except Exception:  # one bad instance must not hold up the others; its lease brings it back
                log.exception("firing the timers of instance %s failed; retried when its claim runs out",
                              instance_id)
        return len(instance_ids), fired

    def run_timers_as_of(self, moment: datetime, limit: int = 500) -> int:
        """Fire the timers due by a simulated `moment`, the engine's clock set to it for the run (scripts, due
        dates and the audit trail read it too). Returns timers fired."""
        with clock.use_clock(clock.FrozenClock(moment)):
            return self.run_due_timers(moment, limit)

    def fire_instance_timers(self, instance_id: int, now: datetime | None = None) -> int:
        """Fire the due timers of one instance (a simulation moving one patient's time on)."""
        with self.transaction(f"fire the timers of instance {instance_id}") as session:
            return timers_mod.fire_due(session, self.runtime, instance_id, now or clock.now())

    def unclaimed_due_timers(self, now: datetime, cap: int) -> int:
        """How many due timers nobody holds a claim on (at most `cap`): a cheap look before ringing workers."""
        with self.reading() as session:
            return timers_mod.unclaimed_due_count(session, now, cap)

    def timers_coming_due(self, now: datetime, until: datetime) -> list[datetime]:
        with self.reading() as session:
            return timers_mod.coming_due(session, now, until)

    # ------------------------------------------------------------------------------------------------ messages
    @staticmethod
    def check_message(name: str, keys: dict, payload: dict | None = None) -> None:
        """Refuse a message that could never be delivered (no name, keys that are not text, a payload that is
        not an object), before it is queued."""
        messages_mod.check_message(name, keys, payload)

    def correlate(self, name: str, keys: dict, payload: dict | None = None, actor: Actor = SYSTEM, *,
                  idempotency_key: str | None = None) -> CorrelationResult:
        """Deliver message `name` to the instances whose correlation keys match `keys`, or start one.

        With an `idempotency_key` (the message's id), each delivery is recorded under it in the delivering
        transaction (engine.store.receipts): the same message sent again reports what it did the first time and
        changes nothing."""
        messages_mod.check_message(name, keys, payload)
        result = CorrelationResult(message=name)
        key = idempotency_key
        with self.reading() as session:
            waiting = messages_mod.waiting_instances(session, name, keys)
            done = receipts.done(session, key) if key else {}
        if "start" in done:
            result.started.append(done["start"])
            return result
        result.delivered.extend(sorted(i for i in done.values() if i is not None))
        for instance_id in sorted(waiting - set(result.delivered)):
            outcome = self.with_retries(f"deliver {name} to instance {instance_id}",
                                        lambda s, i=instance_id: self._deliver(s, i, name, keys, payload, actor, key))
            # counted only once the transaction committed (a retried conflict must not count twice)
            if outcome == "skipped":
                result.skipped.append(instance_id)
            elif outcome == "delivered":
                result.delivered.append(instance_id)
            elif isinstance(outcome, dict):
                result.failed.append(outcome)
        if not (result.delivered or result.skipped or result.failed):
            self._start_on_message(result, name, keys, payload, actor, key)
        return result

    def _deliver(self, session, instance_id: int, name: str, keys: dict, payload, actor: Actor, key: str | None,
                 *, new_key: bool = False):
        """Deliver to one instance: "delivered", "skipped" (not running), None (no longer waiting), or the
        failure (a dict, see engine.care.messages.failure). A failed delivery leaves no receipt: once the
        instance is fixed, the same message may be sent again. `new_key`: `key`'s record was written in this
        transaction, so nothing was ever done under it and no copy can do anything under it before this one
        commits (its receipts are not looked up)."""
        instance, rows = messages_mod.locked_with_waits(session, instance_id)
        return self._deliver_locked(session, instance, rows, name, keys, payload, actor, key, new_key=new_key)

    def _deliver_locked(self, session, instance: Instance, rows: list, name: str, keys: dict, payload,
                        actor: Actor, key: str | None, *, new_key: bool = False):
        """`_deliver` to `instance`, locked in this transaction, whose message waits `rows` were read after."""
        instance_id = instance.id
        if not messages_mod.is_deliverable(instance):
            return "skipped"
        mine = messages_mod.matching(rows, name, keys)
        if not mine:
            return None  # it stopped waiting meanwhile
        if key and not new_key and str(instance_id) in receipts.done(session, key):
            return "delivered"  # a concurrent copy of this message delivered it
        failed = messages_mod.deliver(session, self.runtime, instance, name, keys, payload, actor, mine, rows)
        if failed is not None:
            return failed
        if key:
            receipts.record(session, key, str(instance_id), instance_id, looked=True)
        return "delivered"

    def _start_on_message(self, result: CorrelationResult, name: str, keys: dict, payload, actor: Actor,
                          key: str | None) -> None:
        """Start the pathways this message starts; one the patient already has open is not started twice. A start
        that fails on the message (its instance in error) is reported as failed, not as started."""
        try:
            with self.transaction(f"start on message {name}") as session:
                for deployment, process in messages_mod.message_start_targets(session, name):
                    instance = messages_mod.start_by_message(session, self.runtime, deployment, process, name,
                                                             keys, payload, actor)
                    if instance.status == InstanceStatus.ERROR:
                        result.failed.append(messages_mod.failure(instance, None, None))
                    else:
                        result.started.append(instance.id)
                if key and result.started:
                    receipts.record(session, key, "start", result.started[0])
        except (Conflict, NotFound) as exc:  # open already, or a patient not in the registry
            result.started.clear()
            result.failed.clear()
            result.refused = exc.message
