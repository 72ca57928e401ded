"""A step's first read, straight from the driver: whole rows made into ORM objects as if the ORM had loaded them.

A completion starts by reading its task and instance rows. Through the ORM that read costs about twice what the
read itself does on PostgreSQL (the statement cache lookup, result metadata for each of some 40 columns, the
loading machinery). Inside `read_before_begin` (engine.store.step_writes), where it runs before the transaction's BEGIN as a
plain SELECT, none of the engine's hooks has anything to do for it, so it can go to psycopg directly: one
SELECT (prepared on the server by the driver), each value passed through its column type's own result processor
(UTC timestamps), and the objects made persistent in the session with `make_transient_to_detached`, which
SQLAlchemy provides for this: the objects look freshly loaded, with no history, and no SQL is emitted.

The same goes for a transaction's first statements when it opens with a write whose result it needs (an
idempotency key's claim, engine.store.idempotency) and the reads that follow it: `together` sends them in one
round trip (psycopg's pipeline), with the transaction's BEGIN ahead of them (engine.store.step_writes
.opening_to_driver). `Rows` is any such statement, `WholeRows` a read of whole mapped rows.

Elsewhere (SQLite, a transaction already begun) callers read through the ORM as usual.
"""
from __future__ import annotations

import weakref
from collections import namedtuple

from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect
from sqlalchemy.orm import Session, configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from engine.store import step_writes


class Rows:
    """A statement run straight on the driver: a SELECT, or a write with RETURNING (plain bind parameters only),
    compiled once per dialect. Its parameters go through their types' bind processors (JSON, UTC timestamps), as
    SQLAlchemy's own execution would pass them; each row comes back as a named tuple of the returned columns,
    each value through its column type's result processor."""

    def __init__(self, statement):
        self.statement = statement
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # dialect -> _Compiled

    def first(self, connection, params: dict):
        """The first row, read on `connection`'s psycopg connection without SQLAlchemy's hooks: only for a plain
        read that needs none (engine.store.step_writes.read_before_begin)."""
        import psycopg

        compiled = self._compile(connection.dialect)
        values = compiled.bound(params)
        raw = connection.connection.driver_connection
        try:
            with raw.cursor() as cursor:
                row = cursor.execute(compiled.sql, values, prepare=True).fetchone()
        except psycopg.Error as exc:
            raise _reported(connection, exc, compiled.sql, values) from exc
        return None if row is None else compiled.made(row)

    def all(self, connection, params: dict) -> list:
        """Every row, as `first` reads one (the same conditions)."""
        return together(connection, (self, params))[0]

    def _compile(self, dialect) -> _Compiled:
        compiled = self._compiled.get(dialect)
        if compiled is None:
            sql = self.statement.compile(dialect=dialect)
            constants = {name: value for name, value in sql.params.items() if value is not None}  # bindparam(value=)
            binds = {name: processor for name, bind in sql.binds.items()
                     if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None}
            compiled = self._compiled[dialect] = _Compiled(sql.string, constants, binds, self._maker(dialect))
        return compiled

    def _maker(self, dialect):
        columns = list(self.statement.exported_columns)
        row = namedtuple("Row", [column.key for column in columns], rename=True)
        processors = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
        return lambda values: row._make(value if process is None or value is None else process(value)
                                        for process, value in zip(processors, values))


class WholeRows(Rows):
    """A SELECT of every column of some mapped classes' tables, in order (the statement's joins and WHERE say
    which rows; plain bind parameters only). Each row comes back as one dict of attribute values per class, to
    make objects of (`attach`)."""

    def __init__(self, statement, *classes):
        super().__init__(statement)
        self.mappers = [inspect(cls) for cls in classes]
        selected = list(statement.selected_columns)
        expected = [column for mapper in self.mappers for column in mapper.local_table.columns]
        if len(selected) != len(expected) or any(a is not b for a, b in zip(selected, expected)):
            raise ValueError("the statement must select the tables' columns, in order, and nothing else")

    def _maker(self, dialect):
        columns = [[(mapper.get_property_by_column(column).key,
                     column.type.dialect_impl(dialect).result_processor(dialect, None))
                    for column in mapper.local_table.columns] for mapper in self.mappers]
        return lambda row: _values(columns, row)


class _Compiled:
    __slots__ = ("sql", "constants", "binds", "made")

    def __init__(self, sql: str, constants: dict, binds: dict, made):
        self.sql, self.constants, self.binds, self.made = sql, constants, binds, made

    def bound(self, params: dict) -> dict:
        """The parameters as the driver takes them: with the statement's constants, through the bind processors."""
        if self.constants:
            params = {**self.constants, **params}
        if self.binds:
            params = {name: value if (process := self.binds.get(name)) is None else process(value)
                      for name, value in params.items()}
        return params


def together(connection, *reads: tuple[Rows, dict]) -> list[list]:
    """Every row of each read, in one round trip (psycopg's pipeline), inside the transaction: only where a
    statement may go to the driver directly (engine.store.step_writes.straight_to_driver, opening_to_driver). The
    server runs them one after the other, each with a snapshot of its own (READ COMMITTED), exactly as if they
    were sent one by one: a read after a locking one sees what the lock waited for. A transaction's BEGIN held
    back for them (`opening_to_driver`) goes first, in the same round trip."""
    import psycopg

    dialect = connection.dialect
    raw = connection.connection.driver_connection
    compiled = [whole._compile(dialect) for whole, _ in reads]
    bound = [one.bound(params) for one, (_, params) in zip(compiled, reads)]  # before the BEGIN is taken as sent
    begin = step_writes.begin_if_due(connection)
    cursors = [raw.cursor() for _ in range(len(reads) + begin)]
    try:
        with raw.pipeline():
            if begin:
                cursors[-1].execute("BEGIN")
            for cursor, one, values in zip(cursors, compiled, bound):
                cursor.execute(one.sql, values, prepare=True)
        return [[one.made(row) for row in cursor.fetchall()] for cursor, one in zip(cursors, compiled)]
    except psycopg.Error as exc:
        raise _reported(connection, exc, "; ".join(one.sql for one in compiled), None) from exc
    finally:
        for cursor in cursors:
            cursor.close()


def _values(columns, row) -> list[dict]:
    values, start = [], 0
    for keys_and_processors in columns:
        end = start + len(keys_and_processors)
        values.append({key: value if process is None or value is None else process(value)
                       for (key, process), value in zip(keys_and_processors, row[start:end])})
        start = end
    return values


def _reported(connection, exc, sql: str, params):
    """The driver's error as SQLAlchemy would report it (a lock or deadlock failure as OperationalError), with
    a broken connection discarded."""
    import psycopg

    dialect = connection.dialect
    raw = connection.connection.driver_connection
    if dialect.is_disconnect(exc, raw, None):
        connection.invalidate(exc)
    return sa_exc.DBAPIError.instance(sql, params, exc, psycopg.Error, dialect=dialect)


def attach(session: Session, cls, values: dict, **loaded):
    """The object of `cls` with these attribute values (all its columns') and `loaded` relationships, persistent in
    `session` as if a query had just loaded it. When the session has this row already, its own object, as a query
    would return it: the values it has kept as they are, those it has not loaded (or had expired) filled in."""
    mapper = inspect(cls)
    if not mapper.configured:  # a query would have configured the mappers; making an object this way does not
        configure_mappers()
    key = mapper.identity_key_from_primary_key([values[mapper.get_property_by_column(column).key]
                                                for column in mapper.primary_key])
    existing = session.identity_map.get(key)
    if existing is not None:
        unloaded = inspect(existing).unloaded  # expired or never loaded: a query would fill these in
        for name, value in (*values.items(), *loaded.items()):
            if name in unloaded:
                set_committed_value(existing, name, value)
        return existing
    obj = mapper.class_manager.new_instance()
    state = inspect(obj)
    state.dict.update(values)
    state.dict.update(loaded)
    make_transient_to_detached(obj)  # its values become its loaded ones: no history, nothing to flush
    session.add(obj)
    return obj
