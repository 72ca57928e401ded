"""Use cases of the systems around a care team, exact about retries: a program started under an Idempotency-Key,
a message under its id and a FHIR resource under its identifier happen once, however often (and however
concurrently) they are sent, and the same request gets the first answer; a patient created or updated by MRN;
a FHIR Questionnaire turned into a form. They go through the same use cases as the web app (start_program,
correlate, the registry), with the same checks.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.authoring import questionnaire as questionnaire_mod
from engine.care import access, fhir_inbound, patients
from engine.care import instances as instances_mod
from engine.care import messages as messages_mod
from engine.care.actors import Actor
from engine.care.messages import CorrelationResult
from engine.care.patients import PatientInput, PatientInvalid
from engine.errors import Conflict, InvalidInput
from engine.models import InboxTask, Instance, Patient, TaskStatus
from engine.store import idempotency
from engine.store.idempotency import KeyReused

START_ATTEMPTS = 5
CLAIM_LEASE = timedelta(minutes=2)  # a message's first request holds its key this long at most
KEPT = ("delivered", "started", "matched_nothing", "queued")  # outcomes kept as the key's answer
Queue = Callable[[str, dict, dict | None, str], int]  # (name, keys, payload, message key) -> background job id


@dataclass(frozen=True)
class Answered:
    """The answer to a request under an idempotency key, and whether it is the first answer given again."""

    answer: dict
    replayed: bool


@dataclass(frozen=True)
class Received:
    """A FHIR resource received: what it said (`inbound`), what was done (`answer`), the tasks it opened."""

    inbound: fhir_inbound.Inbound
    answer: dict
    replayed: bool
    tasks: list[InboxTask] = field(default_factory=list)


@dataclass(frozen=True)
class Upserted:
    patient: Patient
    created: bool
    changes: dict  # field -> {before, after}; {} for a new patient or nothing changed


def check_key(key: str, what: str = "Idempotency-Key") -> str:
    key = key if isinstance(key, str) else ""
    if not 1 <= len(key) <= 200 or not key.isprintable() or not key.isascii() or key != key.strip():
        raise InvalidInput(f"the {what} must be 1 to 200 printable ASCII characters, without spaces around it")
    return key


def start_answer(instance: Instance) -> dict:
    return {"instance_id": instance.id, "patient_id": instance.patient_id, "program": instance.program,
            "process_id": instance.process_id, "status": instance.status,
            "started_at": instance.started_at.isoformat().replace("+00:00", "Z"),
            "error": {k: instance.error.get(k) for k in ("element", "name", "type", "line")}
            if instance.error else None}


def message_answer(result: CorrelationResult) -> dict:
    outcome = ("started" if result.started else "delivered" if result.delivered else
               "failed" if result.failed else "skipped" if result.skipped else
               "refused" if result.refused else "matched_nothing")
    return {"outcome": outcome, "message": result.message, "delivered": list(result.delivered),
            "started": list(result.started), "skipped": list(result.skipped), "failed": list(result.failed),
            "refused": result.refused, "job_id": None}


def _kept(answer: dict) -> dict | None:
    """The answer kept under the key: one that changed something (see KEPT), else None (the request may come again)."""
    return answer if answer.get("outcome") in KEPT else None


def _first_started(answer: dict) -> int | None:
    return (answer.get("started") or [None])[0]


class IntegrationUseCases:
    # ------------------------------------------------------------------------------------------------ starts
    def start_program_once(self, patient_id: str, program: str, actor: Actor, *, key: str | None = None,
                           scope: str = "-", team: dict[str, str] | None = None) -> Answered:
        """Start a program for a patient (`start_program`), under an idempotency key of the caller (`scope`
        names them: keys of different callers never meet). The answer is kept under the key in the same
        transaction as the start, so the same key again returns it and never makes a second instance; the
        same key with another patient or program is refused (KeyReused), naming the key."""
        if key is None:
            return Answered(start_answer(self.start_program(patient_id, program, actor, team)), False)
        key = check_key(key)
        record_key = idempotency.record_key("start", scope, key)
        print_ = idempotency.fingerprint({"patient_id": patient_id, "program": program, "team": team or {}})
        for attempt in range(1, START_ATTEMPTS + 1):
            known = self._recorded(record_key, print_, "Idempotency-Key", key)
            if known is not None:
                return known
            try:
                with idempotency.answer_with_start(record_key, "start", print_, start_answer) as pending:
                    self.start_program(patient_id, program, actor, team)
                return Answered(dict(pending.written.answer), False)
            except Conflict:
                if attempt == START_ATTEMPTS or (self._recorded(record_key, print_, "Idempotency-Key", key) is None
                                                 and self._has_open(patient_id, program)):
                    raise  # it was already running before this key: not this request's doing
                time.sleep(0.02 * attempt)  # a concurrent request with the key commits; then its answer is read
        raise AssertionError("unreachable")

    def _recorded(self, record_key: str, print_: str, what: str, shown: str) -> Answered | None:
        with self.reading() as session:
            found = idempotency.find(session, record_key)
            if found is None or found.answer is None:
                if found is not None:
                    idempotency.check(found, print_, what, shown)
                return None
            idempotency.check(found, print_, what, shown)
            return Answered(dict(found.answer), True)

    def _has_open(self, patient_id: str, program: str) -> bool:
        with self.reading() as session:
            return instances_mod.open_instance(session, patient_id, program) is not None

    # ------------------------------------------------------------------------------------------------ messages
    def send_message(self, name: str, keys: dict, payload: dict | None, actor: Actor, *,
                     message_id: str | None = None, scope: str = "-", queue: Queue | None = None) -> Answered:
        """Deliver a message (`correlate`) now, or hand it to background work (`queue`). With a `message_id`
        (the sender's id for it) it happens once: the first request holds the id while it is answered, a
        concurrent one waits for that answer, and a later one gets it. The outcome says whether the message was
        delivered, started a pathway, queued or matched nothing; one that changed nothing (refused, failed,
        skipped) is not kept, so the same message may be sent again once its cause is fixed."""
        self.check_message(name, keys, payload)
        if message_id is None:
            return Answered(self._deliver_now(name, keys, payload, actor, None, queue), False)
        message_id = check_key(message_id, "message_id")
        record_key = idempotency.record_key("message", scope, message_id)
        print_ = idempotency.fingerprint({"name": name, "keys": keys, "payload": payload})
        first = (None,) if queue is not None else self._first_delivery(name, keys, payload, actor, record_key)
        return self._once(record_key, "message", print_, "message_id", message_id,
                          lambda: self._deliver_now(name, keys, payload, actor, record_key, queue), *first)

    def _deliver_now(self, name, keys, payload, actor, record_key, queue: Queue | None) -> dict:
        if queue is not None:
            job = queue(name, keys, payload, record_key or "")
            return {"outcome": "queued", "message": name, "delivered": [], "started": [], "skipped": [],
                    "failed": [], "refused": None, "job_id": job}
        return message_answer(self.correlate(name, keys, payload, actor, idempotency_key=record_key))

    def _first_delivery(self, name, keys, payload, actor, record_key: str) -> tuple:
        """`_once`'s first try for a message (`_deliver_in`), and the reads it starts with."""
        return (lambda session, read: self._deliver_in(session, name, keys, payload, actor, record_key, read),
                messages_mod.waiting_reads(name, keys))

    def _deliver_in(self, session, name, keys, payload, actor, record_key: str, read: list | None) -> dict | None:
        """The message delivered in the transaction that took its key, as `correlate` delivers it (`_deliver`:
        the instance locked, still waiting, its receipt written with the effect), when exactly one instance
        waits for it. The key's record is new in this transaction: nothing was done under it yet (receipts
        are only ever written under a key's record). `read`: what messages.waiting_reads read with the claim
        (the waiting instances locked, and their waits), else None. None: any other case, done the usual way."""
        if read is not None:
            found = messages_mod.sole_waiting(session, read, name, keys)
            if found is None:
                return None
            instance_id = found[0].id
            outcome = self._deliver_locked(session, *found, name, keys, payload, actor, record_key, new_key=True)
        else:
            instances = messages_mod.waiting_instances(session, name, keys)
            if len(instances) != 1:
                return None
            instance_id = instances.pop()
            outcome = self._deliver(session, instance_id, name, keys, payload, actor, record_key, new_key=True)
        result = CorrelationResult(message=name)
        if outcome == "delivered":
            result.delivered.append(instance_id)
        elif outcome == "skipped":
            result.skipped.append(instance_id)
        elif isinstance(outcome, dict):
            result.failed.append(outcome)
        else:
            return None  # it stopped waiting meanwhile: nothing was written; `correlate` looks again
        return message_answer(result)

    def _once(self, record_key: str, operation: str, print_: str, what: str, shown: str,
              work: Callable[[], dict], first: Callable[[Session, list | None], dict | None] | None = None,
              along: tuple = ()) -> Answered:
        """`work()` once under `record_key`. With `first`, a request that takes a new key tries
        `first(session, read)` in the taking transaction: its answer is kept there too, so the key, the effect
        (with its receipt) and the answer commit together or not at all (a concurrent copy waits at the key's
        primary key, then reads the answer). When `first` answers None, the key is committed held and `work()`
        runs after it. `along`: the reads `first` starts with, made with the claim where they can be (`read`
        is their rows, else None: idempotency.claim)."""
        deadline = time.monotonic() + self.api_settings.idempotency_wait
        while True:
            done, trying = None, False
            try:
                with self.transaction(f"hold {what} {shown[:40]}") as session:
                    claim = idempotency.claim(session, record_key, operation, print_, CLAIM_LEASE, what=what,
                                              shown_key=shown, along=along if first is not None else ())
                    held, answer = claim.held, claim.answer
                    if held and claim.new and first is not None:
                        trying = True
                        done = first(session, claim.along)
                        if done is not None:
                            idempotency.settle(session, record_key, _kept(done), _first_started(done))
            except KeyReused:
                raise
            except Conflict:  # a concurrent first request took the key at this moment (or, trying, the instance)
                held, answer, done = False, None, None  # nothing of this attempt was kept
            except BaseException:
                if trying:
                    self._pin(record_key, operation, print_, what, shown)
                raise
            if done is not None:
                return Answered(done, False)
            if answer is not None:
                return Answered(answer, True)
            if held:
                break
            if time.monotonic() > deadline:
                raise Conflict(f"the request with {what} '{shown}' is still being answered; ask again in a moment")
            time.sleep(0.005 if trying else 0.05)
        try:
            answer = work()
        except BaseException:
            with self.transaction(f"let go of {what} {shown[:40]}") as session:
                idempotency.settle(session, record_key, None)
            raise
        with self.transaction(f"answer {what} {shown[:40]}") as session:
            idempotency.settle(session, record_key, _kept(answer), _first_started(answer))
        return Answered(answer, False)

    def _pin(self, record_key: str, operation: str, print_: str, what: str, shown: str) -> None:
        """After a failure in the taking transaction (rolled back, the key with it): the key kept for this request,
        held by nobody and without an answer, as when work() fails after its key was committed."""
        try:
            with self.transaction(f"let go of {what} {shown[:40]}") as session:
                if idempotency.claim(session, record_key, operation, print_, CLAIM_LEASE, what=what,
                                     shown_key=shown).new:
                    idempotency.settle(session, record_key, None)
        except (Conflict, KeyReused):
            pass  # a concurrent request holds the key now


    # ------------------------------------------------------------------------------------------------ FHIR in
    def receive_fhir(self, resource, actor: Actor) -> Received:
        """An Encounter (a discharge starts TCM) or an Observation (a result for the waiting pathways), once per
        resource identifier: the same resource again gets the first answer; another resource under the same
        identifier is refused naming it."""
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        mrn_system = self.api_settings.mrn_system
        if kind == "Encounter":
            inbound = fhir_inbound.encounter(resource, mrn_system)
        elif kind == "Observation":
            inbound = fhir_inbound.observation(resource, mrn_system)
        else:
            raise InvalidInput("resourceType: carepath takes Encounter and Observation resources here")
        if not actor.is_admin:  # a person: the care team's rule for recording a discharge or a result
            with self.reading() as session:
                patients.get_patient(session, inbound.patient_id)
                access.require_change(session, actor, inbound.patient_id, "discharge")
        if inbound.name is None:
            return Received(inbound, {"outcome": "ignored", "reason": inbound.why}, False)
        record_key = idempotency.record_key("fhir", inbound.resource_type, inbound.identifier)
        print_ = idempotency.fingerprint({"name": inbound.name, "keys": inbound.keys, "payload": inbound.payload})
        answered = self._once(record_key, "fhir", print_, "identifier", inbound.identifier,
                              lambda: self._deliver_now(inbound.name, inbound.keys, inbound.payload, actor,
                                                        record_key, None),
                              *self._first_delivery(inbound.name, inbound.keys, inbound.payload, actor,
                                                    record_key))
        instances = list(answered.answer.get("started") or []) + list(answered.answer.get("delivered") or [])
        with self.reading() as session:
            tasks = list(session.scalars(select(InboxTask).where(
                InboxTask.instance_id.in_(instances), InboxTask.status.in_(TaskStatus.ACTIVE))
                .order_by(InboxTask.id))) if instances else []
        return Received(inbound, answered.answer, answered.replayed, tasks)

    # ------------------------------------------------------------------------------------------------ patients
    def upsert_patient(self, fields: PatientInput, actor: Actor) -> Upserted:
        """Create the patient with this MRN (`add_patient`), or update their record to these fields
        (`update_patient`: every field checked, the change audited with the old and new values, by someone
        who may change the record). The same request twice changes nothing the second time."""
        mrn = (fields.mrn or "").strip()
        for attempt in (1, 2):
            existing = self.patients_by_id([mrn]).get(mrn) if mrn else None
            if existing is not None:
                changes = self.update_patient(existing.id, fields, actor)
                return Upserted(self.patients_by_id([mrn])[mrn], False, changes)
            try:
                return Upserted(self.add_patient(fields, actor), True, {})
            except (Conflict, PatientInvalid) as exc:
                taken = isinstance(exc, Conflict) or "already exists" in str(getattr(exc, "errors", {}).get("mrn"))
                if attempt == 2 or not taken:
                    raise  # a concurrent create of the same MRN committed first: now it is an update
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------------------------------------ forms
    @staticmethod
    def questionnaire_form(resource) -> questionnaire_mod.ImportedForm:
        """A FHIR Questionnaire as a form (JSON Schema and UI schema), naming what could not be mapped."""
        return questionnaire_mod.import_questionnaire(resource)
