"""Leases on work rows (background jobs, notifications): take rows for an owner until a moment, atomically.

`take` is one UPDATE whose sub-select picks the rows: on PostgreSQL the sub-select locks them FOR UPDATE SKIP
LOCKED, so concurrent takers get disjoint rows without waiting; on SQLite the UPDATE runs under the database's
single write lock, which is as exclusive. A lease that runs out (its holder died) makes the row takeable again.
"""
from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session


def expired(model, now):
    """No lease on the row, or one that has run out."""
    return or_(model.lease_until.is_(None), model.lease_until < now)


def unheld(model, now):
    """Nobody works on the row: no owner (at most a dispatch mark), or an owner whose lease ran out."""
    return or_(model.claimed_by.is_(None), model.lease_until < now)


def take(session: Session, model, conditions, values: dict, *, limit: int | None = None, order_by=None,
         returning=None) -> list:
    """Set `values` on the rows of `model` meeting `conditions` (at most `limit`), skipping rows another
    transaction holds; returns the `returning` columns (default: ids) of the rows taken."""
    candidates = select(model.id).where(*conditions)
    if order_by is not None:
        candidates = candidates.order_by(*order_by)
    if limit is not None:
        candidates = candidates.limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    table = model.__table__
    columns = returning or (table.c.id,)
    result = session.execute(update(table).where(table.c.id.in_(candidates.scalar_subquery()))
                             .values(**values).returning(*columns))
    rows = result.all()
    return [row[0] for row in rows] if len(columns) == 1 else rows
