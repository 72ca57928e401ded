"""Load an instance's workflow, run it, and save it back with its rows, as one unit of work.

`Runtime` is what every service function uses: it holds the spec cache and the sandboxed script engine and
knows how to turn a failure inside the pathway (a script, an expression, a decision) into an instance in error
without losing what was done before it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from engine.deploy.parsing import ParsedBundle
from engine.deploy.spec_cache import SpecCache
from engine.errors import InvalidState
from engine.models import InboxTask, Instance, InstanceStatus
from engine.runtime import report_facts
from engine.runtime.history_pruning import keep_tree, restore_tree
from engine.runtime.patient_facts import record_risk_tier, risk_tier
from engine.runtime.pending import WaitingTasks
from engine.runtime.report_facts import Snapshot
from engine.runtime.row_sync import clear_waits, sync_rows
from engine.runtime.state_codec import decode_state, encode_state
from engine.runtime.unstorable import UNSTORABLE, unstorable_reason, unstorable_value
from engine.sandbox import SandboxedScriptEngine, SandboxLimits
from engine.store import audit, webhook_outbox
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
    facts_before: Snapshot | None = None  # the facts reports read, as loaded (None: a new instance)
    notes: dict = field(default_factory=dict)  # what `Runtime.after_step` keepers noted when it was loaded
    # the tasks the workflow waits at, walked once for all that read its facts (the risk tier, the report facts,
    # the keepers): as loaded, then, from the save on, as saved (None: not loaded, no save yet)
    waiting: WaitingTasks | None = None
    # the instance's message waits as read in this transaction under its lock (a message's delivery reads them
    # anyway): the next save syncs against them instead of reading them again, once (None: it reads them)
    message_rows: list | None = None


class Runtime:
    def __init__(self, specs: SpecCache | None = None, limits: SandboxLimits | None = None):
        self.specs = specs or SpecCache()
        self.script_engine = SandboxedScriptEngine(limits=limits) if limits else SandboxedScriptEngine()
        # who a new task goes to (engine.runtime.row_sync.sync_rows); the service sets the care team's rule
        self.router = None
        # what else a save keeps in step with the workflow (the care plan record): each notes what it needs when
        # an instance is loaded (`on_load(loaded)`) and is called with (session, loaded, actor) when it is saved
        self.after_step = []

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
        waiting = WaitingTasks(workflow)
        loaded = Loaded(instance, parsed, workflow, risk_tier(workflow, instance.state, waiting),
                        report_facts.snapshot(workflow, instance.state, waiting), waiting=waiting)
        for keep in self.after_step:
            keep.on_load(loaded)
        return loaded

    # ------------------------------------------------------------------------------------------ run
    def advance(self, session: Session, loaded: Loaded, actor: str, action=None) -> bool:
        """Run `action(workflow)` (if any) then the engine steps; a failure puts the instance in error.

        Returns True when the pathway ran without error.
        """
        workflow = loaded.workflow
        loaded.waiting = None  # the workflow moves: where it waited as loaded is no longer where it waits
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
        error = describe_error(exc) | failure_point(exc)
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
        state = self._state_text(session, loaded, actor)  # first: a value it cannot hold undoes a completion
        if instance.status == InstanceStatus.RUNNING and workflow.completed:
            instance.status = InstanceStatus.COMPLETED
            instance.ended_at = now
            audit.record(session, "completed_instance", actor, instance=instance)
        instance.state = state
        instance.updated_at = now
        loaded.waiting = waiting = WaitingTasks(workflow)  # where the workflow waits as saved: walked once, if read
        record_risk_tier(session, instance.patient_id, loaded.risk_before,
                         risk_tier(workflow, instance.state, waiting), actor, instance)
        if inspect(instance).pending:
            session.flush()
        batch = WriteBatch()
        with session.no_autoflush:
            if instance.status in InstanceStatus.ENDED:
                clear_waits(session, instance, now, f"instance {instance.status}", actor)
            else:
                rows, loaded.message_rows = loaded.message_rows, None
                sync_rows(session, instance, workflow, now, actor, batch, self.router, waiting, rows)
            for keep in self.after_step:
                keep(session, loaded, actor)
            report_facts.queue_changes(session, instance, workflow, loaded.facts_before, state, batch, waiting)
        if also is not None:
            batch.extend(also)
        write_changes(session, batch)

    def _state_text(self, session: Session, loaded: Loaded, actor: str) -> str:
        """The workflow's state as JSON text.

        A value the state cannot hold (an integer of more digits than JSON writes, from a Python caller's
        message payload, a connector, a script under generous limits) would fail this save and every later
        one, and leave the instance running for good. Instead, the task that brought the value in goes back to
        error with the data it had, as a failed script does: what ran before it is kept, what ran after it
        is undone, and the instance is in error naming it; a retry runs it again. Only a failed encoding pays
        for the search; a usual save pays about a microsecond, for `keep_tree`."""
        workflow = loaded.workflow
        for _ in range(MAX_UNSTORABLE_TASKS):
            kept = keep_tree(workflow)  # encoding prunes the history first, the task we look for with it
            try:
                return encode_state(workflow)
            except UNSTORABLE:
                restore_tree(workflow, kept)
                found = unstorable_value(workflow)
                if found is None:
                    raise
                task, reason = found
                rewind_to_error(workflow, task)
                if loaded.instance.status != InstanceStatus.ERROR:
                    self._fail(session, loaded, WorkflowTaskException(reason, task=task), actor)
        return encode_state(workflow)

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
    webhook_outbox.queue_events(session, writes)  # webhooks' outbox rows for this step's events, if subscribed
    audit.queue_pending(session, writes)
    defer(session, writes)
    if session.new or session.deleted or session.dirty:
        session.flush()


MAX_UNSTORABLE_TASKS = 10


def rewind_to_error(workflow, task) -> None:
    """Put `task` back as it was before it ran, in error, and remove what ran after it; an event (a message
    and its payload) is waited for again instead, as if it had not come. A (sub)process that had ended is
    running again: the data its end handed it are dropped where they cannot be stored."""
    flow = task.workflow
    if flow.completed:
        flow.completed = False
        for name in [name for name, value in flow.data.items() if unstorable_reason(value) is not None]:
            del flow.data[name]
    workflow.reset_from_task_id(task.id)
    if not task.has_state(TaskState.WAITING):
        task._set_state(TaskState.ERROR)


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


def failure_point(exc: Exception) -> dict:
    """The task that failed and the part of its life it failed in, so that a retry runs that part again:

    "run"          its own work (a script task, a gateway's conditions, a decision): run it again;
    "post_script"  its spiffworkflow:postScript, after it was done (a person's answers stay): finish it again;
    "complete"     what it hands on once done (data outputs): finish it again;
    "pre_script"   its spiffworkflow:preScript, on its way to be ready: bring it to ready again;
    "update"       on its way to be ready or to wait (a timer's expression): bring it there again.

    SpiffWorkflow marks a task whose script failed ERROR, and says which script in a note on the error; a
    task that failed on its way to ready without a script keeps its state."""
    task = getattr(exc, "task", None)
    if task is None or getattr(task, "id", None) is None:
        return {}
    notes = " ".join(str(n) for n in (getattr(exc, "notes", None) or getattr(exc, "__notes__", None) or []))
    if "Post-Script" in notes:
        phase = "post_script"
    elif "Pre-Script" in notes:
        phase = "pre_script"
    elif task.has_state(TaskState.ERROR):
        phase = "run"
    elif task.has_state(TaskState.FINISHED_MASK):
        phase = "complete"
    else:
        phase = "update"
    return {"task": str(task.id), "phase": phase}


def error_tasks(workflow) -> list:
    return workflow.get_tasks(state=TaskState.ERROR)
