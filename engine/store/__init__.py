"""Persistence mechanics under the domain: the database (sessions as transactions, Alembic migrations), a step's
writes sent in one round trip and its first read straight from the driver, the append-only audit trail,
receipts of effects done under an idempotency key, leases on claimed rows, and the INSERT that says what to do
when its row is there already (`conflicts.insert_for`).

May import `engine.models`, `engine.time` and `engine.errors`; nothing above them.
"""
