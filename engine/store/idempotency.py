"""Idempotency records: the first answer to a request made under a key, and the fingerprint of what was asked.

Two ways to keep one, as the work under the key is made:

- `answer_with_start`: the work is one transaction that starts an instance (a program's start). The record is
  written in that very transaction, when it commits (`before_commit`), so the instance and the record exist
  together or not at all, as receipts are (engine.store.receipts). Two requests with the same key at the same
  moment both try to insert the record; the primary key lets one commit, and the other, rolled back, finds the
  record when it looks again.
- `claim` ... `settle`: the work spans several transactions (a message, delivered to each instance in a
  transaction of its own, each delivery under its own receipt). The key is claimed first, with a lease, so a
  second request with it waits for the first answer instead of doing the work again; the answer is kept when
  the work is done. A claim whose holder died runs out with its lease, and the next request takes it over
  (the receipts stop any effect from happening twice). A claim that writes a new record (`Claim.new`) may also
  do the work and `settle` in its own transaction (a message to one waiting instance): key, effect, receipt and
  answer then commit together, and a concurrent copy waits at the primary key, then finds the answer.

A key asked again with another request (another fingerprint) is refused, naming the key.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidInput
from engine.models import IdempotencyRecord, Instance
from engine.store import first_read
from engine.store.conflicts import insert_for
from engine.store.step_writes import WriteBatch, defer, opening_to_driver
from engine.time import clock

MAX_KEY = 250
_SETTLE = update(IdempotencyRecord.__table__).where(IdempotencyRecord.__table__.c.key == bindparam("record_key"))


class KeyReused(InvalidInput):
    """An idempotency key sent again with a request other than the one it was first used for."""

    def __init__(self, what: str, key: str, first: datetime | None):
        when = f" at {first:%Y-%m-%d %H:%M} UTC" if first else ""
        super().__init__(f"the {what} '{key}' was already used{when} for a different request; send the same "
                         f"request again to get its answer, or use a new {what} for a new request")
        self.key = key


def fingerprint(value) -> str:
    """A stable hash of a JSON-like request (keys sorted, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def record_key(*parts: str) -> str:
    """A record's key from its parts (kind, who, the caller's key); a long one is hashed to fit."""
    key = ":".join(parts)
    if len(key) <= 200:
        return key
    return f"{parts[0]}:sha256:{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()}"


def find(session: Session, key: str) -> IdempotencyRecord | None:
    return session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == key))


def check(record: IdempotencyRecord, fingerprint_: str, what: str, shown_key: str) -> None:
    if record.fingerprint != fingerprint_:
        raise KeyReused(what, shown_key, record.created_at)


# ------------------------------------------------------------------------------------------------ one transaction
@dataclass
class _Pending:
    key: str
    operation: str
    fingerprint: str
    answer_of: Callable[[Instance], dict]
    written: IdempotencyRecord | None = None


_PENDING: ContextVar[_Pending | None] = ContextVar("carepath_idempotency_pending", default=None)
_NEW_INSTANCES = "carepath_new_instances"


@contextmanager
def answer_with_start(key: str, operation: str, fingerprint_: str, answer_of: Callable[[Instance], dict]):
    """Within the block, the transaction that starts an instance also writes the record of `key`, its answer
    `answer_of(instance)`. Yields the pending record: `.written` is the record once it was written."""
    pending = _Pending(key, operation, fingerprint_, answer_of)
    token = _PENDING.set(pending)
    try:
        yield pending
    finally:
        _PENDING.reset(token)


@event.listens_for(Session, "pending_to_persistent")
def _note_new_instance(session: Session, instance) -> None:
    if isinstance(instance, Instance) and _PENDING.get() is not None:
        session.info.setdefault(_NEW_INSTANCES, []).append(instance)


@event.listens_for(Session, "before_commit")
def _write_record(session: Session) -> None:
    started = session.info.pop(_NEW_INSTANCES, None)
    pending = _PENDING.get()
    if pending is None or pending.written is not None or not started:
        return
    instance = started[0]
    now = clock.now()
    record = IdempotencyRecord(key=pending.key, operation=pending.operation, fingerprint=pending.fingerprint,
                               answer=pending.answer_of(instance), instance_id=instance.id, created_at=now,
                               completed_at=now, lease_until=None)
    session.add(record)
    session.flush()
    pending.written = record


@event.listens_for(Session, "after_rollback")
def _forget_new_instances(session: Session) -> None:
    session.info.pop(_NEW_INSTANCES, None)


# ------------------------------------------------------------------------------------------------ several
@dataclass
class Claim:
    """What `claim` found: whether this caller holds the key now, the answer kept under it, whether this claim
    wrote its record (no earlier request under the key did any work), and the rows of the reads asked to go
    with it (`along`), or None when they were not made."""

    held: bool
    answer: dict | None = field(default=None)
    new: bool = False
    along: list | None = None


def claim(session: Session, key: str, operation: str, fingerprint_: str, lease: timedelta, *, what: str,
          shown_key: str, along: tuple = ()) -> Claim:
    """Take `key` for the work of one request until `now + lease`. The record there was: its answer when it has
    one (the work was done), else held by someone else until its lease ends, or taken over when it has ended.
    A new key costs one statement: its record is inserted unless one is there, and a concurrent first claim of
    the same key waits at the primary key until the first one's transaction ends.

    `along`: reads ((engine.store.first_read.Rows, params), ...) the caller makes next in this transaction. On
    PostgreSQL, as a transaction's first statements, the claim and they go with its BEGIN in one round trip
    (engine.store.step_writes.opening_to_driver), the reads after the claim; their rows are `Claim.along`.
    Elsewhere they are not made (`along` None): the caller reads as usual."""
    now = clock.now()
    values = dict(key=key, operation=operation, fingerprint=fingerprint_, answer=None, instance_id=None,
                  created_at=now, completed_at=None, lease_until=now + lease)
    inserted, read = _insert_new(session, values, along)
    if inserted:
        return Claim(True, new=True, along=read)
    record = session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == key).with_for_update())
    if record is None:  # not expected (records are never deleted): the caller looks again
        raise Conflict(f"the request with {what} '{shown_key}' could not be found or taken; ask again")
    check(record, fingerprint_, what, shown_key)
    if record.answer is not None:
        return Claim(False, dict(record.answer), along=read)
    if record.lease_until is not None and record.lease_until > now:
        return Claim(False, along=read)
    record.lease_until = now + lease  # its holder gave up or died: the work is ours to do (again)
    return Claim(True, along=read)


def _insert_new(session: Session, values: dict, along: tuple) -> tuple[bool, list | None]:
    """Insert the record unless its key is taken: whether it was inserted, and the rows of the reads `along`
    (None: not made)."""
    connection = opening_to_driver(session)
    dialect = session.get_bind().dialect
    if connection is None:
        return session.execute(_claiming(dialect.name), values).first() is not None, None
    inserted, *read = first_read.together(connection, (_claiming_rows(dialect.name), values), *along)
    return bool(inserted), read


_CLAIMING: dict[str, object] = {}  # dialect -> the statement, built once (building costs about what running does)
_CLAIMING_ROWS: dict[str, first_read.Rows] = {}  # dialect -> the statement for the driver


def _claiming(dialect: str):
    statement = _CLAIMING.get(dialect)
    if statement is None:
        table = IdempotencyRecord.__table__
        statement = _CLAIMING[dialect] = (
            insert_for(dialect, table, "idempotency records")
            .values({c.key: bindparam(c.key, type_=c.type) for c in table.columns})
            .on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key))
    return statement


def _claiming_rows(dialect: str) -> first_read.Rows:
    rows = _CLAIMING_ROWS.get(dialect)
    if rows is None:
        rows = _CLAIMING_ROWS[dialect] = first_read.Rows(_claiming(dialect))
    return rows


def settle(session: Session, key: str, answer: dict | None, instance_id: int | None = None) -> None:
    """The work under `key` is done: keep its answer (None: nothing was done that must not be done again, so
    the same request may try again; the key stays pinned to it) and let go of the lease. Written with the
    transaction's next statement or its commit (engine.store.step_writes.defer)."""
    now = clock.now()
    if any(isinstance(obj, IdempotencyRecord) for obj in session.dirty):
        session.flush()  # a lease taken over in this transaction is written first, then let go here
    batch = WriteBatch()
    batch.add(_SETTLE, {"record_key": key, "answer": answer, "instance_id": instance_id,
                        "completed_at": now if answer is not None else None, "lease_until": None},
              what="idempotency record")
    defer(session, batch)
