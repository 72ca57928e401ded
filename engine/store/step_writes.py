"""A step's writes, sent to the database together.

A step (load an instance, run it, save it) writes the instance row, its inbox rows and its audit events. None
of these writes needs another's result, so none needs to wait for another: they are queued on a `WriteBatch`
and `defer(session, batch)` sends them with the transaction's next statement or with its commit, whichever
comes first (a read in the same transaction still sees them).

On PostgreSQL with psycopg that is one round trip for the whole save: the writes go as one simple-protocol
query, with the COMMIT at its end. Each write is a statement prepared once per connection (the server neither
parses nor plans it again) and EXECUTEd with its values bound client-side by psycopg's own adapters (quoted
and escaped by the driver, as for any literal; `_execute_psycopg` places them itself, sparing psycopg the
parsing of a query it would otherwise scan for placeholders on every step). The version check cannot wait for the client there, so the server makes it: a checked UPDATE that matches another number of rows than expected fails (`_Rendered`), which
aborts the transaction before the COMMIT is reached; the failure comes back as `StaleDataError`, as from the
ORM's own version check, and nothing of the batch is kept. `read_before_begin` lets a step's first read go
before the BEGIN, which then travels with the writes: a completion is two round trips, its read and its
write-and-commit, with its durability untouched (the COMMIT waits for the WAL flush as always).

Elsewhere (SQLite: in-process, no round trips to save) a batch runs at once, statement by statement, with its
row counts checked client-side.
"""
from __future__ import annotations

import itertools
import logging
import re
import weakref
from contextlib import contextmanager

from sqlalchemy import bindparam, event, inspect, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import LoaderCallableStatus, Session
from sqlalchemy.orm.exc import StaleDataError

log = logging.getLogger(__name__)
NO_VALUE = LoaderCallableStatus.NO_VALUE
# kept in the connection's info (the pooled DBAPI connection's); the first two until its transaction ends
DEFERRED = "carepath_deferred_writes"  # the WriteBatch held back
LAZY_BEGIN = "carepath_lazy_begin"  # "read": a read before BEGIN runs; "pending": BEGIN not sent; "begun"
PREPARED = "carepath_prepared_writes"  # {SQL: name} of the statements prepared on the connection (kept)


class WriteBatch:
    """Write statements to send together, in order, within the current transaction.

    `expect` checks a statement's row count: a mismatch raises `StaleDataError` (the transaction is then rolled
    back and nothing of the batch is kept), which is how a version-checked UPDATE reports that someone else
    changed the row first.
    """

    __slots__ = ("writes", "_done")

    def __init__(self):
        self.writes: list[tuple] = []
        self._done: list = []

    def add(self, statement, params: dict, *, expect: int | None = None, what: str = "") -> None:
        """Queue `statement` (a Core insert/update/delete, reused between calls) with one set of params."""
        self.writes.append((statement, params, expect, what))

    def extend(self, other: WriteBatch) -> None:
        self.writes.extend(other.writes)
        self._done.extend(other._done)
        other.writes, other._done = [], []

    def on_written(self, callback) -> None:
        """Call `callback()` once the batch is written or handed over to be written (`defer`)."""
        self._done.append(callback)

    def __len__(self) -> int:
        return len(self.writes)

    def execute(self, connection: Connection, *, commit: bool = False) -> None:
        """Write the batch now; with `commit` (psycopg only), commit the transaction in the same round trip."""
        writes, self.writes = self.writes, []
        if writes:
            if _batches_round_trips(connection.dialect):
                _execute_psycopg(connection, writes, commit)
            else:
                _execute_one_by_one(connection, writes)
        self._run_callbacks()

    def _run_callbacks(self) -> None:
        done, self._done = self._done, []
        for callback in done:
            callback()


def _execute_one_by_one(connection: Connection, writes: list[tuple]) -> None:
    """Run the writes in order; a run of unchecked writes of one statement (audit events) is one executemany."""
    i = 0
    while i < len(writes):
        statement, params, expect, what = writes[i]
        j = i + 1
        if expect is None:
            while j < len(writes) and writes[j][0] is statement and writes[j][2] is None \
                    and writes[j][1].keys() == params.keys():
                j += 1
        if j - i > 1:
            connection.execute(statement, [w[1] for w in writes[i:j]])
        else:
            result = connection.execute(statement, params)
            if expect is not None and result.rowcount != expect:
                raise StaleDataError(f"{what or 'a write'} expected to match {expect} row(s); "
                                     f"{result.rowcount} were matched")
        i = j


def queue_dirty(session: Session, batch: WriteBatch, classes: tuple) -> None:
    """Queue an UPDATE for each changed object of `classes` in the session, as the ORM's flush would write it:
    the changed columns only, by primary key, and for a versioned mapper (`version_id_col`) checked against
    and bumping the version. Once the batch is written the objects are marked clean, so no flush writes them
    again. Objects with changes other than to their columns are left to the ORM's flush.

    Only the versioned UPDATE's row count is checked (that is what detects a concurrent change). The ORM also
    checks a plain UPDATE by primary key, which can only miss a row deleted meanwhile; the engine never
    deletes instance or inbox rows, and the check is not free on PostgreSQL (see `_Rendered`).

    The UPDATEs are queued in the order of `classes`, then by primary key, so that concurrent transactions
    lock rows in the same order (the instance row first: a second writer waits there, then finds the version
    changed, instead of deadlocking over the rows it would have touched before)."""
    dirty = [obj for obj in session.dirty if isinstance(obj, classes)]
    dirty.sort(key=lambda obj: (_class_rank(obj, classes), inspect(obj).identity or ()))
    for obj in dirty:
        state = inspect(obj)
        mapper = state.mapper
        columns = _column_keys(mapper)
        params = {}
        for key, original in state.committed_state.items():
            column = columns.get(key)
            if column is None:
                params = None  # a relationship changed: the ORM's flush handles this object
                break
            value = state.dict.get(key)
            if original is NO_VALUE or value != original:
                params[column] = value
        if not params or len(mapper.primary_key) != 1:
            continue
        pk = mapper.primary_key[0]
        params["w_pk"] = state.identity[0]
        version_col = mapper.version_id_col
        if version_col is None:
            batch.add(_update_by_pk(mapper.local_table, pk.key, None), params)
            batch.on_written(_marker(session, state))
            continue
        if not callable(mapper.version_id_generator):
            continue  # a server-side version: the ORM's flush fetches it
        version_key = mapper.get_property_by_column(version_col).key
        current = state.committed_state.get(version_key, state.dict.get(version_key))
        new = mapper.version_id_generator(current)
        params[version_col.key] = new
        params["w_version"] = current
        batch.add(_update_by_pk(mapper.local_table, pk.key, version_col.key), params, expect=1,
                  what=f"{mapper.class_.__name__} {state.identity[0]} at version {current}")
        batch.on_written(_marker(session, state, version_key, new))


def _class_rank(obj, classes: tuple) -> int:
    return next(i for i, cls in enumerate(classes) if isinstance(obj, cls))


def _marker(session: Session, state, version_key: str | None = None, version=None):
    def mark_clean():
        if version_key is not None:
            state.dict[version_key] = version
        # what the ORM does to an object it has just flushed: its current values become its committed ones
        state._commit_all(state.dict, session.identity_map)
    return mark_clean


_COLUMN_KEYS: dict = {}


def _column_keys(mapper) -> dict[str, str]:
    keys = _COLUMN_KEYS.get(mapper)
    if keys is None:
        keys = _COLUMN_KEYS[mapper] = {prop.key: prop.columns[0].key for prop in mapper.column_attrs
                                       if prop.columns[0].table is mapper.local_table}
    return keys


_UPDATES: dict = {}


def _update_by_pk(table, pk: str, version: str | None):
    statement = _UPDATES.get((table, pk, version))
    if statement is None:
        condition = table.c[pk] == bindparam("w_pk")
        if version is not None:
            condition = condition & (table.c[version] == bindparam("w_version"))
        statement = _UPDATES[(table, pk, version)] = update(table).where(condition)
    return statement


# ---------------------------------------------------------------------------------------------- sending

def defer(session: Session, batch: WriteBatch) -> None:
    """Send `batch` with the session's next statement or its commit (PostgreSQL), or now (elsewhere)."""
    connection = session.connection()
    if not _batches_round_trips(connection.dialect):
        batch.execute(connection)
        return
    pending = connection.info.get(DEFERRED)
    if pending is None:
        pending = connection.info[DEFERRED] = WriteBatch()
    pending.extend(batch)
    pending._run_callbacks()


@contextmanager
def read_before_begin(session: Session):
    """Run the block, the transaction's first statements and plain reads, before the transaction's BEGIN.

    For a step whose writes are checked against versions (load, run, save): on PostgreSQL with psycopg the
    BEGIN then goes with the transaction's next statement, or with its writes and COMMIT in one round trip
    (`defer`), instead of costing a round trip of its own before the first read. Under READ COMMITTED, the
    isolation here, every statement reads a snapshot of its own, so a read just before the BEGIN sees exactly
    what it would have seen as the transaction's first statement; nothing in the block may write or lock
    (no FOR UPDATE). Elsewhere, or when the transaction has begun already, the block simply runs.

    The block gets the session's connection when its reads do run before the BEGIN, else None. A plain read
    there needs nothing of the hooks below (no writes are held back, no BEGIN is due yet), so it may also go to
    the driver directly (engine.store.first_read).
    """
    connection = session.connection()
    raw = connection.connection.driver_connection
    if not (_batches_round_trips(connection.dialect) and _may_read_before_begin(connection, raw)) \
            or session.new or session.dirty or session.deleted:  # an autoflush would write: no
        yield None
        return
    raw.autocommit = True  # the driver sends no BEGIN of its own; the hooks below send it when it is due
    connection.info[LAZY_BEGIN] = "read"
    try:
        yield connection
    finally:
        connection.info[LAZY_BEGIN] = "pending"


def straight_to_driver(session: Session):
    """The session's connection when a read may go to the driver directly, inside the transaction, as the
    session's own statement would (engine.store.first_read): PostgreSQL with psycopg, no writes held back and no
    BEGIN held back (`read_before_begin`) that would have to go first. Else None: read through the ORM."""
    connection = session.connection()
    if not _batches_round_trips(connection.dialect) or DEFERRED in connection.info \
            or connection.info.get(LAZY_BEGIN, "begun") != "begun":
        return None
    raw = connection.connection.driver_connection
    if raw.autocommit and LAZY_BEGIN not in connection.info:  # no transaction: each statement its own
        return None
    return None if session.new or session.dirty or session.deleted else connection


def opening_to_driver(session: Session):
    """The session's connection when the transaction's first statements may go to the driver directly with its
    BEGIN in their round trip (engine.store.first_read.together): at the start of a transaction (nothing sent
    yet, the default isolation, nothing pending in the session) on PostgreSQL with psycopg. The BEGIN is then
    held back, as after `read_before_begin`: `together` sends it ahead of them, or else the next statement
    does. In a transaction under way, `straight_to_driver`: its statements go to the driver without a BEGIN,
    or (None) through the ORM.

    A transaction that opens with a write it needs the result of (an idempotency key's claim, and the reads
    that go with it) is one round trip then, not two (psycopg sends its own BEGIN as a round trip of its own,
    in a pipeline too)."""
    connection = session.connection()
    raw = connection.connection.driver_connection
    if not (_batches_round_trips(connection.dialect) and _may_read_before_begin(connection, raw)) \
            or session.new or session.dirty or session.deleted:
        return straight_to_driver(session)
    raw.autocommit = True  # the driver sends no BEGIN of its own; `together` or the hooks below send it
    connection.info[LAZY_BEGIN] = "pending"
    return connection


def _batches_round_trips(dialect) -> bool:
    return dialect.name == "postgresql" and dialect.driver == "psycopg"


def _may_read_before_begin(connection: Connection, raw) -> bool:
    from psycopg.pq import TransactionStatus

    return (LAZY_BEGIN not in connection.info and DEFERRED not in connection.info
            and not raw.autocommit and raw.pgconn.transaction_status == TransactionStatus.IDLE
            and raw.isolation_level is None and raw.read_only is None and raw.deferrable is None
            and connection.dialect.default_isolation_level == "READ COMMITTED"
            and "isolation_level" not in connection.get_execution_options())


def begin_if_due(conn) -> bool:
    """True when the transaction's BEGIN is still to be sent (and, from now on, is taken as sent): the caller
    sends it ahead of its statements."""
    if conn.info.get(LAZY_BEGIN) == "pending":
        conn.info[LAZY_BEGIN] = "begun"
        return True
    return False


# ---------------------------------------------------------------------------------------------- engine hooks

def install(engine: Engine) -> None:
    """Hook an engine up for deferred writes (PostgreSQL with psycopg; elsewhere there is nothing to hook)."""
    if not _batches_round_trips(engine.dialect):
        return
    event.listen(engine, "before_cursor_execute", _before_statement)
    event.listen(engine, "after_cursor_execute", _after_statement)
    event.listen(engine, "commit", _before_commit)
    event.listen(engine, "rollback", _before_rollback)
    event.listen(engine, "reset", _on_reset)
    event.listen(engine, "checkin", _on_checkin)


def _before_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    """Before any other statement of the transaction runs, the writes held back so far go (reads see them),
    and a BEGIN held back by `read_before_begin` goes first. Inside `read_before_begin`, anything but a plain
    read gets its BEGIN too, so that nothing is ever written or locked outside the transaction."""
    lazy = conn.info.get(LAZY_BEGIN)
    if lazy == "read" and not _plain_read(statement):
        conn.info[LAZY_BEGIN] = "pending"
    pending = conn.info.pop(DEFERRED, None)
    if pending is not None:
        pending.execute(conn)
    elif begin_if_due(conn):
        _raw_command(conn, "BEGIN")


# a SELECT that locks nothing (SQLAlchemy renders locking reads as SELECT ... FOR UPDATE/SHARE)
_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE).match
_LOCKING = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b", re.IGNORECASE).search


def _plain_read(statement: str) -> bool:
    return bool(_SELECT(statement)) and not _LOCKING(statement)


def _before_commit(conn) -> None:
    pending = conn.info.pop(DEFERRED, None)
    if pending is not None:
        # The COMMIT goes with the writes; the driver's own commit then finds the transaction ended (a no-op).
        pending.execute(conn, commit=True)
    _end_read_before_begin(conn, "COMMIT")


def _before_rollback(conn) -> None:
    if conn.invalidated:  # the pool replaces the DBAPI connection, and its info with it
        return
    conn.info.pop(DEFERRED, None)
    _forget_prepared_if_rolling_back(conn.info, conn.connection.driver_connection)
    _end_read_before_begin(conn, "ROLLBACK")


def _end_read_before_begin(conn, command: str) -> None:
    """End a transaction that `read_before_begin` began without the driver, and give the driver its BEGIN
    back: the connection's next transaction is the driver's own again."""
    if conn.info.pop(LAZY_BEGIN, None) is None:
        return
    import psycopg
    from psycopg.pq import TransactionStatus

    raw = conn.connection.driver_connection
    try:
        if raw.pgconn.transaction_status != TransactionStatus.IDLE:
            _raw_command(conn, command)
        raw.autocommit = False
    except psycopg.Error:
        if command == "COMMIT":
            raise
        # a rollback on a broken connection: the pool discards the connection


# The batches' prepared statements live on the server session, which psycopg empties (DEALLOCATE ALL) after a
# ROLLBACK and after statements that may change what a prepared statement refers to; the record of what is
# prepared is dropped on the same occasions (more often, if anything), so that it never names a statement the
# server no longer has.
_EMPTIES_PREPARED = re.compile(r"\s*(?:DROP|ALTER|ROLLBACK|DISCARD|DEALLOCATE)\b", re.IGNORECASE).match


def _after_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    if _EMPTIES_PREPARED(statement):
        conn.info.pop(PREPARED, None)


def _forget_prepared_if_rolling_back(info: dict, raw) -> None:
    from psycopg.pq import TransactionStatus

    if raw is None or raw.closed or raw.pgconn.transaction_status != TransactionStatus.IDLE:
        info.pop(PREPARED, None)


def _on_reset(dbapi_connection, record, reset_state) -> None:
    _forget_prepared_if_rolling_back(record.info, dbapi_connection)


def _on_checkin(dbapi_connection, record) -> None:
    record.info.pop(DEFERRED, None)
    if record.info.pop(LAZY_BEGIN, None) is not None and dbapi_connection is not None:
        try:
            dbapi_connection.autocommit = False
        except Exception:  # a broken connection: the pool discards it
            pass


def _raw_command(conn, command: str) -> None:
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(command)
    finally:
        cursor.close()


# ---------------------------------------------------------------------------------------------- psycopg

class _Rendered:
    """A Core statement compiled once for a batch: its SQL with numbered parameters ($1, $2, ...), ready to be
    prepared on the server, and the bind processors (JSON wrapping, UTC timestamps) of its parameters. A
    statement with an expected row count is wrapped so that the server fails it (division by zero) on any
    other count."""

    __slots__ = ("sql", "names", "processors", "arguments")

    def __init__(self, statement, keys, expect, dialect):
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        names: list[str] = []

        def numbered(match):
            names.append(match.group(1))
            return f"${len(names)}"

        sql = _PYFORMAT.sub(numbered, compiled.string)
        if expect is not None:
            sql = f"WITH checked AS ({sql} RETURNING 1) SELECT 1 / (count(*) = {int(expect)})::int FROM checked"
        self.sql = sql
        self.names = names
        self.processors = [compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                           for name in names]
        self.arguments = "(" + ", ".join(["%s"] * len(names)) + ")" if names else ""

    def values(self, params: dict) -> list:
        return [params[name] if proc is None else proc(params[name])
                for name, proc in zip(self.names, self.processors)]


_PYFORMAT = re.compile(r"(?<!%)%\((\w+)\)s")  # a placeholder, not an escaped "%%(...)s"
_RENDERED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # dialect -> {key: _Rendered}
_STATEMENT_NAMES = itertools.count(1)


def _rendered(statement, params: dict, expect, dialect) -> _Rendered:
    cache = _RENDERED.get(dialect)
    if cache is None:
        cache = _RENDERED[dialect] = {}
    key = (statement, tuple(params), expect)
    rendered = cache.get(key)
    if rendered is None:
        rendered = cache[key] = _Rendered(statement, params, expect, dialect)
    return rendered


def _execute_psycopg(connection: Connection, writes: list[tuple], commit: bool) -> None:
    """One round trip: PREPARE what this connection has not prepared yet, BEGIN if it is due, EXECUTE each
    write with its values bound client-side by psycopg, COMMIT if asked.

    Prepared statements spare the server parsing and planning every write of every step. They outlive the
    transaction whatever its outcome (PREPARE is not transactional) and live as long as the connection, whose
    info records them once the round trip has succeeded; names are never reused, so a PREPARE that ran in a
    round trip that failed later leaves only an unused statement behind, never a clash."""
    import psycopg

    dialect = connection.dialect
    prepared = connection.info.setdefault(PREPARED, {})
    preparing: dict[str, str] = {}
    prepares, executes, values, calls = [], [], [], []
    for statement, params, expect, _what in writes:
        rendered = _rendered(statement, params, expect, dialect)
        name = prepared.get(rendered.sql) or preparing.get(rendered.sql)
        if name is None:
            name = preparing[rendered.sql] = f"carepath_write_{next(_STATEMENT_NAMES)}"
            prepares.append(f"PREPARE {name} AS {rendered.sql}")
        executes.append(f"EXECUTE {name}{rendered.arguments}")
        calls.append((name, len(values), len(values) + len(rendered.names)))
        values.extend(rendered.values(params))
    begin = ["BEGIN"] if begin_if_due(connection) else []
    sql = prepares + begin + executes + (["COMMIT"] if commit else [])
    query = ";\n".join(sql)  # the statements with placeholders: for the log and for an error's message
    if log.isEnabledFor(logging.DEBUG):
        log.debug("one round trip: %s", query)  # the statements; their values (patient data) are not logged
    raw = connection.connection.driver_connection
    cursor = psycopg.ClientCursor(raw)
    try:
        bound = _bound_query(cursor, prepares + begin, calls, values, commit)
        cursor.execute(bound)  # all results are in when it returns; an error raises here
    except psycopg.errors.DivisionByZero as exc:
        checked = "; ".join(what for _s, _p, expect, what in writes if expect is not None and what)
        raise StaleDataError(f"a checked write matched an unexpected number of rows ({checked})") from exc
    except psycopg.Error as exc:
        if isinstance(exc, psycopg.errors.InvalidSqlStatementName):
            connection.info.pop(PREPARED, None)  # not expected; the next round trip prepares afresh
        if dialect.is_disconnect(exc, raw, cursor):
            connection.invalidate(exc)
        raise sa_exc.DBAPIError.instance(query, values, exc, psycopg.Error, dialect=dialect,
                                         hide_parameters=True) from exc
    finally:
        cursor.close()
    prepared.update(preparing)


def _bound_query(cursor, head: list[str], calls: list[tuple], values: list, commit: bool) -> bytes:
    """The round trip's query with its values in place, as psycopg's client-side binding makes it (each value
    quoted by the connection's adapters, `Transformer.as_literal`, NULL for None; a `%%` of the SQL becomes
    `%`), without its scan of the whole query for placeholders: a step's writes carry more values than psycopg
    keeps a parsed query for (50), so it scanned them afresh on every step. `head`: the PREPAREs and BEGIN;
    `calls`: (prepared statement, first and end index of its values) of each EXECUTE, in order."""
    from psycopg.adapt import Transformer

    transformer = Transformer(cursor)
    literal, encoding = transformer.as_literal, transformer.encoding
    parts = [text.replace("%%", "%").encode(encoding) for text in head]
    for name, start, end in calls:
        execute = f"EXECUTE {name}".encode(encoding)
        if end > start:
            execute += b"(" + b", ".join(b"NULL" if value is None else literal(value)
                                         for value in values[start:end]) + b")"
        parts.append(execute)
    if commit:
        parts.append(b"COMMIT")
    return b";\n".join(parts)
