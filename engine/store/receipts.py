"""Receipts of effects done under an idempotency key, written in the same transaction as the effect.

A job that is retried (a redelivered broker message, a worker killed after its commit but before it
acknowledged) looks its receipts up and skips what is already done: the effect and its receipt commit together
or not at all, so there is no window in which one exists without the other. Two concurrent attempts both
insert the same receipt key; the database's primary key lets one commit and the other fails (and, retried,
finds the receipt).
"""
from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.models import JobReceipt
from engine.store.step_writes import WriteBatch, defer
from engine.time import clock

RECEIPT_INSERT = insert(JobReceipt.__table__).inline()


def _key(job_key: str, target: str) -> str:
    return f"{job_key}@{target}"


def done(session: Session, job_key: str) -> dict[str, int | None]:
    """{target: instance id} of every effect recorded under `job_key`."""
    prefix = _key(job_key, "")
    rows = session.execute(select(JobReceipt.key, JobReceipt.instance_id)
                           .where(JobReceipt.key.startswith(prefix, autoescape=True)))
    return {key[len(prefix):]: instance_id for key, instance_id in rows}


def record(session: Session, job_key: str, target: str, instance_id: int | None = None, *,
           looked: bool = False) -> bool:
    """Record the effect `target` of `job_key`; False when it was already recorded (do not do it again).
    `looked`: the caller has just found it is not (`done`), and holds the key's idempotency record new in this
    transaction, so no copy can be writing it: it is not looked up again, and is written with the commit."""
    key = _key(job_key, target)
    if looked:
        batch = WriteBatch()
        batch.add(RECEIPT_INSERT, {"key": key, "instance_id": instance_id, "at": clock.now()}, what="receipt")
        defer(session, batch)
        return True
    if session.get(JobReceipt, key) is not None:
        return False
    session.add(JobReceipt(key=key, instance_id=instance_id, at=clock.now()))
    return True
