"""An INSERT that may say what to do when its row is there already (`ON CONFLICT`), in the dialect of the two
databases carepath runs on: PostgreSQL and SQLite."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite


def insert_for(dialect: str, table, what: str = "these rows"):
    """`insert(table)` of `dialect`, with `on_conflict_do_nothing` and `on_conflict_do_update`."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"{what} are kept on PostgreSQL and SQLite, not {dialect}")
