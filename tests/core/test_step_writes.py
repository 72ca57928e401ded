"""A step's writes go together (engine.store.step_writes.WriteBatch): the instance row checked against its version, the inbox
rows and the audit events. On PostgreSQL they are held back until the next statement or the commit."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from engine.care import tasks as tasks_mod
from engine.care.actors import Actor
from engine.errors import Conflict
from engine.models import AuditEvent, InboxTask, Instance, TaskStatus
from engine.runtime.runner import Runtime
from tests.conftest import FIXTURES
from tests.registry import register

REVIEW = FIXTURES / "bpmn" / "review_loop"
CARL = Actor.person("carl", "care_manager")


@pytest.fixture
def started(pathways):
    pathways.deploy(REVIEW)
    register(pathways, "patient-1")
    instance = pathways.start("review_loop", "patient-1")
    return instance, pathways.tasks(instance_id=instance.id)[0]


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_completion_leaves_nothing_for_the_orm_to_flush_and_reads_see_its_writes(pathways, database, started):
    instance, task = started
    with database.transaction() as session:
        row = tasks_mod.complete(session, pathways.runtime, task.id, {"decision": "continue"}, CARL)
        assert not session.dirty and not session.new and not session.deleted
        assert row.status == TaskStatus.COMPLETED
        stored = session.get(Instance, instance.id)
        assert stored.lock_version == instance.lock_version + 1
        # read-your-writes in the same transaction: the new inbox row and the audit event are there
        assert _count(session, InboxTask, InboxTask.instance_id == instance.id,
                      InboxTask.status == TaskStatus.OPEN) == 1
        assert _count(session, AuditEvent, AuditEvent.action == "completed") == 1
    with database.transaction() as session:
        assert session.get(Instance, instance.id).lock_version == instance.lock_version + 1
        assert session.get(InboxTask, task.id).completed_by == "carl"


def test_a_save_over_an_instance_changed_meanwhile_conflicts_and_keeps_nothing(pathways, database, started,
                                                                             monkeypatch):
    instance, task = started
    original = Runtime.save

    def someone_else_saves_first(self, session, loaded, actor, *more):
        with database.engine.begin() as conn:
            conn.execute(update(Instance).where(Instance.id == instance.id)
                         .values(lock_version=Instance.lock_version + 1))
        return original(self, session, loaded, actor, *more)

    monkeypatch.setattr(Runtime, "save", someone_else_saves_first)
    with pytest.raises(Conflict) as caught:
        pathways.complete(task.id, {"decision": "continue"}, CARL)
    monkeypatch.setattr(Runtime, "save", original)
    assert "nothing was saved" in str(caught.value)

    with database.transaction() as session:
        assert session.get(InboxTask, task.id).status == TaskStatus.OPEN
        assert _count(session, InboxTask, InboxTask.instance_id == instance.id) == 1
        assert _count(session, AuditEvent, AuditEvent.action == "completed") == 0
    # the pooled connection carries nothing of the failed step into the next one
    pathways.complete(task.id, {"decision": "continue"}, CARL)
    with database.transaction() as session:
        assert _count(session, AuditEvent, AuditEvent.action == "completed") == 1
        assert _count(session, InboxTask, InboxTask.instance_id == instance.id) == 2


def test_a_failure_after_the_save_rolls_the_step_back(pathways, database, started):
    instance, task = started
    with pytest.raises(RuntimeError):
        with database.transaction() as session:
            tasks_mod.complete(session, pathways.runtime, task.id, {"decision": "continue"}, CARL)
            raise RuntimeError("the caller fails after the save")
    with database.transaction() as session:
        assert session.get(InboxTask, task.id).status == TaskStatus.OPEN
        assert session.get(Instance, instance.id).lock_version == instance.lock_version
        assert _count(session, AuditEvent, AuditEvent.action == "completed") == 0


def test_audit_events_recorded_after_the_save_are_written_with_the_commit(pathways, database, started):
    from engine.store import audit

    instance, task = started
    with database.transaction() as session:
        tasks_mod.complete(session, pathways.runtime, task.id, {"decision": "continue"}, CARL)
        audit.record(session, "viewed", "carl", instance=session.get(Instance, instance.id))
    with database.transaction() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == instance.id)
                                  .order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["completed", "viewed"]


def _driver(session):
    return session.connection().connection.driver_connection


def test_a_write_after_a_read_before_begin_is_still_in_the_transaction(pathways, database, started):
    instance, task = started
    with pytest.raises(RuntimeError):
        with database.transaction() as session:
            row = tasks_mod.get_task(session, task.id)  # may run before the BEGIN (PostgreSQL)
            if database.dialect == "postgresql":
                from psycopg.pq import TransactionStatus

                assert _driver(session).pgconn.transaction_status == TransactionStatus.IDLE
            row.assignee = "carl"
            session.flush()  # the BEGIN goes first
            raise RuntimeError("fails before the commit")
    with database.transaction() as session:
        assert session.get(InboxTask, task.id).assignee is None


def test_the_next_transaction_on_the_connection_is_the_drivers_own_again(pathways, database, started):
    instance, task = started
    pathways.task(task.id)  # a read-only transaction: no BEGIN, no COMMIT
    pathways.claim(task.id, CARL)
    pathways.complete(task.id, {"decision": "continue"}, CARL)
    with database.transaction() as session:
        if database.dialect == "postgresql":
            assert _driver(session).autocommit is False
        assert session.get(InboxTask, task.id).status == TaskStatus.COMPLETED
        assert _count(session, AuditEvent, AuditEvent.action.in_(["claimed", "completed"])) == 2


def test_read_before_begin_ends_with_its_transaction_on_a_reused_connection(pathways, database, started):
    from sqlalchemy.orm import Session

    from engine.store.step_writes import read_before_begin

    instance, task = started
    with database.engine.connect() as conn:
        with Session(bind=conn) as session:
            with read_before_begin(session):
                session.get(InboxTask, task.id)
            session.commit()
        if database.dialect == "postgresql":
            assert conn.connection.driver_connection.autocommit is False
        with Session(bind=conn) as session:  # a transaction of the driver's own: a failure rolls back all of it
            session.execute(update(InboxTask).where(InboxTask.id == task.id).values(assignee="nobody"))
            session.rollback()
        with Session(bind=conn) as session:
            assert session.get(InboxTask, task.id).assignee is None


def test_steps_keep_working_after_what_empties_the_servers_prepared_statements(pathways, database, started):
    from sqlalchemy import text

    instance, task = started
    for _ in range(6):  # enough for the driver to prepare statements of its own too
        pathways.tasks(instance_id=instance.id)
    with database.transaction() as session:  # the driver empties the session's prepared statements after it
        session.execute(text("DROP TABLE IF EXISTS carepath_scratch"))
    pathways.complete(task.id, {"decision": "continue"}, CARL)
    with pytest.raises(RuntimeError):  # and after a rollback
        with database.transaction() as session:
            session.execute(update(InboxTask).where(InboxTask.id == task.id).values(assignee="x"))
            raise RuntimeError("roll back")
    (next_task,) = pathways.tasks(instance_id=instance.id)
    pathways.complete(next_task.id, {"decision": "continue"}, CARL)
    with database.transaction() as session:
        assert _count(session, AuditEvent, AuditEvent.action == "completed") == 2


def test_inside_read_before_begin_a_write_or_a_locking_read_still_gets_its_transaction(pathways, database, started):
    from engine.store.step_writes import read_before_begin

    instance, task = started
    with pytest.raises(RuntimeError):
        with database.transaction() as session:
            with read_before_begin(session):
                session.get(Instance, instance.id, with_for_update=True)
                session.execute(update(InboxTask).where(InboxTask.id == task.id).values(assignee="x"))
            raise RuntimeError("roll back")
    with database.transaction() as session:
        assert session.get(InboxTask, task.id).assignee is None


TIMER_THEN_END = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="http://carepath.dev/test">
  <bpmn:process id="wait_then_end" name="Wait then end" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait_day" name="One day">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">'P1D'</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_day" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait_day" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_timer_that_ends_its_instance_is_audited_as_fired_and_its_row_dropped(pathways, tmp_path, frozen_clock):
    from engine.models import TimerWait

    (tmp_path / "wait_then_end.bpmn").write_text(TIMER_THEN_END)
    pathways.deploy(tmp_path)
    register(pathways, "p1")
    instance = pathways.start("wait_then_end", "p1")
    frozen_clock.advance(days=1, minutes=1)
    assert pathways.run_due_timers() == 1
    view = pathways.instance(instance.id)
    assert view.instance.status == "completed"
    assert [e.action for e in view.history].count("timer_fired") == 1
    with pathways.db.transaction() as session:
        assert _count(session, TimerWait, TimerWait.instance_id == instance.id) == 0


def _columns(obj) -> dict:
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}


def test_the_first_read_of_a_step_gives_the_objects_a_query_gives(pathways, database, started, frozen_clock):
    """Read before the BEGIN on PostgreSQL, the task and instance rows come from the driver (engine.store.first_read): the
    same values, types and session state as the ORM's own query gives, which is what a read later in a
    transaction uses."""
    from sqlalchemy import inspect, text

    instance, task = started
    pathways.claim(task.id, CARL)  # timestamps and nulls both in the row
    with database.transaction() as session:
        first = tasks_mod.get_task(session, task.id)
        assert not session.dirty and not session.new
        assert inspect(first).persistent and not inspect(first).committed_state
        assert inspect(first.instance).persistent and not inspect(first.instance).committed_state
        first_values, first_instance = _columns(first), _columns(first.instance)
    with database.transaction() as session:
        session.execute(text("SELECT 1"))  # the transaction has begun: the read goes through the ORM
        later = tasks_mod.get_task(session, task.id)
        assert first_values == _columns(later) and first_instance == _columns(later.instance)
    assert first_values["claimed_at"] == frozen_clock.now() and first_values["claimed_at"].tzinfo is not None
    assert first_values["completed_at"] is None and first_instance["state"]


def test_the_first_read_returns_the_sessions_own_objects_and_fills_in_what_they_lack(pathways, database, started):
    from sqlalchemy import event

    instance, task = started
    statements = []
    with database.engine.connect() as conn:
        event.listen(conn, "before_cursor_execute", lambda *args: statements.append(args[2]))
        from sqlalchemy.orm import Session

        with Session(bind=conn, expire_on_commit=False) as session:
            held = session.get(InboxTask, task.id)  # without its instance
            held_instance = session.get(Instance, instance.id)
            session.commit()
            session.expire(held_instance)
            statements.clear()
            row = tasks_mod.get_task(session, task.id)
            assert row is held and row.instance is held_instance
            assert held_instance.lock_version == instance.lock_version  # filled in by the read, not reloaded
            # the read itself, through SQLAlchemy on SQLite; on PostgreSQL it went to the driver (engine.store.first_read)
            assert len(statements) == (0 if database.dialect == "postgresql" else 1)
            session.commit()


def test_a_whole_rows_read_must_select_whole_tables_in_order():
    from engine.store.first_read import WholeRows

    with pytest.raises(ValueError):
        WholeRows(select(InboxTask.__table__.c.id), InboxTask)
    with pytest.raises(ValueError):
        WholeRows(select(Instance.__table__, InboxTask.__table__), InboxTask, Instance)


def test_a_round_trips_values_are_bound_as_psycopgs_own_client_side_binding_binds_them(database):
    """engine.store.step_writes places each EXECUTE's values itself (sparing psycopg a scan of the whole query):
    the query sent must be byte for byte what psycopg's client-side binding makes of the placeholders."""
    if database.dialect != "postgresql":
        pytest.skip("the round trip is PostgreSQL's")
    from datetime import datetime, timezone

    import psycopg
    from psycopg.types.json import Jsonb

    from engine.store.step_writes import _bound_query

    head = ["PREPARE carepath_write_t1 AS SELECT $1::text, $2::text WHERE 'a%%b' LIKE 'a%%'", "BEGIN"]
    calls = [("carepath_write_t1", 0, 2), ("carepath_write_t2", 2, 2), ("carepath_write_t3", 2, 8)]
    values = ["it's 100% \\ sure", None, datetime(2026, 12, 7, 9, 30, tzinfo=timezone.utc), 42, True,
              Jsonb({"note": "Zoë's %(x)s", "n": [1, None]}), "", "line\nbreak"]
    with database.engine.connect() as conn:
        cursor = psycopg.ClientCursor(conn.connection.driver_connection)
        bound = _bound_query(cursor, head, calls, values, commit=True)
        expected = cursor.mogrify(";\n".join([*head, "EXECUTE carepath_write_t1(%s, %s)", "EXECUTE carepath_write_t2",
                                              "EXECUTE carepath_write_t3(%s, %s, %s, %s, %s, %s)", "COMMIT"]), values)
        cursor.close()
    assert bound == expected.encode()
