"""Load an instance's workflow, run it, and save it back with its rows, as one unit of work.

`Runtime` is what every service function uses: it holds the spec cache and the sandboxed script engine and
knows how to turn a failure inside the pathway (a script, an expression, a decision) into an instance in error
without losing what was done before it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from engine.deploy.parsing import ParsedBundle
from engine.deploy.spec_cache import SpecCache
from engine.errors import InvalidState
from engine.models import InboxTask, Instance, InstanceStatus
from engine.runtime.patient_facts import record_risk_tier, risk_tier
from engine.runtime.row_sync import clear_waits, sync_rows
from engine.runtime.state_codec import decode_state, encode_state
from engine.sandbox import SandboxedScriptEngine, SandboxLimits
from engine.store import audit
from engine.store.step_writes import WriteBatch, defer, queue_dirty
from engine.time import clock

log = logging.getLogger(__name__)
clock.install()


@dataclass
class Loaded:
    instance: Instance
    parsed: ParsedBundle
    workflow: BpmnWorkflow
    risk_before: str | None = None  # the patient's risk tier as the workflow held it when loaded


class Runtime:
    def __init__(self, specs: SpecCache | None = None, limits: SandboxLimits | None = None):
        self.specs = specs or SpecCache()
        self.script_engine = SandboxedScriptEngine(limits=limits) if limits else SandboxedScriptEngine()

    # ------------------------------------------------------------------------------------------ create
    def new_workflow(self, parsed: ParsedBundle, process_id: str) -> BpmnWorkflow:
        return BpmnWorkflow(
            parsed.spec(process_id), parsed.subprocess_specs(process_id), script_engine=self.script_engine
        )

    # ------------------------------------------------------------------------------------------ load
    def load(self, session: Session, instance: Instance) -> Loaded:
        parsed = self.specs.get(session, instance.deployment_id)
        workflow = decode_state(
            instance.state,
            parsed.spec(instance.process_id),
            parsed.subprocess_specs(instance.process_id),
            self.script_engine,
        )
        return Loaded(instance, parsed, workflow, risk_tier(workflow, instance.state))

    # ------------------------------------------------------------------------------------------ run
    def advance(self, session: Session, loaded: Loaded, actor: str, action=None) -> bool:
        """Run `action(workflow)` (if any) then the engine steps; a failure puts the instance in error.

        Returns True when the pathway ran without error.
        """
        workflow = loaded.workflow
        try:
            if action is not None:
                action(workflow)
            run_engine_steps(workflow)
            return True
        except SpiffWorkflowException as exc:
            self._fail(session, loaded, exc, actor)
        except Exception as exc:  # a bug in a task spec or the data; never lose the instance over it
            log.exception("unexpected failure while running instance %s", loaded.instance.id)
            self._fail(session, loaded, exc, actor)
        return False

    def _fail(self, session: Session, loaded: Loaded, exc: Exception, actor: str) -> None:
        error = describe_error(exc)
        error["at"] = clock.now().isoformat()
        loaded.instance.status = InstanceStatus.ERROR
        loaded.instance.error = error
        audit.record(session, "error", actor, instance=loaded.instance, element_id=error.get("element"),
                     details=error)

    # ------------------------------------------------------------------------------------------ save
    def save(self, session: Session, loaded: Loaded, actor: str, also: WriteBatch | None = None) -> None:
        """Write the instance's new state, its inbox/timer/message rows and the audit events recorded so far.

        The instance row, the inbox rows and the audit events go as one `WriteBatch` (on PostgreSQL, with the
        COMMIT, in one round trip: engine.store.step_writes); the instance's UPDATE is checked against its version, so a
        concurrent save of the same instance makes this one fail with `StaleDataError` and the transaction
        roll back with nothing saved. `also` holds other rows of the step (a completion's time entry), written
        with them after the checked UPDATE.
        """
        instance, workflow = loaded.instance, loaded.workflow
        now = clock.now()
        if instance.status == InstanceStatus.RUNNING and workflow.completed:
            instance.status = InstanceStatus.COMPLETED
            instance.ended_at = now
            audit.record(session, "completed_instance", actor, instance=instance)
        instance.state = encode_state(workflow)
        instance.updated_at = now
        record_risk_tier(session, instance.patient_id, loaded.risk_before, risk_tier(workflow, instance.state),
                         actor, instance)
        if inspect(instance).pending:
            session.flush()
        batch = WriteBatch()
        with session.no_autoflush:
            if instance.status in InstanceStatus.ENDED:
                clear_waits(session, instance, now, f"instance {instance.status}", actor)
            else:
                sync_rows(session, instance, workflow, now, actor, batch)
        if also is not None:
            batch.extend(also)
        write_changes(session, batch)

    def require_running(self, instance: Instance, doing: str) -> None:
        if instance.status == InstanceStatus.RUNNING:
            return
        hints = {
            InstanceStatus.SUSPENDED: "it is suspended; resume it first",
            InstanceStatus.ERROR: "it is in error; fix the cause and retry it first",
            InstanceStatus.COMPLETED: "it has completed",
            InstanceStatus.TERMINATED: "it was terminated",
        }
        raise InvalidState(f"cannot {doing}: instance {instance.id} is not running ({hints.get(instance.status)})")


def write_changes(session: Session, batch: WriteBatch) -> None:
    """Send a step's writes together: the changed instance and inbox rows (the instance's UPDATE first, checked
    against its version), what `batch` holds (new inbox rows, dropped waits), and the audit events recorded so
    far. On PostgreSQL they go with the transaction's next statement or its commit (engine.store.step_writes.defer). Anything
    else the step changed (timer and message rows) is flushed by the ORM after them."""
    writes = WriteBatch()
    queue_dirty(session, writes, (Instance, InboxTask))
    writes.extend(batch)
    audit.queue_pending(session, writes)
    defer(session, writes)
    if session.new or session.deleted or session.dirty:
        session.flush()


MAX_ENGINE_ROUNDS = 100


def run_engine_steps(workflow) -> None:
    """Run engine tasks until only people, timers and messages are left.

    SpiffWorkflow refreshes timers at the end of `do_engine_steps`; a timer already due (a date in the past)
    becomes READY there and would sit unrun until the next step. Another round runs it.
    """
    for _ in range(MAX_ENGINE_ROUNDS):
        workflow.do_engine_steps()
        if not workflow.get_tasks(state=TaskState.READY, manual=False):
            return
    raise RuntimeError(f"the pathway kept producing engine work after {MAX_ENGINE_ROUNDS} rounds (a loop "
                       "without a wait state?)")


def describe_error(exc: Exception) -> dict:
    """What went wrong, where, on which line: for the instance row, the audit trail and the error page."""
    task = getattr(exc, "task", None)
    spec = getattr(task, "task_spec", None) or getattr(exc, "task_spec", None)
    message = str(exc)
    notes = getattr(exc, "notes", None) or getattr(exc, "__notes__", None) or []
    extra = [n for n in notes if n and n not in message]
    if extra:
        message = message + " (" + "; ".join(extra) + ")"
    return {
        "element": getattr(spec, "bpmn_id", None) or getattr(spec, "name", None),
        "name": getattr(spec, "bpmn_name", None),
        "message": message or exc.__class__.__name__,
        "line": getattr(exc, "line_number", None) or None,
        "error_line": getattr(exc, "error_line", None) or None,
        "type": exc.__class__.__name__,
    }


def error_tasks(workflow) -> list:
    return workflow.get_tasks(state=TaskState.ERROR)
