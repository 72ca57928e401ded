"""Play a test case against a parsed bundle, in memory, on a simulated clock: the same SpiffWorkflow specs and
sandboxed script engine a deployed version runs with, no database, nothing stored.

The run is a list of numbered steps (the start, each task done, each move of time, each message); the result
says which elements of the tested process finished in which order (the path drawn in the studio), which human
tasks came to which role, where the pathway waits at the end, and, for a failing case, the step it failed at
with what was expected and what happened. The studio's walk (recording a case by clicking through) is the same
run, stopped where the case gives no answer for a task that is open.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from jsonschema.validators import Draft202012Validator, validator_for
from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.deploy import form_schemas
from engine.deploy.parsing import ParsedBundle
from engine.runtime.pending import _timer_due, leaf_events, properties_of, role_from_lane, stage_of
from engine.runtime.runner import Runtime, describe_error, run_engine_steps
from engine.studio.cases import Case, Step
from engine.studio.simclock import simulated
from engine.time import clock
from engine.time.durations import parse_duration

MAX_ACTIONS = 2000  # a case that loops for ever stops here
MAX_TIMER_FIRINGS = 500


class CaseFailed(Exception):
    def __init__(self, message: str, expected=None, actual=None):
        super().__init__(message)
        self.message, self.expected, self.actual = message, expected, actual


@dataclass
class RunResult:
    case: str
    passed: bool = False
    status: str = "waiting"  # completed, waiting, error
    message: str | None = None
    step: int | None = None  # the step the case failed at
    expected: object = None
    actual: object = None
    steps: list[str] = field(default_factory=list)  # what happened, numbered from 1
    path: list[str] = field(default_factory=list)
    tasks: dict[str, list[str]] = field(default_factory=dict)
    open_tasks: list[dict] = field(default_factory=list)
    waiting: list[dict] = field(default_factory=list)  # timers and messages the pathway waits on at the end
    data: dict = field(default_factory=dict)
    now: str | None = None
    tasks_done: int = 0

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class Play:
    """One run of one case."""

    def __init__(self, parsed: ParsedBundle, runtime: Runtime, process_id: str, case: Case, *, walk: bool = False):
        self.parsed, self.runtime, self.process_id, self.case, self.walk = parsed, runtime, process_id, case, walk
        self.result = RunResult(case.name)
        self.used: dict[str, int] = {}
        self.finished: set = set()
        self.workflow = None

    # ------------------------------------------------------------------------------------------ running
    def run(self) -> RunResult:
        frozen = clock.FrozenClock(self.case.start_at)
        with simulated(frozen):
            try:
                self._start()
                self._drive(frozen)
                self._settle()
                if not self.walk:
                    self._check_end()
                    self.result.passed = True
            except CaseFailed as failed:
                self._fail(failed)
            except Exception as exc:  # noqa: BLE001 - a pathway error is the case's result, never a crash
                error = describe_error(exc)
                where = f" at {error['element']}" if error.get("element") else ""
                self.result.status = "error"
                self._fail(CaseFailed(f"the pathway failed{where}: {error['message']}"))
            self.result.now = frozen.now().isoformat()
        return self.result

    def _fail(self, failed: CaseFailed) -> None:
        self.result.passed = False
        self.result.message = failed.message
        self.result.expected, self.result.actual = failed.expected, failed.actual
        self.result.step = len(self.result.steps) or 1
        self._collect_state()

    def _log(self, text: str) -> None:
        self.result.steps.append(text)

    def _start(self) -> None:
        self.workflow = self.runtime.new_workflow(self.parsed, self.process_id)
        start_task = self.workflow.get_tasks(state=TaskState.READY)[0]
        start_task.data.update(self.case.start_data)
        start_task.data.setdefault("patient_id", self.case.patient_id)
        self._log(f"start {self.process_id} for {self.case.patient_id} at {self.case.start_at.isoformat()}")
        message = self.case.start_message
        if message is None:
            run_engine_steps(self.workflow)
        else:
            start_task.data.update(message["payload"])
            self.workflow.do_engine_steps()
            if not self._deliver(message["name"], message["payload"]):
                raise CaseFailed(f"the pathway does not start with message '{message['name']}'")
        self._note_finished()

    def _drive(self, frozen: clock.FrozenClock) -> None:
        steps = list(self.case.steps)
        for _ in range(MAX_ACTIONS):
            if self.workflow.completed:
                break
            upcoming = steps[0] if steps else None
            if upcoming is not None and upcoming.after_tasks is not None \
                    and upcoming.after_tasks <= self.result.tasks_done:
                self._take(steps.pop(0), frozen)
                continue
            task = self._next_answerable()
            if task is not None:
                self._do(task)
                continue
            if upcoming is None:
                break
            if upcoming.after_tasks is not None and not self.walk:
                raise CaseFailed(f"'{upcoming.describe()}' comes after {upcoming.after_tasks} task(s), but the "
                                 f"pathway stopped after {self.result.tasks_done}: no answers for "
                                 f"{', '.join(self._open_keys()) or 'any open task'}")
            if upcoming.after_tasks is not None:
                break
            self._take(steps.pop(0), frozen)
        else:
            raise CaseFailed(f"the case did not end after {MAX_ACTIONS} actions (a loop the answers never leave?)")
        if steps and not self.walk:
            raise CaseFailed(f"{len(steps)} step(s) left over: the pathway "
                             f"{'ended' if self.workflow.completed else 'stopped'} before "
                             f"'{steps[0].describe()}'")

    def _settle(self) -> None:
        self._collect_state()
    # ------------------------------------------------------------------------------------------ tasks
    def _ready_human(self) -> list:
        return self.workflow.get_tasks(state=TaskState.READY, manual=True)

    def _keys(self, task) -> list[str]:
        bpmn_id = task.task_spec.bpmn_id or task.task_spec.name
        return [bpmn_id, f"{task.workflow.spec.name}:{bpmn_id}"]

    def _key_for(self, task) -> str | None:
        return next((k for k in self._keys(task) if k in self.case.tasks), None)

    def _open_keys(self) -> list[str]:
        return [self._keys(t)[1] for t in self._ready_human()]

    def _next_answerable(self):
        for task in self._ready_human():
            key = self._key_for(task)
            if key is not None and self.used.get(key, 0) < len(self.case.tasks[key]):
                return task
            if key is None and type(task.task_spec).__name__ != "UserTask":
                return task  # a manual task needs no answers
        return None

    def _do(self, task) -> None:
        key = self._key_for(task)
        answers = {}
        if key is not None:
            answers = self.case.tasks[key][self.used.get(key, 0)]
            self.used[key] = self.used.get(key, 0) + 1
        role = role_from_lane(getattr(task.task_spec, "lane", None))
        label = self._keys(task)[1]
        self._log(f"{label} done by {role or 'anyone'}")
        self._check_form(task, answers, label)
        task.data.update(answers)
        task.run()
        self.result.tasks_done += 1
        run_engine_steps(self.workflow)
        self._note_finished()

    def _check_form(self, task, answers: dict, label: str) -> None:
        props = properties_of(task.task_spec)
        name = props.get("formJsonSchemaFilename")
        schema = self.parsed.forms.get(name) if name else None
        if not isinstance(schema, dict):
            return
        resolved = form_schemas.resolve(schema, task.data)
        cls = validator_for(resolved, default=Draft202012Validator) if resolved.get("$schema") else \
            Draft202012Validator
        held = {k: task.data[k] for k in self._read_only(resolved, props) if k in task.data}
        errors = sorted(cls(resolved).iter_errors({**held, **answers}), key=lambda e: list(map(str, e.path)))
        if errors:
            worded = [f"{'.'.join(map(str, e.path)) or '(form)'}: {e.message}" for e in errors[:5]]
            raise CaseFailed(f"the answers for {label} do not fit its form {name}: {'; '.join(worded)}",
                             expected=f"answers that {name} accepts", actual=answers)

    def _read_only(self, schema: dict, props: dict) -> set[str]:
        """The form's read-only fields: the task's data holds their answers (as the engine reads a submission)."""
        ui = self.parsed.forms.get(props.get("formUiSchemaFilename") or "") or {}
        fields = schema.get("properties") or {}
        names = {name for name, prop in fields.items() if isinstance(prop, dict) and prop.get("readOnly")}
        return names | {name for name in fields if isinstance(ui.get(name), dict) and ui[name].get("ui:readonly")}

    # ------------------------------------------------------------------------------------------ time and messages
    def _take(self, step: Step, frozen: clock.FrozenClock) -> None:
        self._log(step.describe())
        if step.kind == "message":
            if not self._deliver(step.value, step.payload):
                waiting = [w["message"] for w in self._waits() if w["kind"] == "message"]
                raise CaseFailed(f"nothing in the pathway waits for message '{step.value}'",
                                 expected=step.value, actual=waiting or "no message awaited")
            return
        now = frozen.now()
        target = parse_duration(step.value, now) if step.kind == "advance" else \
            datetime.fromisoformat(step.value.replace("Z", "+00:00"))
        if target.tzinfo is None:
            target = target.replace(tzinfo=now.tzinfo)
        if target < now:
            raise CaseFailed(f"'{step.describe()}' is before the case's time {now.isoformat()}")
        self._move_time(frozen, target)

    def _move_time(self, frozen: clock.FrozenClock, target: datetime) -> None:
        """Fire each timer that comes due up to `target` at its own moment, as the sweep would."""
        for _ in range(MAX_TIMER_FIRINGS):
            due = sorted(w["due_at"] for w in self._waits(raw=True) if w["kind"] == "timer" and w["due_at"])
            nxt = next((d for d in due if d <= target), None)
            if nxt is None:
                break
            frozen.set(max(frozen.now(), nxt + timedelta(seconds=1)))
            self.workflow.refresh_timers()
            run_engine_steps(self.workflow)
            self._note_finished()
            if self.workflow.completed:
                break
        frozen.set(max(frozen.now(), target))
        self.workflow.refresh_timers()
        run_engine_steps(self.workflow)
        self._note_finished()

    def _deliver(self, name: str, payload: dict) -> bool:
        caught = False
        for task in list(self.workflow.get_tasks(state=TaskState.WAITING)):
            for definition in leaf_events(getattr(task.task_spec, "event_definition", None)):
                if isinstance(definition, MessageEventDefinition) and definition.name == name:
                    keys = {"patient_id": self.case.patient_id, **payload}
                    properties = getattr(definition, "correlation_properties", None) or []
                    correlations = definition.calculate_correlations(
                        self.workflow.script_engine, properties, keys) if properties else {}
                    self.workflow.catch(BpmnEvent(definition, dict(payload), correlations))
                    if payload and getattr(definition, "message_var", None) is None \
                            and task.state == TaskState.READY:
                        task.data.update(payload)
                    caught = True
                    break
            if caught:
                break
        if caught:
            run_engine_steps(self.workflow)
            self._note_finished()
        return caught

    # ------------------------------------------------------------------------------------------ what happened
    def _note_finished(self) -> None:
        """Add the elements of the tested process that finished since the last look, in the order they did, and
        the human tasks that came, by role."""
        top = self.workflow
        fresh = [t for t in top.tasks.values() if t.id not in self.finished and t.has_state(TaskState.COMPLETED)]
        fresh.sort(key=lambda t: t.last_state_change)
        for task in fresh:
            self.finished.add(task.id)
            if getattr(task.task_spec, "bpmn_id", None):
                self.result.path.append(task.task_spec.bpmn_id)
        for task in self._ready_human():
            marker = ("came", task.id)
            if marker in self.finished:
                continue
            self.finished.add(marker)
            role = role_from_lane(getattr(task.task_spec, "lane", None)) or "anyone"
            self.result.tasks.setdefault(role, []).append(task.task_spec.bpmn_id or task.task_spec.name)

    def _waits(self, raw: bool = False) -> list[dict]:
        found = []
        for task in self.workflow.get_tasks(state=TaskState.WAITING):
            for event in leaf_events(getattr(task.task_spec, "event_definition", None)):
                if isinstance(event, MessageEventDefinition):
                    found.append({"kind": "message", "message": event.name,
                                  "element": task.task_spec.bpmn_id or task.task_spec.name})
                elif isinstance(event, TimerEventDefinition):
                    due = _timer_due(task, event)
                    found.append({"kind": "timer", "element": task.task_spec.bpmn_id or task.task_spec.name,
                                  "name": task.task_spec.bpmn_name,
                                  "due_at": due if raw else (due.isoformat() if due else None)})
        return found

    def _collect_state(self) -> None:
        workflow = self.workflow
        if workflow is None:
            return
        if workflow.completed:
            self.result.status = "completed" if self.result.status != "error" else "error"
        if workflow.get_tasks(state=TaskState.ERROR):
            self.result.status = "error"
        self.result.open_tasks = [self._open_task(t) for t in self._ready_human()]
        self.result.waiting = self._waits()
        self.result.data = jsonable(output_data(workflow))

    def _open_task(self, task) -> dict:
        props = properties_of(task.task_spec)
        return {"key": self._keys(task)[1], "element": task.task_spec.bpmn_id, "process": task.workflow.spec.name,
                "title": task.task_spec.bpmn_name or task.task_spec.bpmn_id,
                "role": role_from_lane(getattr(task.task_spec, "lane", None)), "stage": stage_of(task),
                "form": props.get("formJsonSchemaFilename"), "ui_form": props.get("formUiSchemaFilename"),
                "schema": self.parsed.forms.get(props.get("formJsonSchemaFilename") or ""),
                "ui_schema": self.parsed.forms.get(props.get("formUiSchemaFilename") or ""),
                "data": jsonable(dict(task.data))}

    # ------------------------------------------------------------------------------------------ expectations
    def _check_end(self) -> None:
        case, result = self.case, self.result
        self._log("the case's expectations are checked")
        if result.status == "error":
            raise CaseFailed("the pathway is in error")
        if case.expected_status != result.status:
            open_keys = ", ".join(self._open_keys()) or "none"
            raise CaseFailed(f"expected the pathway to be {case.expected_status}, it is {result.status} "
                             f"(open tasks: {open_keys})", case.expected_status, result.status)
        if case.expected_path is not None and case.expected_path != result.path:
            at = next((i for i, (a, b) in enumerate(zip(case.expected_path, result.path)) if a != b),
                      min(len(case.expected_path), len(result.path)))
            raise CaseFailed(f"the path differs from element {at + 1} on", case.expected_path, result.path)
        if case.expected_tasks is not None:
            expected = {r: ids for r, ids in case.expected_tasks.items() if ids}
            if expected != result.tasks:
                raise CaseFailed("the tasks per role differ", expected, result.tasks)
        if case.expected_output is not None:
            expected = jsonable(case.expected_output)
            # patient_id is the engine's, not the pathway's: a SpiffArena case does not expect it
            actual = {k: v for k, v in result.data.items() if k != "patient_id" or k in expected} \
                if isinstance(expected, dict) else result.data
            if expected != actual:
                raise CaseFailed(f"the output data differs{_at_keys(expected, actual)}", expected, actual)
        if case.expected_data is not None:
            differing = {k: v for k, v in jsonable(case.expected_data).items() if result.data.get(k, _MISSING) != v}
            if differing:
                raise CaseFailed(f"the data differs at {', '.join(sorted(differing))}", differing,
                                 {k: result.data.get(k) for k in differing})
        unused = {k: len(v) - self.used.get(k, 0) for k, v in case.tasks.items() if len(v) > self.used.get(k, 0)}
        if unused:
            raise CaseFailed("answers left unused: " + ", ".join(f"{k} ({n})" for k, n in sorted(unused.items())),
                             "every answer used", unused)


_MISSING = object()


def output_data(workflow) -> dict:
    """The pathway's data: at the end, the workflow's; while it waits, what its open and waiting tasks hold."""
    if workflow.completed:
        return dict(workflow.data)
    merged: dict = {}
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
        merged.update(task.data)
    if not merged and workflow.last_task is not None:
        merged.update(workflow.last_task.data)
    return merged


def jsonable(value):
    return json.loads(json.dumps(value, default=str))


def play(parsed: ParsedBundle, runtime: Runtime, process_id: str, case: Case, *, walk: bool = False) -> RunResult:
    return Play(parsed, runtime, process_id, case, walk=walk).run()


def _at_keys(expected, actual) -> str:
    """' at a, b; also holds c' naming the top-level keys whose values differ or are missing, and the keys the
    output holds that the case does not expect."""
    if not isinstance(expected, dict) or not isinstance(actual, dict):
        return ""

    def listed(keys):
        keys = sorted(keys)
        return ", ".join(keys[:8]) + (f" and {len(keys) - 8} more" if len(keys) > 8 else "")

    differing = [k for k in expected if actual.get(k, _MISSING) != expected[k]]
    extra = [k for k in actual if k not in expected]
    return (f" at {listed(differing)}" if differing else "") + (f"; also holds {listed(extra)}" if extra else "")
